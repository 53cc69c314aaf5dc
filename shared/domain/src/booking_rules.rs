//! The rules a requested interval must meet, all in the space's time zone: the item's
//! grid (local), minimum and maximum duration, the space's booking horizon, the item's
//! availability window, the space's closures and opening hours, and "not in the past".
//! What passes becomes the list of lattice blocks the booking claims (`domain::claims`).
//! Intervals are half-open: `[start, end)`. No input can make these functions panic:
//! date arithmetic at the ends of the calendar is checked, and refused as a rule.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::booking::{PlannedSlot, SlotKind};
use crate::claims::{Block, MAX_CLAIMS_PER_BOOKING, cover, intents, is_cell_boundary};
use crate::error::DomainError;
use crate::hours::{local_instant, parse_date, time_zone};
use crate::space::{BookableItem, Space};
use crate::validate::Violations;

fn minute_of_day(ts: Timestamp, tz: &TimeZone) -> (Date, u16, bool) {
    let z = ts.to_zoned_datetime(tz.clone());
    let on_minute = z.second() == 0 && z.subsec_nanosecond() == 0;
    (
        z.date(),
        z.hour() as u16 * 60 + z.minute() as u16,
        on_minute,
    )
}

/// The local dates an interval touches (its last instant is `end - 1ns`); empty when the
/// calendar runs out (never for an interval the horizon allows).
pub fn local_dates(start: Timestamp, end: Timestamp, tz: &TimeZone) -> Vec<Date> {
    let first = start.to_zoned_datetime(tz.clone()).date();
    let Ok(last_instant) = end.checked_sub(SignedDuration::from_nanos(1)) else {
        return Vec::new();
    };
    let last = last_instant.to_zoned_datetime(tz.clone()).date();
    let mut out = vec![first];
    let mut d = first;
    while d < last {
        match d.tomorrow() {
            Ok(next) => d = next,
            Err(_) => return Vec::new(),
        }
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

/// The latest instant a booking may start at: `now` plus the space's horizon.
pub fn horizon_end(space: &Space, now: Timestamp) -> Timestamp {
    now.checked_add(SignedDuration::from_hours(
        24 * space.booking_horizon_days as i64,
    ))
    .unwrap_or(Timestamp::MAX)
}

/// Checks a requested interval against every rule and returns the cells it claims
/// (booking cells, then buffer cells). Field names are the request's.
pub fn plan_claims(
    space: &Space,
    item: &BookableItem,
    start: Timestamp,
    end: Timestamp,
    now: Timestamp,
) -> Result<Vec<PlannedSlot>, DomainError> {
    let tz = time_zone(&space.time_zone).ok_or_else(|| {
        DomainError::Inconsistent(format!("space {} has an invalid time zone", space.id))
    })?;
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
    let horizon = horizon_end(space, now);
    v.check(
        start <= horizon,
        "start_time",
        "horizon",
        format!(
            "this space takes bookings at most {} days ahead",
            space.booking_horizon_days
        ),
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
    // Nothing below runs on an interval outside the horizon or longer than allowed: the
    // calendar arithmetic that follows stays far from the ends of the calendar.
    if !v.is_empty() {
        return Err(v.into_result().unwrap_err());
    }
    let slot = item.slot_minutes;
    let (start_date, start_minute, start_whole) = minute_of_day(start, &tz);
    let (_, end_minute, end_whole) = minute_of_day(end, &tz);
    let grid = |whole: bool, minute: u16, t: Timestamp| {
        whole && (minute as u32).is_multiple_of(slot) && is_cell_boundary(t)
    };
    v.check(
        grid(start_whole, start_minute, start),
        "start_time",
        "grid",
        format!("must fall on the item's {slot}-minute grid (local time)"),
    );
    v.check(
        grid(end_whole, end_minute, end),
        "end_time",
        "grid",
        format!("must fall on the item's {slot}-minute grid (local time)"),
    );
    if !v.is_empty() {
        return Err(v.into_result().unwrap_err());
    }

    let dates = local_dates(start, end, &tz);
    let Some(&last_date) = dates.last() else {
        return Err(DomainError::field(
            "end_time",
            "range",
            "outside the calendar this service supports",
        ));
    };
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

    let buffer_end = end + SignedDuration::from_mins(item.buffer_minutes as i64);
    claimed_blocks(start, end, buffer_end)
}

/// The blocks a booking of `[start, end)` followed by its buffer up to `buffer_end`
/// claims whole (`claims::cover` of each part), or a 422 when they and the blocks they
/// mark do not fit one transaction. Item rules keep every hourly booking within the
/// budget; an item stored under older rules is refused here rather than failing the
/// transaction.
pub fn claimed_blocks(
    start: Timestamp,
    end: Timestamp,
    buffer_end: Timestamp,
) -> Result<Vec<PlannedSlot>, DomainError> {
    let slot = |kind| {
        move |b: Block| PlannedSlot {
            start: b.start,
            kind,
            level: b.level,
        }
    };
    let slots: Vec<PlannedSlot> = cover(start, end)
        .into_iter()
        .map(slot(SlotKind::Booking))
        .chain(
            cover(end, buffer_end)
                .into_iter()
                .map(slot(SlotKind::Buffer)),
        )
        .collect();
    let marks = intents(slots.iter().map(PlannedSlot::block));
    if (slots.len() + marks.len()) as u32 > MAX_CLAIMS_PER_BOOKING {
        return Err(DomainError::field(
            "end_time",
            "duration",
            format!(
                "the booking needs {} claims and one transaction holds {MAX_CLAIMS_PER_BOOKING}: book a shorter time",
                slots.len() + marks.len()
            ),
        ));
    }
    Ok(slots)
}

/// The starts of the item's grid slots of `[start, end)`: what the price is counted in.
pub fn grid_slots(item: &BookableItem, start: Timestamp, end: Timestamp) -> Vec<Timestamp> {
    let step = SignedDuration::from_mins(item.slot_minutes.max(1) as i64);
    let mut out = Vec::new();
    let mut t = start;
    while t < end {
        out.push(t);
        t += step;
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::claims::Level;
    use crate::samples::{sample_item, sample_space};
    use crate::space::Closure;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    pub(crate) use crate::samples::weekdays;

    fn berlin() -> Space {
        let mut s = sample_space();
        s.opening_hours = weekdays("08:00", "20:00");
        s
    }

    const NOW: &str = "2026-01-01T00:00:00Z";

    /// Minutes the claimed blocks cover.
    fn covered(slots: &[PlannedSlot]) -> u32 {
        slots.iter().map(|s| s.level.minutes()).sum()
    }

    fn plan(
        space: &Space,
        item: &BookableItem,
        a: &str,
        b: &str,
    ) -> Result<Vec<PlannedSlot>, DomainError> {
        plan_claims(space, item, ts(a), ts(b), ts(NOW))
    }

    #[test]
    fn claims_booking_and_buffer_cells_of_the_utc_lattice() {
        // Wednesday 2026-11-25 09:00-10:00 Berlin (08:00Z), 30-minute grid, 30-minute buffer.
        let slots = plan(
            &berlin(),
            &sample_item(),
            "2026-11-25T08:00:00Z",
            "2026-11-25T09:00:00Z",
        )
        .unwrap();
        let kinds: Vec<_> = slots
            .iter()
            .map(|s| (s.start.to_string(), s.kind, s.level))
            .collect();
        let at = |t: &str| t.to_string();
        // The whole UTC hour as one block; the buffer's quarter hours as cells.
        assert_eq!(
            kinds,
            [
                (at("2026-11-25T08:00:00Z"), SlotKind::Booking, Level::Hour),
                (at("2026-11-25T09:00:00Z"), SlotKind::Buffer, Level::Cell),
                (at("2026-11-25T09:15:00Z"), SlotKind::Buffer, Level::Cell),
            ]
        );
    }

    #[test]
    fn refuses_what_breaks_a_rule() {
        let (s, i) = (berlin(), sample_item());
        let err = |a: &str, b: &str| plan(&s, &i, a, b).unwrap_err().rules();
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
            ["end_time:duration"]
        );
        assert_eq!(
            err("2026-11-25T08:00:00Z", "2026-11-25T17:00:00Z"),
            ["end_time:duration"]
        );
        // 06:00-07:00 Berlin is before opening; 19:30-20:30 runs past closing.
        assert_eq!(
            err("2026-11-25T05:00:00Z", "2026-11-25T06:00:00Z"),
            ["start_time:opening_hours"]
        );
        assert_eq!(
            err("2026-11-25T18:30:00Z", "2026-11-25T19:30:00Z"),
            ["start_time:opening_hours"]
        );
        // Beyond the horizon (365 days by default).
        assert_eq!(
            err("2027-01-02T08:00:00Z", "2027-01-02T09:00:00Z"),
            ["start_time:horizon"]
        );
        let mut closed = berlin();
        closed.closures = vec![Closure {
            date: "2026-12-24".into(),
            reason: None,
        }];
        let e = plan(&closed, &i, "2026-12-24T09:00:00Z", "2026-12-24T10:00:00Z").unwrap_err();
        assert_eq!(e.rules(), ["start_time:closed"]);
        let mut windowed = sample_item();
        windowed.available_from = Some("2026-12-01".into());
        let e = plan(
            &s,
            &windowed,
            "2026-11-25T08:00:00Z",
            "2026-11-25T09:00:00Z",
        )
        .unwrap_err();
        assert_eq!(e.rules(), ["start_time:availability_window"]);
    }

    #[test]
    fn the_ends_of_the_calendar_are_refused_not_crashed_on() {
        let (s, mut i) = (berlin(), sample_item());
        i.max_booking_minutes = 1260;
        i.buffer_minutes = 0;
        let max = Timestamp::MAX.as_second() / 900 * 900;
        let far = Timestamp::from_second(max).unwrap();
        for (a, b) in [
            (far - SignedDuration::from_hours(1), far),
            (
                Timestamp::MIN,
                Timestamp::MIN + SignedDuration::from_hours(1),
            ),
            (ts(NOW), far),
        ] {
            assert!(plan_claims(&s, &i, a, b, ts(NOW)).is_err());
        }
    }

    #[test]
    fn back_to_back_bookings_share_no_cell() {
        let mut i = sample_item();
        i.buffer_minutes = 0;
        let a = plan(
            &berlin(),
            &i,
            "2026-11-25T08:00:00Z",
            "2026-11-25T09:00:00Z",
        )
        .unwrap();
        let b = plan(
            &berlin(),
            &i,
            "2026-11-25T09:00:00Z",
            "2026-11-25T10:00:00Z",
        )
        .unwrap();
        assert!(a.iter().all(|x| b.iter().all(|y| x.start != y.start)));
    }

    #[test]
    fn dst_change_days_in_berlin_and_new_york() {
        let i = sample_item();
        // Berlin 2026-03-29: clocks jump 02:00 -> 03:00. 09:00-10:00 local is 07:00Z-08:00Z.
        let slots = plan(
            &berlin(),
            &i,
            "2026-03-29T07:00:00Z",
            "2026-03-29T08:00:00Z",
        )
        .unwrap();
        assert_eq!(slots[0].start, ts("2026-03-29T07:00:00Z"));
        assert!(
            plan(
                &berlin(),
                &i,
                "2026-03-29T05:00:00Z",
                "2026-03-29T06:00:00Z"
            )
            .is_err()
        );
        assert!(
            plan(
                &berlin(),
                &i,
                "2026-03-28T07:00:00Z",
                "2026-03-28T08:00:00Z"
            )
            .is_ok()
        );

        // New York 2026-11-01: clocks fall back 02:00 -> 01:00; 09:00 local is 14:00Z.
        let mut ny = sample_space();
        ny.time_zone = "America/New_York".into();
        ny.opening_hours = weekdays("09:00", "17:00");
        assert!(plan(&ny, &i, "2026-11-01T14:00:00Z", "2026-11-01T15:00:00Z").is_ok());
        assert!(plan(&ny, &i, "2026-11-01T13:00:00Z", "2026-11-01T14:00:00Z").is_err());
        // A 24-hour space on the 25-hour day: three hours across the repeated hour.
        let mut open_all = ny.clone();
        open_all.opening_hours = weekdays("00:00", "24:00");
        let mut long = sample_item();
        long.buffer_minutes = 0;
        let slots = plan(
            &open_all,
            &long,
            "2026-11-01T04:00:00Z",
            "2026-11-01T07:00:00Z",
        )
        .unwrap();
        assert_eq!(covered(&slots), 180);
    }

    #[test]
    fn half_hour_dst_shifts_and_quarter_hour_offsets() {
        // Lord Howe falls back 30 minutes on 2026-04-05 at 02:00 local (15:00Z on the 4th).
        let mut lh = sample_space();
        lh.time_zone = "Australia/Lord_Howe".into();
        lh.opening_hours = weekdays("00:00", "24:00");
        let mut hourly = sample_item();
        hourly.slot_minutes = 60;
        hourly.min_booking_minutes = 60;
        hourly.buffer_minutes = 0;
        // 01:00-02:00 local spans the repeated half hour: 14:00Z-15:30Z, 90 real minutes.
        let slots = plan(&lh, &hourly, "2026-04-04T14:00:00Z", "2026-04-04T15:30:00Z").unwrap();
        assert_eq!(covered(&slots), 90);
        // The real hour 14:00Z-15:00Z ends at the second 01:30: off the local grid.
        assert_eq!(
            plan(&lh, &hourly, "2026-04-04T14:00:00Z", "2026-04-04T15:00:00Z")
                .unwrap_err()
                .rules(),
            ["end_time:grid"]
        );
        // 02:00-03:00 local (+10:30) is 15:30Z-16:30Z; both on the lattice.
        assert!(plan(&lh, &hourly, "2026-04-04T15:30:00Z", "2026-04-04T16:30:00Z").is_ok());
        // Kathmandu (+05:45): 09:00 local is 03:15Z.
        let mut ktm = sample_space();
        ktm.time_zone = "Asia/Kathmandu".into();
        ktm.opening_hours = weekdays("08:00", "20:00");
        let slots = plan(
            &ktm,
            &hourly,
            "2026-11-25T03:15:00Z",
            "2026-11-25T04:15:00Z",
        )
        .unwrap();
        assert_eq!(covered(&slots), 60);
        assert_eq!(
            plan(
                &ktm,
                &hourly,
                "2026-11-25T03:00:00Z",
                "2026-11-25T04:00:00Z"
            )
            .unwrap_err()
            .rules(),
            ["start_time:grid", "end_time:grid"]
        );
    }

    #[test]
    fn bookings_across_midnight_in_24h_spaces() {
        let mut s = berlin();
        s.opening_hours = weekdays("00:00", "24:00");
        let mut i = sample_item();
        i.buffer_minutes = 0;
        assert!(plan(&s, &i, "2026-11-25T22:00:00Z", "2026-11-26T00:00:00Z").is_ok());
    }
}
