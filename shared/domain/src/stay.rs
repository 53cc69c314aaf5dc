//! Day passes and long stays: bookings of whole local days.
//!
//! A desk can be sold by the day and an office by the day, week or month, beside hourly
//! bookings of the same item where the operator offers both (`BookableItem::hourly`).
//! A stay covers whole days of the space's zone, `[first day 00:00, day after the last
//! 00:00)` local, so DST days are 23 or 25 hours long and a month is a calendar month
//! (31 January + 1 month ends on the last day of February). It claims that interval on
//! the same UTC lattice as hourly bookings (`domain::claims`: whole UTC days, hours and
//! cells at its edges), so a day pass and an hourly booking of one desk can never both
//! hold the same instant, whatever the zone or a later edit of it.
//!
//! Choices, and why:
//! - A day pass needs the space open that day (a member comes in); a week or month stay
//!   is an office rented continuously, closed days included.
//! - No changeover buffer after a stay: it ends at midnight, and the buffer exists for
//!   back-to-back hourly use. No check-in either: the day starts at midnight, long before
//!   anyone could check in, and an office rented for a month is not released at 00:15.
//! - Paid up front, one payment per stay; at most 31 days per booking (what one
//!   transaction's claims cover in every zone). A longer rental is a run of monthly stays.

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use serde::{Deserialize, Serialize};

use crate::booking::PlannedSlot;
use crate::booking_rules::{claimed_blocks, horizon_end};
use crate::claims::is_cell_boundary;
use crate::error::DomainError;
use crate::hours::{parse_date, time_zone};
use crate::pricing::{MembershipBenefit, PriceBreakdown, PriceLine};
use crate::space::{BookableItem, Space};
use crate::validate::Violations;

/// The longest stay one booking may cover, in days.
pub const MAX_STAY_DAYS: i64 = 31;

/// How a booking is sold.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum BookingUnit {
    #[default]
    Hour,
    Day,
    Week,
    Month,
}

impl BookingUnit {
    pub fn is_hour(&self) -> bool {
        *self == BookingUnit::Hour
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BookingUnit::Hour => "hour",
            BookingUnit::Day => "day",
            BookingUnit::Week => "week",
            BookingUnit::Month => "month",
        }
    }

    /// `quantity` units, or None beyond what a span can hold (never panics).
    fn span(self, quantity: i64) -> Option<Span> {
        match self {
            BookingUnit::Hour => Span::new().try_hours(quantity),
            BookingUnit::Day => Span::new().try_days(quantity),
            BookingUnit::Week => Span::new().try_weeks(quantity),
            BookingUnit::Month => Span::new().try_months(quantity),
        }
        .ok()
    }
}

/// What an item costs per whole day, week and month, in minor units of its currency
/// (`price_per_hour.currency`); a unit without a rate is not offered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StayRates {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<i64>,
    /// The item can also be rented open-ended at the month rate, billed monthly as a
    /// Stripe subscription until the member ends it (`domain::rental`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub open_ended: bool,
}

impl StayRates {
    pub fn rate(&self, unit: BookingUnit) -> Option<i64> {
        match unit {
            BookingUnit::Hour => None,
            BookingUnit::Day => self.day,
            BookingUnit::Week => self.week,
            BookingUnit::Month => self.month,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.day.is_none() && self.week.is_none() && self.month.is_none()
    }

    pub fn offered(&self) -> impl Iterator<Item = (BookingUnit, i64)> + '_ {
        [BookingUnit::Day, BookingUnit::Week, BookingUnit::Month]
            .into_iter()
            .filter_map(|u| Some((u, self.rate(u)?)))
    }
}

/// A stay as asked for: `quantity` days, weeks or months from `start_date` (local).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StayRequest {
    pub unit: BookingUnit,
    pub start_date: Date,
    pub quantity: u32,
}

/// A stay that meets every rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedStay {
    pub start: Timestamp,
    pub end: Timestamp,
    pub rate: i64,
    pub slots: Vec<PlannedSlot>,
}

fn local_midnight(date: Date, tz: &TimeZone) -> Option<Timestamp> {
    // Where midnight does not exist (a DST gap at 00:00) the day starts when it does.
    tz.to_ambiguous_timestamp(date.to_datetime(Time::midnight()))
        .compatible()
        .ok()
}

