//! Utilization and revenue: how an event moves the per-day counters of a space and its
//! items, and how many minutes were open to book. Days are local to the space; minutes
//! are real elapsed minutes (a 25-hour DST day has 1500 of them).

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::hours::local_instant;
use crate::space::{BookableItem, Space};

/// Additions to one day's counters (space total, and the item's).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Counters {
    pub booked_minutes: i64,
    /// Minor units per ISO 4217 currency: amounts in different currencies are never added.
    pub revenue: BTreeMap<String, i64>,
    pub bookings: i64,
    pub cancellations: i64,
    /// Of the cancellations: bookings released because nobody checked in.
    #[serde(default)]
    pub no_shows: i64,
    /// Of the bookings: day passes, and week or month stays (`domain::stay`).
    #[serde(default)]
    pub day_passes: i64,
    #[serde(default)]
    pub long_stays: i64,
}

impl Counters {
    pub fn add(&mut self, other: &Counters) {
        self.booked_minutes += other.booked_minutes;
        for (currency, amount) in &other.revenue {
            *self.revenue.entry(currency.clone()).or_default() += amount;
        }
        self.bookings += other.bookings;
        self.cancellations += other.cancellations;
        self.no_shows += other.no_shows;
        self.day_passes += other.day_passes;
        self.long_stays += other.long_stays;
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub date: String,
    pub item_id: String,
    pub add: Counters,
}

/// Minutes of `[start, end)` on each local date it touches.
pub fn minutes_by_local_day(start: Timestamp, end: Timestamp, tz: &TimeZone) -> Vec<(Date, i64)> {
    let mut out = Vec::new();
    let mut date = start.to_zoned_datetime(tz.clone()).date();
    let mut cursor = start;
    while cursor < end {
        let Ok(next_day) = date.checked_add(1.day()) else {
            break;
        };
        let Ok(midnight) = local_instant(next_day, tz, 0) else {
            break;
        };
        let until = midnight.min(end);
        out.push((date, until.duration_since(cursor).as_mins()));
        cursor = until;
        date = next_day;
    }
    out
}

/// The counter changes an event makes (none for events analytics ignores).
///
/// - `BookingConfirmed`: booked minutes on each local day; revenue and one booking on
///   the start day.
/// - `BookingCancelled` of a confirmed booking: the minutes come off again, a
///   cancellation is counted, and what was refunded comes off the revenue.
pub fn changes(detail_type: &str, detail: &serde_json::Value) -> Vec<Change> {
    let text = |k: &str| detail.get(k).and_then(|v| v.as_str());
    let (Some(item), Some(start), Some(end)) = (
        text("bookable_item_id"),
        text("start_time").and_then(|t| t.parse::<Timestamp>().ok()),
        text("end_time").and_then(|t| t.parse::<Timestamp>().ok()),
    ) else {
        return Vec::new();
    };
    let tz = text("time_zone")
        .and_then(crate::hours::time_zone)
        .unwrap_or(TimeZone::UTC);
    let sign = match detail_type {
        "BookingConfirmed" => 1,
        "BookingCancelled" if text("previous_status") == Some("confirmed") => -1,
        _ => return Vec::new(),
    };
    let total = detail
        .pointer("/total/amount")
        .and_then(|v| v.as_i64())
        .unwrap_or(0);
    let currency = detail
        .pointer("/total/currency")
        .and_then(|v| v.as_str())
        .unwrap_or("XXX")
        .to_uppercase();
    let money = |amount: i64| -> BTreeMap<String, i64> {
        if amount == 0 {
            BTreeMap::new()
        } else {
            BTreeMap::from([(currency.clone(), amount)])
        }
    };
    let no_show = text("cancelled_by") == Some("no_show");
    let (day_pass, long_stay) = match text("unit") {
        Some("day") => (1, 0),
        Some("week" | "month") => (0, 1),
        _ => (0, 0),
    };
    let refund = detail
        .get("refund_amount")
        .and_then(|v| v.as_i64())
        .unwrap_or(0);
    minutes_by_local_day(start, end, &tz)
        .into_iter()
        .enumerate()
        .map(|(i, (date, minutes))| {
            let first = i == 0;
            let add = if sign > 0 {
                Counters {
                    booked_minutes: minutes,
                    revenue: money(if first { total } else { 0 }),
                    bookings: first as i64,
                    day_passes: first as i64 * day_pass,
                    long_stays: first as i64 * long_stay,
                    ..Default::default()
                }
            } else {
                Counters {
                    booked_minutes: -minutes,
                    revenue: money(if first { -refund } else { 0 }),
                    bookings: 0,
                    cancellations: first as i64,
                    no_shows: (first && no_show) as i64,
                    ..Default::default()
                }
            };
            Change {
                date: date.to_string(),
                item_id: item.to_string(),
                add,
            }
        })
        .collect()
}

/// Minutes `item` could be booked on local `date`: opening hours, minus closures and
/// days outside the item's availability window.
pub fn open_minutes(space: &Space, item: &BookableItem, date: Date, tz: &TimeZone) -> i64 {
    let d = date.to_string();
    if space.closures.iter().any(|c| c.date == d)
        || item
            .available_from
            .as_deref()
            .is_some_and(|f| d.as_str() < f)
        || item.available_to.as_deref().is_some_and(|t| d.as_str() > t)
    {
        return 0;
    }
    space
        .opening_hours
        .for_weekday(date.weekday())
        .into_iter()
        .filter_map(|(open, close)| {
            let a = local_instant(date, tz, open).ok()?;
            let b = local_instant(date, tz, close).ok()?;
            Some(b.duration_since(a).as_mins().max(0))
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn splits_by_local_day_with_dst() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        // 22:00 local on 2027-03-27 to 04:00 local on the 28th (clocks jump at 02:00).
        let parts = minutes_by_local_day(
            at("2027-03-27T21:00:00Z"),
            at("2027-03-28T02:00:00Z"),
            &berlin,
        );
        assert_eq!(
            parts,
            vec![
                (jiff::civil::date(2027, 3, 27), 120),
                (jiff::civil::date(2027, 3, 28), 180)
            ]
        );
    }

    #[test]
    fn confirmed_then_cancelled_nets_out_minutes_and_keeps_the_kept_revenue() {
        let mut d = serde_json::json!({"bookable_item_id": "i", "start_time": "2027-01-05T09:00:00Z",
            "end_time": "2027-01-05T11:00:00Z", "time_zone": "UTC", "total": {"amount": 4000, "currency": "EUR"}});
        let c = changes("BookingConfirmed", &d);
        assert_eq!(
            c[0].add,
            Counters {
                booked_minutes: 120,
                revenue: [("EUR".to_string(), 4000)].into(),
                bookings: 1,
                ..Default::default()
            }
        );
        d["previous_status"] = "confirmed".into();
        d["refund_amount"] = 2000.into();
        let c = changes("BookingCancelled", &d);
        assert_eq!(
            c[0].add,
            Counters {
                booked_minutes: -120,
                revenue: [("EUR".to_string(), -2000)].into(),
                cancellations: 1,
                ..Default::default()
            }
        );
        d["cancelled_by"] = "no_show".into();
        assert_eq!(changes("BookingCancelled", &d)[0].add.no_shows, 1);
        // Day passes and long stays are counted as they are confirmed.
        let mut stay = d.clone();
        stay["unit"] = "month".into();
        let c = changes("BookingConfirmed", &stay);
        assert_eq!((c[0].add.long_stays, c[0].add.day_passes), (1, 0));
        stay["unit"] = "day".into();
        let c = changes("BookingConfirmed", &stay);
        assert_eq!((c[0].add.long_stays, c[0].add.day_passes), (0, 1));
        d["previous_status"] = "pending".into();
        assert!(
            changes("BookingCancelled", &d).is_empty(),
            "an unpaid hold never counted"
        );
        assert!(changes("BookingCreated", &d).is_empty());
    }
}
