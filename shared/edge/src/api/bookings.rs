//! Booking bodies.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use app::error::{AppError, FieldError};
use domain::booking::{Booking, BookingStatus};
use domain::hours::parse_date;
use domain::lifecycle::Period;
use domain::payment::{PaymentStatus, PaymentTransaction, RefundDecision};
use domain::pricing::PriceBreakdown;
use domain::space::ItemKind;
use domain::stay::{BookingUnit, StayRequest};

/// `POST /bookings`: by the hour (`start_time`, `end_time`), or whole local days
/// (`unit` day, week or month, `start_date` in the space's zone, `quantity`).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingRequest {
    pub bookable_item_id: String,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub start_time: Option<Timestamp>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub end_time: Option<Timestamp>,
    /// `hour` (default), `day`, `week` or `month`.
    #[serde(default)]
    pub unit: BookingUnit,
    /// The first day of a stay, `YYYY-MM-DD` in the space's time zone.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub start_date: Option<String>,
    /// Days, weeks or months (default 1).
    #[serde(default)]
    pub quantity: Option<u32>,
    /// A promo code (case does not matter): its discount is in the price breakdown
    /// (`promo_code`, `promo_amount`); a code that does not apply is a 400 naming
    /// `promo_code`, one used up a 409.
    #[serde(default)]
    pub promo_code: Option<String>,
}

impl BookingRequest {
    /// What is asked for; the fields of the other way of booking must be absent.
    pub fn period(&self) -> Result<Period, AppError> {
        let mut errors = Vec::new();
        let mut absent = |name: &str, present: bool, unit: &str| {
            if present {
                errors.push(FieldError::new(
                    name,
                    "unexpected",
                    format!("not used when booking by the {unit}"),
                ));
            }
        };
        if self.unit.is_hour() {
            absent("start_date", self.start_date.is_some(), "hour");
            absent("quantity", self.quantity.is_some(), "hour");
            for (name, value) in [("start_time", self.start_time), ("end_time", self.end_time)] {
                if value.is_none() {
                    errors.push(FieldError::new(name, "required", "an instant (RFC 3339)"));
                }
            }
            return match (self.start_time, self.end_time) {
                (Some(start), Some(end)) if errors.is_empty() => Ok(Period::Hours { start, end }),
                _ => Err(AppError::Validation(errors)),
            };
        }
        let unit = self.unit.as_str();
        absent("start_time", self.start_time.is_some(), unit);
        absent("end_time", self.end_time.is_some(), unit);
        let start_date = self.start_date.as_deref().and_then(parse_date);
        if start_date.is_none() {
            errors.push(FieldError::new(
                "start_date",
                if self.start_date.is_none() {
                    "required"
                } else {
                    "format"
                },
                "a date YYYY-MM-DD (the space's local date)",
            ));
        }
        match start_date {
            Some(start_date) if errors.is_empty() => Ok(Period::Stay(StayRequest {
                unit: self.unit,
                start_date,
                quantity: self.quantity.unwrap_or(1),
            })),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// A booking as the API shows it: the status as of now (an expired hold shows as
/// `expired` at once), without the internal slot list.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BookingView<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub space_id: &'a str,
    pub bookable_item_id: &'a str,
    pub item_identifier: &'a str,
    pub item_kind: ItemKind,
    #[schema(value_type = String, format = DateTime)]
    pub start_time: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub end_time: Timestamp,
    pub time_zone: &'a str,
    /// `hour`, or a stay of whole local days: `day` (a day pass), `week` or `month`.
    pub unit: BookingUnit,
    /// How many days, weeks or months (1 for an hourly booking).
    pub quantity: u32,
    pub status: BookingStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub hold_expires_at: Option<Timestamp>,
    pub price: &'a PriceBreakdown,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_transaction_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentView<'a>>,
    /// Set on the answer to a cancellation: what the policy gave back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund: Option<RefundDecision>,
    /// On `GET /bookings/{id}`: what cancelling now would give back to this viewer's
    /// cancellation (the policy's share for the booker, everything for the space's operator
    /// or an admin); absent when it cannot be cancelled or nothing was paid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_if_cancelled: Option<RefundDecision>,
    /// The space's check-in rule when it was booked (absent: no check-in required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_in: Option<domain::space::CheckInPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub checked_in_at: Option<Timestamp>,
    /// Released because nobody checked in (then `cancelled`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_show: bool,
    /// The recurring series this booking is an occurrence of (`GET /series/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<&'a domain::series::SeriesLink>,
    /// The open-ended rental this booking is a month of (`GET /rentals/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rental: Option<&'a domain::rental::RentalLink>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

/// The payment as its booker (or the space's operator) sees it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PaymentView<'a> {
    pub id: &'a str,
    pub status: PaymentStatus,
    pub amount: i64,
    pub currency: &'a str,
    pub refunded_amount: i64,
    pub stripe_payment_intent_id: &'a str,
    /// For Stripe.js / the mobile SDKs: only to the booker, and only while payment is due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<&'a str>,
}

impl<'a> BookingView<'a> {
    pub fn new(b: &'a Booking, now: Timestamp) -> Self {
        let status = b.status_at(now);
        Self {
            id: &b.id,
            user_id: &b.user_id,
            space_id: &b.space_id,
            bookable_item_id: &b.bookable_item_id,
            item_identifier: &b.item_identifier,
            item_kind: b.item_kind,
            start_time: b.start_time,
            end_time: b.end_time,
            time_zone: &b.time_zone,
            unit: b.unit,
            quantity: b.quantity,
            status,
            hold_expires_at: b
                .hold_expires_at
                .filter(|_| status == BookingStatus::Pending),
            price: &b.price,
            payment_transaction_id: b.payment_transaction_id.as_deref(),
            payment: None,
            refund: None,
            refund_if_cancelled: None,
            check_in: b.check_in,
            checked_in_at: b.checked_in_at,
            no_show: b.no_show,
            series: b.series.as_ref(),
            rental: b.rental.as_ref(),
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }

    /// Adds the payment; its client secret only for `viewer` being the booker while the
    /// booking still waits for payment.
    pub fn with_payment(mut self, p: Option<&'a PaymentTransaction>, viewer: &str) -> Self {
        self.payment = p.map(|p| PaymentView {
            id: &p.id,
            status: p.status,
            amount: p.amount,
            currency: &p.currency,
            refunded_amount: p.refunded_amount,
            stripe_payment_intent_id: &p.stripe_payment_intent_id,
            // A series' occurrence is paid through its series (`GET /series/{id}`), a
            // rental's month by its subscription's invoice.
            client_secret: (viewer == self.user_id
                && self.series.is_none()
                && self.rental.is_none()
                && p.status == PaymentStatus::RequiresPayment
                && self.status == BookingStatus::Pending)
                .then_some(p.client_secret.as_str()),
        });
        self
    }
}
