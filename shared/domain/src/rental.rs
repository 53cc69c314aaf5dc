//! Open-ended office rent, billed monthly as a Stripe subscription.
//!
//! An operator lets an item be rented open-ended (`StayRates::open_ended`, beside its
//! month rate). A rental is a chain of month stays of that item, one booking per month,
//! each claiming its time like any month stay (`domain::stay`), so a rental and every
//! other booking of the item can never hold the same instant. Stripe bills it: one
//! subscription whose monthly price is the rent fixed when the rental started, and whose
//! invoices pay the months in order (the k-th paid invoice pays month k).
//!
//! The promise, and why it holds: while a rental runs, the month after the last one paid
//! is always held for it, so the member keeps the office from month to month.
//! - Starting holds month 0 (an ordinary 15-minute hold while the first invoice is paid).
//! - When invoice k is paid (its amount and currency checked against the rent), month k
//!   is confirmed and month k+1 is held until its own end: Stripe's retries of a failed
//!   renewal run while the office stays held; when Stripe gives up (the subscription is
//!   cancelled or unpaid) or the member ends the rental, the held month is released.
//! - If month k+1 cannot be held (someone booked part of it before it was held, the item
//!   was retired), the rental ends after month k and the subscription is cancelled, so
//!   nothing is charged for time we cannot give.
//!
//! Months are `[start + k months, start + k+1 months)` in the space's local days; the
//! start day is at most the 28th, so every month's stay ends exactly where the next
//! begins (31 January + 1 month would end on 28 February and leave days between).

use jiff::civil::Date;
use jiff::{Span, Timestamp};
use serde::{Deserialize, Serialize};

use crate::events::DomainEvent;
use crate::money::Money;
use crate::pricing::{PriceBreakdown, PriceLine};
use crate::stay::{BookingUnit, StayRequest};
use crate::validate::Violations;

/// The last day of a month a rental may start on (see the module comment).
pub const LAST_START_DAY: i8 = 28;
/// How far ahead a rental may start: the month after the first is held at once.
pub const MAX_START_AHEAD_DAYS: i64 = 31;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RentalStatus {
    /// Month 0 is held; its first invoice is not paid yet.
    Starting,
    /// Paid month by month; the month after the last paid one is held.
    Active,
    /// No more months: ended by the member, by Stripe (not paid), or because the next
    /// month could not be held. Months already paid stay booked.
    Ended,
}

/// Which rental a month's booking belongs to, and which month it is (0 = the first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RentalLink {
    pub id: String,
    pub index: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rental {
    pub id: String,
    pub user_id: String,
    pub space_id: String,
    pub item_id: String,
    /// The first local day of month 0.
    #[schema(value_type = String, format = Date)]
    pub start_date: Date,
    /// What each month costs: fixed when the rental starts (a later rate change applies
    /// to new rentals).
    pub rent: Money,
    pub status: RentalStatus,
    /// Why it ended: `ended_by_member`, `not_paid`, `next_month_unavailable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe_customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe_subscription_id: Option<String>,
    /// Stripe invoices paid, in order: the k-th paid month k.
    #[serde(default)]
    pub paid_invoices: Vec<String>,
    /// The highest month held or booked so far.
    pub last_month: u32,
    pub version: u64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl Rental {
    /// Months paid so far (the next invoice pays month `months_paid()`).
    pub fn months_paid(&self) -> u32 {
        u32::try_from(self.paid_invoices.len()).unwrap_or(u32::MAX)
    }

    /// Month `index` as a one-month stay.
    pub fn month(&self, index: u32) -> Option<StayRequest> {
        month_stay(self.start_date, index)
    }

    /// The idempotency key of month `index`'s booking: the same month is always the same
    /// booking. `#` cannot appear in a client's key, so no request can take it.
    pub fn month_key(&self, index: u32) -> String {
        format!("rental#{}#{index}", self.id)
    }

    /// What an invoice paying `amount` `currency` means for this rental.
    pub fn invoice(&self, invoice_id: &str, amount: i64, currency: &str) -> InvoiceFit {
        if self.paid_invoices.iter().any(|i| i == invoice_id) {
            InvoiceFit::AlreadyApplied
        } else if amount != self.rent.amount || !currency.eq_ignore_ascii_case(&self.rent.currency)
        {
            InvoiceFit::WrongAmount
        } else if self.status == RentalStatus::Ended {
            InvoiceFit::AfterEnd
        } else {
            InvoiceFit::Pays(self.months_paid())
        }
    }
}

impl Rental {
    /// `RentalEnded`: ids, why, and how many months were paid (no personal data beyond
    /// the user id). The member hears of it unless they ended it themselves.
    pub fn ended_event(&self, item_identifier: Option<&str>, at: Timestamp) -> DomainEvent {
        DomainEvent::new(
            crate::events::BOOKINGS_SOURCE,
            "RentalEnded",
            at,
            serde_json::json!({
                "rental_id": self.id,
                "user_id": self.user_id,
                "space_id": self.space_id,
                "bookable_item_id": self.item_id,
                "item_identifier": item_identifier,
                "end_reason": self.end_reason,
                "months_paid": self.months_paid(),
            }),
        )
    }
}

/// What a paid invoice is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvoiceFit {
    /// This month (and the rental goes on).
    Pays(u32),
    /// The same invoice again (Stripe sends `invoice.paid` and `invoice.payment_succeeded`).
    AlreadyApplied,
    /// Not the rent we recorded: nothing is confirmed; a person looks at it.
    WrongAmount,
    /// Paid after the rental ended: refunded.
    AfterEnd,
}

/// A month's price: the rent, one line, no membership benefit (a plan's discount is for
/// bookings; the rent is what the subscription charges every month).
pub fn rent_price(rent: &Money, price_per_hour: i64, minutes: u32) -> PriceBreakdown {
    PriceBreakdown {
        currency: rent.currency.clone(),
        price_per_hour,
        lines: vec![PriceLine {
            label: "1 × month (rent)".into(),
            minutes,
            multiplier_percent: 100,
            amount: rent.amount,
        }],
        subtotal: rent.amount,
        included_minutes_applied: 0,
        included_amount: 0,
        discount_percent: 0,
        discount_amount: 0,
        promo_code: None,
        promo_amount: 0,
        total: rent.amount,
    }
}

/// Month `index` of a rental starting on `start`: `[start + index months, +1 month)`.
pub fn month_stay(start: Date, index: u32) -> Option<StayRequest> {
    let from = start
        .checked_add(Span::new().try_months(i64::from(index)).ok()?)
        .ok()?;
    Some(StayRequest {
        unit: BookingUnit::Month,
        start_date: from,
        quantity: 1,
    })
}

/// Checks a rental's first day: on or before the 28th, from today (local) to
/// `MAX_START_AHEAD_DAYS` ahead.
pub fn check_start(start: Date, today: Date) -> Result<(), crate::error::DomainError> {
    let mut v = Violations::new();
    v.check(
        start.day() <= LAST_START_DAY,
        "start_date",
        "day_of_month",
        format!("a rental starts on day 1 to {LAST_START_DAY} of a month, so every month is whole"),
    );
    let ahead = (start - today).get_days() as i64;
    v.check(
        (0..=MAX_START_AHEAD_DAYS).contains(&ahead),
        "start_date",
        "range",
        format!("must be from today to {MAX_START_AHEAD_DAYS} days ahead (the space's local date)"),
    );
    v.into_result()
}

#[cfg(test)]
mod tests;
