//! Bookings and the rules a requested interval must meet: the item's slot grid, minimum and
//! maximum duration, its availability window, the space's closures and opening hours in
//! the space's time zone, and "not in the past". Intervals are half-open: `[start, end)`.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::domain::hours::{local_instant, parse_date, time_zone};
use crate::domain::pricing::PriceBreakdown;
use crate::domain::space::{BookableItem, ItemKind, Space};
use crate::domain::validate::Violations;
use crate::error::ApiError;

/// How long a pending booking holds its slots unless payment confirms it.
pub const HOLD: SignedDuration = SignedDuration::from_mins(15);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BookingStatus {
    /// Created, slots held until `hold_expires_at`, waiting for payment.
    Pending,
    Confirmed,
    Cancelled,
    /// The hold ran out before payment confirmed it.
    Expired,
    /// Payment was declined (the hold is released), or came after the hold ran out and
    /// the slots were gone (the payment is refunded).
    Failed,
}

impl BookingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Confirmed,
            Self::Cancelled,
            Self::Expired,
            Self::Failed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SlotKind {
    Booking,
    /// Kept free after a booking (changeover); claimed like a booked slot.
    Buffer,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlannedSlot {
    #[schema(value_type = String, format = DateTime)]
    pub start: Timestamp,
    pub kind: SlotKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Booking {
    pub id: String,
    pub user_id: String,
    pub space_id: String,
    pub bookable_item_id: String,
    /// What was booked, as it was then (items can be renamed or removed later).
    pub item_identifier: String,
    pub item_kind: ItemKind,
    #[schema(value_type = String, format = DateTime)]
    pub start_time: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub end_time: Timestamp,
    pub time_zone: String,
    pub status: BookingStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub hold_expires_at: Option<Timestamp>,
    pub price: PriceBreakdown,
    /// Every slot this booking claims (its own and its buffer), to release them exactly.
    pub slots: Vec<PlannedSlot>,
    pub slot_minutes: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_transaction_id: Option<String>,
    pub version: u64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl Booking {
    /// The status as of `now`: a pending booking whose hold ran out is expired, whether or
    /// not a sweeper has written that yet (expiry never waits for TTL or a schedule).
    pub fn status_at(&self, now: Timestamp) -> BookingStatus {
        match (self.status, self.hold_expires_at) {
            (BookingStatus::Pending, Some(until)) if until <= now => BookingStatus::Expired,
            (s, _) => s,
        }
    }

    /// Whether the booking still occupies its slots at `now`.
    pub fn holds_slots(&self, now: Timestamp) -> bool {
        matches!(
            self.status_at(now),
            BookingStatus::Pending | BookingStatus::Confirmed
        )
    }
}

fn minute_of_day(ts: Timestamp, tz: &TimeZone) -> (Date, u16, bool) {
    let z = ts.to_zoned_datetime(tz.clone());
    let on_minute = z.second() == 0 && z.subsec_nanosecond() == 0;
    (
        z.date(),
        z.hour() as u16 * 60 + z.minute() as u16,
        on_minute,
    )
}

/// The local dates an interval touches (its last instant is `end - 1ns`).
fn local_dates(start: Timestamp, end: Timestamp, tz: &TimeZone) -> Vec<Date> {
    let first = start.to_zoned_datetime(tz.clone()).date();
    let last = (end - SignedDuration::from_nanos(1))
        .to_zoned_datetime(tz.clone())
        .date();
    let mut out = vec![first];
    let mut d = first;
    while d < last {
        d = d.tomorrow().expect("date in range");
        out.push(d);
    }
    out
}

/// The space's open intervals (UTC, merged) on the given local dates, closures excluded.
pub fn open_intervals(space: &Space, tz: &TimeZone, dates: &[Date]) -> Vec<(Timestamp, Timestamp)> {
    let mut out: Vec<(Timestamp, Timestamp)> = Vec::new();
    for date in dates {
        let closed = space
            .closures
            .iter()
            .any(|c| parse_date(&c.date) == Some(*date));
        if closed {
            continue;
        }
        for (open, close) in space.opening_hours.for_weekday(date.weekday()) {
            if let (Ok(a), Ok(b)) = (
                local_instant(*date, tz, open),
                local_instant(*date, tz, close),
            ) && a < b
            {
                out.push((a, b));
            }
        }
    }
    out.sort();
    let mut merged: Vec<(Timestamp, Timestamp)> = Vec::new();
    for (a, b) in out {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

/// Checks a requested interval against every rule and returns the slots it claims
/// (booking slots, then buffer slots). Field names are the request's.
pub fn plan_slots(
    space: &Space,
    item: &BookableItem,
    start: Timestamp,
    end: Timestamp,
    now: Timestamp,
) -> Result<Vec<PlannedSlot>, ApiError> {
    let tz = time_zone(&space.time_zone)
        .ok_or_else(|| ApiError::internal("space has an invalid time zone"))?;
    let mut v = Violations::new();
    if end <= start {
        v.add("end_time", "order", "must be after start_time");
        return Err(v.into_result().unwrap_err());
    }
    v.check(
        start >= now,
        "start_time",
        "past",
        "must not be in the past",
    );
    let slot = item.slot_minutes;
    let (start_date, start_minute, start_whole) = minute_of_day(start, &tz);
    let (_, end_minute, end_whole) = minute_of_day(end, &tz);
    v.check(
        start_whole && (start_minute as u32).is_multiple_of(slot),
        "start_time",
        "grid",
        format!("must fall on the item's {slot}-minute grid (local time)"),
    );
    v.check(
        end_whole && (end_minute as u32).is_multiple_of(slot),
        "end_time",
        "grid",
        format!("must fall on the item's {slot}-minute grid (local time)"),
    );
    let minutes = (end - start).as_mins();
    v.check(
        minutes >= item.min_booking_minutes as i64 && minutes <= item.max_booking_minutes as i64,
        "end_time",
        "duration",
        format!(
            "the booking must last between {} and {} minutes",
            item.min_booking_minutes, item.max_booking_minutes
        ),
    );
    if !v.is_empty() {
        return Err(v.into_result().unwrap_err());
    }

    let dates = local_dates(start, end, &tz);
    let last_date = *dates.last().expect("at least one date");
    if let Some(from) = item.available_from.as_deref().and_then(parse_date) {
        v.check(
            start_date >= from,
            "start_time",
            "availability_window",
            format!("the item can be booked from {from}"),
        );
    }
    if let Some(to) = item.available_to.as_deref().and_then(parse_date) {
        v.check(
            last_date <= to,
            "end_time",
            "availability_window",
            format!("the item can be booked until {to}"),
        );
    }
    let closed: Vec<&str> = space
        .closures
        .iter()
        .filter(|c| parse_date(&c.date).is_some_and(|d| dates.contains(&d)))
        .map(|c| c.date.as_str())
        .collect();
    v.check(
        closed.is_empty(),
        "start_time",
        "closed",
        format!("the space is closed on {}", closed.join(", ")),
    );
    if closed.is_empty() {
        let open = open_intervals(space, &tz, &dates);
        v.check(
            open.iter().any(|(a, b)| *a <= start && end <= *b),
            "start_time",
            "opening_hours",
            format!(
                "the interval is outside the space's opening hours ({})",
                space.time_zone
            ),
        );
    }
    v.into_result()?;

    let step = SignedDuration::from_mins(slot as i64);
    let mut slots = Vec::new();
    let mut t = start;
    while t < end {
        slots.push(PlannedSlot {
            start: t,
            kind: SlotKind::Booking,
        });
        t += step;
    }
    let buffer_end = end + SignedDuration::from_mins(item.buffer_minutes as i64);
    while t < buffer_end {
        slots.push(PlannedSlot {
            start: t,
            kind: SlotKind::Buffer,
        });
        t += step;
    }
    Ok(slots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::space::{Closure, LocalInterval, OpeningHours};
    use crate::domain::space_rules::tests::{sample_item, sample_space};

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn weekdays(open: &str, close: &str) -> OpeningHours {
        let d = vec![LocalInterval {
            open: open.into(),
            close: close.into(),
        }];
        OpeningHours {
            monday: d.clone(),
            tuesday: d.clone(),
            wednesday: d.clone(),
            thursday: d.clone(),
            friday: d.clone(),
            saturday: d.clone(),
            sunday: d,
        }
    }

    fn berlin() -> Space {
        let mut s = sample_space();
        s.opening_hours = weekdays("08:00", "20:00");
        s
    }

    const NOW: &str = "2026-01-01T00:00:00Z";

    fn fields(err: ApiError) -> Vec<String> {
        match err {
            ApiError::Validation(e) => e
                .into_iter()
                .map(|e| format!("{}:{}", e.field, e.rule))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn plans_booking_and_buffer_slots() {
        // Wednesday 2026-11-25 09:00-10:00 Berlin (08:00Z), 30-minute grid, 30-minute buffer.
        let slots = plan_slots(
            &berlin(),
            &sample_item(),
            ts("2026-11-25T08:00:00Z"),
            ts("2026-11-25T09:00:00Z"),
            ts(NOW),
        )
        .unwrap();
        let kinds: Vec<_> = slots
            .iter()
            .map(|s| (s.start.to_string(), s.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("2026-11-25T08:00:00Z".to_string(), SlotKind::Booking),
                ("2026-11-25T08:30:00Z".to_string(), SlotKind::Booking),
                ("2026-11-25T09:00:00Z".to_string(), SlotKind::Buffer),
            ]
        );
    }

    #[test]
    fn refuses_what_breaks_a_rule() {
        let (s, i) = (berlin(), sample_item());
        let now = ts(NOW);
        let err = |a: &str, b: &str| fields(plan_slots(&s, &i, ts(a), ts(b), now).unwrap_err());
        assert_eq!(
            err("2026-11-25T09:00:00Z", "2026-11-25T08:00:00Z"),
            ["end_time:order"]
        );
        assert_eq!(
            err("2025-11-25T09:00:00Z", "2025-11-25T10:00:00Z"),
            ["start_time:past"]
        );
        assert_eq!(
            err("2026-11-25T08:10:00Z", "2026-11-25T09:00:00Z"),
            ["start_time:grid"]
        );
        assert_eq!(
            err("2026-11-25T08:00:00Z", "2026-11-25T08:00:30Z"),
            ["end_time:grid", "end_time:duration"]
        );
        assert_eq!(
            err("2026-11-25T08:00:00Z", "2026-11-25T17:00:00Z"),
            ["end_time:duration"]
        );
        // 06:00-07:00 Berlin is before opening.
        assert_eq!(
            err("2026-11-25T05:00:00Z", "2026-11-25T06:00:00Z"),
            ["start_time:opening_hours"]
        );
        // 19:30-20:30 Berlin runs past closing.
        assert_eq!(
            err("2026-11-25T18:30:00Z", "2026-11-25T19:30:00Z"),
            ["start_time:opening_hours"]
        );
        let mut closed = berlin();
        closed.closures = vec![Closure {
            date: "2026-12-24".into(),
            reason: None,
        }];
        let e = fields(
            plan_slots(
                &closed,
                &i,
                ts("2026-12-24T09:00:00Z"),
                ts("2026-12-24T10:00:00Z"),
                now,
            )
            .unwrap_err(),
        );
        assert_eq!(e, ["start_time:closed"]);
        let mut windowed = sample_item();
        windowed.available_from = Some("2026-12-01".into());
        let e = fields(
            plan_slots(
                &s,
                &windowed,
                ts("2026-11-25T08:00:00Z"),
                ts("2026-11-25T09:00:00Z"),
                now,
            )
            .unwrap_err(),
        );
        assert_eq!(e, ["start_time:availability_window"]);
    }

    #[test]
    fn back_to_back_is_allowed_by_the_plan() {
        let mut i = sample_item();
        i.buffer_minutes = 0;
        let a = plan_slots(
            &berlin(),
            &i,
            ts("2026-11-25T08:00:00Z"),
            ts("2026-11-25T09:00:00Z"),
            ts(NOW),
        )
        .unwrap();
        let b = plan_slots(
            &berlin(),
            &i,
            ts("2026-11-25T09:00:00Z"),
            ts("2026-11-25T10:00:00Z"),
            ts(NOW),
        )
        .unwrap();
        assert!(
            a.iter().all(|x| b.iter().all(|y| x.start != y.start)),
            "half-open: no shared slot"
        );
    }

    #[test]
    fn dst_change_days_in_berlin_and_new_york() {
        let i = sample_item();
        // Berlin 2026-03-29: clocks jump 02:00 -> 03:00. 09:00-10:00 local is 07:00Z-08:00Z.
        let slots = plan_slots(
            &berlin(),
            &i,
            ts("2026-03-29T07:00:00Z"),
            ts("2026-03-29T08:00:00Z"),
            ts(NOW),
        )
        .unwrap();
        assert_eq!(slots[0].start, ts("2026-03-29T07:00:00Z"));
        // 07:00-08:00 local (05:00Z) is before opening on that day; the day before it is 06:00Z.
        assert!(
            plan_slots(
                &berlin(),
                &i,
                ts("2026-03-29T05:00:00Z"),
                ts("2026-03-29T06:00:00Z"),
                ts(NOW)
            )
            .is_err()
        );
        assert!(
            plan_slots(
                &berlin(),
                &i,
                ts("2026-03-28T07:00:00Z"),
                ts("2026-03-28T08:00:00Z"),
                ts(NOW)
            )
            .is_ok()
        );

        // New York 2026-11-01: clocks fall back 02:00 -> 01:00; 09:00 local is 14:00Z.
        let mut ny = sample_space();
        ny.time_zone = "America/New_York".into();
        ny.opening_hours = weekdays("09:00", "17:00");
        assert!(
            plan_slots(
                &ny,
                &i,
                ts("2026-11-01T14:00:00Z"),
                ts("2026-11-01T15:00:00Z"),
                ts(NOW)
            )
            .is_ok()
        );
        assert!(
            plan_slots(
                &ny,
                &i,
                ts("2026-11-01T13:00:00Z"),
                ts("2026-11-01T14:00:00Z"),
                ts(NOW)
            )
            .is_err()
        );
        // A 24-hour space on the 25-hour day: a booking across the repeated hour has 3 hours of slots.
        let mut open_all = ny.clone();
        open_all.opening_hours = weekdays("00:00", "24:00");
        let mut long = sample_item();
        long.buffer_minutes = 0;
        let slots = plan_slots(
            &open_all,
            &long,
            ts("2026-11-01T04:00:00Z"),
            ts("2026-11-01T07:00:00Z"),
            ts(NOW),
        )
        .unwrap();
        assert_eq!(slots.len(), 6);
    }

    #[test]
    fn bookings_across_midnight_in_24h_spaces() {
        let mut s = berlin();
        s.opening_hours = weekdays("00:00", "24:00");
        let mut i = sample_item();
        i.buffer_minutes = 0;
        // 23:00-01:00 local spans two dates; the days' intervals merge at midnight.
        assert!(
            plan_slots(
                &s,
                &i,
                ts("2026-11-25T22:00:00Z"),
                ts("2026-11-26T00:00:00Z"),
                ts(NOW)
            )
            .is_ok()
        );
    }
}