/// Checks a stay against the item's and the space's rules. Field names are the request's.
pub fn plan_stay(
    space: &Space,
    item: &BookableItem,
    req: &StayRequest,
    now: Timestamp,
) -> Result<PlannedStay, DomainError> {
    let tz = time_zone(&space.time_zone).ok_or_else(|| {
        DomainError::Inconsistent(format!("space {} has an invalid time zone", space.id))
    })?;
    let mut v = Violations::new();
    let rate = item.stay_rates.rate(req.unit);
    if rate.is_none() {
        let offered: Vec<&str> = item
            .hourly
            .then_some("hour")
            .into_iter()
            .chain(item.stay_rates.offered().map(|(u, _)| u.as_str()))
            .collect();
        v.add(
            "unit",
            "not_offered",
            format!(
                "this item is not sold by the {}; it is sold by: {}",
                req.unit.as_str(),
                offered.join(", ")
            ),
        );
    }
    let (first, after) = (
        req.start_date,
        req.unit
            .span(req.quantity as i64)
            .and_then(|span| req.start_date.checked_add(span).ok()),
    );
    let days = after.map(|a| (a - first).get_days() as i64);
    v.check(
        req.quantity >= 1 && days.is_some_and(|d| (1..=MAX_STAY_DAYS).contains(&d)),
        "quantity",
        "range",
        format!("a stay covers 1 to {MAX_STAY_DAYS} days; book a longer rental as several"),
    );
    let today = now.to_zoned_datetime(tz.clone()).date();
    v.check(
        first >= today,
        "start_date",
        "past",
        "must be today or later (the space's local date)",
    );
    let Some(rate) = rate else {
        return Err(v.into_result().unwrap_err());
    };
    let (Some(start), Some(end)) = (
        local_midnight(first, &tz),
        after.and_then(|a| local_midnight(a, &tz)),
    ) else {
        // (Without an end, `quantity:range` already says why.)
        if after.is_some() {
            v.add(
                "start_date",
                "range",
                "outside the calendar this service supports",
            );
        }
        return Err(v.into_result().unwrap_err());
    };
    if !v.is_empty() {
        return Err(v.into_result().unwrap_err());
    }
    v.check(
        start <= horizon_end(space, now),
        "start_date",
        "horizon",
        format!(
            "this space takes bookings at most {} days ahead",
            space.booking_horizon_days
        ),
    );
    let last = after.and_then(|a| a.yesterday().ok()).unwrap_or(first);
    if let Some(from) = item.available_from.as_deref().and_then(parse_date) {
        v.check(
            first >= from,
            "start_date",
            "availability_window",
            format!("the item can be booked from {from}"),
        );
    }
    if let Some(to) = item.available_to.as_deref().and_then(parse_date) {
        v.check(
            last <= to,
            "quantity",
            "availability_window",
            format!("the item can be booked until {to}"),
        );
    }
    if req.unit == BookingUnit::Day {
        let closed: Vec<String> = std::iter::successors(Some(first), |d| d.tomorrow().ok())
            .take_while(|d| *d <= last)
            .filter(|d| {
                space.opening_hours.for_weekday(d.weekday()).is_empty()
                    || space
                        .closures
                        .iter()
                        .any(|c| parse_date(&c.date) == Some(*d))
            })
            .map(|d| d.to_string())
            .collect();
        v.check(
            closed.is_empty(),
            "start_date",
            "closed",
            format!("the space is closed on {}", closed.join(", ")),
        );
    }
    // Every offset in use is a multiple of 15 minutes; a historic odd one is refused.
    v.check(
        is_cell_boundary(start) && is_cell_boundary(end),
        "start_date",
        "grid",
        "the space's zone does not start its days on a quarter hour",
    );
    v.check(
        rate.saturating_mul(req.quantity as i64) <= crate::money::MAX_AMOUNT,
        "quantity",
        "amount_limit",
        format!(
            "the stay would cost more than one payment can take ({} minor units)",
            crate::money::MAX_AMOUNT
        ),
    );
    v.into_result()?;
    Ok(PlannedStay {
        start,
        end,
        rate,
        slots: claimed_blocks(start, end, end)?,
    })
}

/// The price of a stay: the unit's rate times the quantity, less the member's plan
/// discount. Included hours are for hourly use and do not apply.
pub fn stay_price(
    item: &BookableItem,
    req: &StayRequest,
    rate: i64,
    minutes: u32,
    membership: Option<&MembershipBenefit>,
) -> PriceBreakdown {
    let subtotal = rate.saturating_mul(req.quantity as i64);
    let discount_percent = membership.map_or(0, |m| m.discount_percent.min(100));
    let discount_amount =
        ((subtotal as i128 * discount_percent as i128 + 50) / 100).min(subtotal as i128) as i64;
    PriceBreakdown {
        currency: item.price_per_hour.currency.clone(),
        price_per_hour: item.price_per_hour.amount,
        lines: vec![PriceLine {
            label: format!("{} × {}", req.quantity, req.unit.as_str()),
            minutes,
            multiplier_percent: 100,
            amount: subtotal,
        }],
        subtotal,
        included_minutes_applied: 0,
        included_amount: 0,
        discount_percent,
        discount_amount,
        promo_code: None,
        promo_amount: 0,
        total: subtotal - discount_amount,
    }
}

#[cfg(test)]
mod tests;
