//! Free time of an item: opening hours (in the space's zone, closures excluded) within the
//! item's availability window, minus claimed cells (bookings, unexpired holds, buffers),
//! cut to the item's grid. Only gaps long enough for a minimum booking are listed, and a
//! gap's end leaves room for the item's own changeover buffer before the next claim: a
//! free interval is exactly what `booking_rules::plan_claims` would accept.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::booking_rules::open_intervals;
use crate::hours::{local_instant, parse_date};
use crate::space::{BookableItem, Space};

pub type Interval = (Timestamp, Timestamp);

/// The nearest instant on the item's local grid at or after (`up`) or at or before `t`.
fn align(t: Timestamp, tz: &TimeZone, slot: u32, up: bool) -> Timestamp {
    let z = t.to_zoned_datetime(tz.clone());
    let minute = z.hour() as i64 * 60 + z.minute() as i64;
    let exact = z.second() == 0 && z.subsec_nanosecond() == 0;
    let rem = minute % slot as i64;
    if rem == 0 && exact {
        return t;
    }
    let floor = t
        - SignedDuration::from_secs(z.second() as i64)
        - SignedDuration::from_nanos(z.subsec_nanosecond() as i64)
        - SignedDuration::from_mins(rem);
    if up {
        floor + SignedDuration::from_mins(slot as i64)
    } else {
        floor
    }
}

fn subtract(free: Vec<Interval>, taken: &[Interval]) -> Vec<Interval> {
    let mut out = Vec::new();
    for (mut a, b) in free {
        for &(ta, tb) in taken {
            if ta >= b || tb <= a {
                continue;
            }
            if ta > a {
                out.push((a, ta));
            }
            a = a.max(tb);
            if a >= b {
                break;
            }
        }
        if a < b {
            out.push((a, b));
        }
    }
    out
}

/// `claims` are this item's active claimed cells as `[start, end)`. Empty when the range
/// reaches the ends of the calendar (callers refuse such ranges first).
pub fn free_intervals(
    space: &Space,
    item: &BookableItem,
    tz: &TimeZone,
    claims: &[Interval],
    from: Timestamp,
    to: Timestamp,
    now: Timestamp,
) -> Vec<Interval> {
    let from = from.max(now);
    if from >= to {
        return Vec::new();
    }
    // Every local date the range touches, and one before (an interval may start there).
    let Ok(mut d) = from.to_zoned_datetime(tz.clone()).date().yesterday() else {
        return Vec::new();
    };
    let last = to.to_zoned_datetime(tz.clone()).date();
    let mut dates = Vec::new();
    while d <= last {
        dates.push(d);
        match d.tomorrow() {
            Ok(next) => d = next,
            Err(_) => break,
        }
    }
    let window_from = item
        .available_from
        .as_deref()
        .and_then(parse_date)
        .and_then(|d| local_instant(d, tz, 0).ok());
    let window_to = item
        .available_to
        .as_deref()
        .and_then(parse_date)
        .and_then(|d| local_instant(d, tz, 24 * 60).ok());
    let open: Vec<Interval> = open_intervals(space, tz, &dates)
        .into_iter()
        .map(|(a, b)| {
            let a = a.max(from).max(window_from.unwrap_or(a));
            let b = b.min(to).min(window_to.unwrap_or(b));
            (a, b)
        })
        .filter(|(a, b)| a < b)
        .collect();
    let mut taken = claims.to_vec();
    taken.sort();
    let buffer = SignedDuration::from_mins(item.buffer_minutes as i64);
    let min = SignedDuration::from_mins(item.min_booking_minutes as i64);
    subtract(open, &taken)
        .into_iter()
        .filter_map(|(a, b)| {
            // A booking ending here keeps its own buffer free of the next claim too.
            let next_claim = taken.iter().map(|(ta, _)| *ta).filter(|ta| *ta >= b).min();
            let b = match next_claim {
                Some(c) => b.min(c - buffer),
                None => b,
            };
            let a = align(a, tz, item.slot_minutes, true);
            let b = align(b, tz, item.slot_minutes, false);
            (b > a && b - a >= min).then_some((a, b))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples::{sample_item, sample_space};
    use crate::space::{LocalInterval, OpeningHours};

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn space() -> Space {
        let mut s = sample_space();
        let day = vec![LocalInterval {
            open: "08:00".into(),
            close: "12:00".into(),
        }];
        s.opening_hours = OpeningHours {
            wednesday: day.clone(),
            thursday: day,
            ..Default::default()
        };
        s
    }

    #[test]
    fn opening_hours_minus_claims_and_buffers() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let item = sample_item(); // 30-minute grid, 30-minute buffer, min 30
        // Wednesday 2026-11-25: open 07:00Z-11:00Z. A booking 08:00-09:00Z plus its buffer.
        let claims: Vec<Interval> =
            crate::claims::cells(ts("2026-11-25T08:00:00Z"), ts("2026-11-25T09:30:00Z"))
                .into_iter()
                .map(crate::claims::cell_interval)
                .collect();
        let free = free_intervals(
            &space(),
            &item,
            &tz,
            &claims,
            ts("2026-11-25T00:00:00Z"),
            ts("2026-11-26T00:00:00Z"),
            ts("2026-01-01T00:00:00Z"),
        );
        // Before the booking the buffer is kept: a booking must end by 07:30Z.
        assert_eq!(
            free,
            [
                (ts("2026-11-25T07:00:00Z"), ts("2026-11-25T07:30:00Z")),
                (ts("2026-11-25T09:30:00Z"), ts("2026-11-25T11:00:00Z")),
            ]
        );
    }

    #[test]
    fn past_is_never_free_and_starts_are_on_the_grid() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let free = free_intervals(
            &space(),
            &sample_item(),
            &tz,
            &[],
            ts("2026-11-25T00:00:00Z"),
            ts("2026-11-26T00:00:00Z"),
            ts("2026-11-25T08:10:00Z"),
        );
        assert_eq!(
            free,
            [(ts("2026-11-25T08:30:00Z"), ts("2026-11-25T11:00:00Z"))]
        );
    }

    /// What availability lists as free is exactly what the booking rules accept: for
    /// generated claims (bookings with buffers, on grids that changed since, in zones with
    /// odd offsets), every request on the item's grid is accepted by `plan_claims` and
    /// clear of every claim iff it lies inside one listed free interval.
    #[test]
    fn free_intervals_are_exactly_what_a_booking_may_take() {
        use crate::booking_rules::plan_claims;
        let interval = |c: &crate::booking::PlannedSlot| (c.start, c.block().end());
        let mut rng: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % n
        };
        let now = ts("2026-11-20T00:00:00Z");
        let mut agreed = 0;
        for zone in [
            "Europe/Berlin",
            "Asia/Kathmandu",
            "Australia/Lord_Howe",
            "America/St_Johns",
        ] {
            for _ in 0..6 {
                let mut space = space();
                space.time_zone = zone.into();
                space.opening_hours = crate::booking_rules::tests::weekdays("07:00", "21:00");
                let tz = TimeZone::get(zone).unwrap();
                let mut item = sample_item();
                let slot = [15, 30, 60][next(3) as usize];
                item.slot_minutes = slot;
                item.min_booking_minutes = slot * (1 + next(2) as u32);
                item.max_booking_minutes = 480;
                item.buffer_minutes = slot * next(3) as u32;
                let day = jiff::civil::date(2026, 11, 25);
                let local = |minute: i64| {
                    tz.to_ambiguous_timestamp(
                        day.to_datetime(jiff::civil::Time::midnight())
                            + SignedDuration::from_mins(minute),
                    )
                    .compatible()
                    .unwrap()
                };
                // Claims of earlier bookings, some made on another grid (15 minutes).
                let mut claims: Vec<Interval> = Vec::new();
                for _ in 0..4 {
                    let mut other = item.clone();
                    other.slot_minutes = 15;
                    other.min_booking_minutes = 15;
                    let start = 7 * 60 + 15 * next(48) as i64;
                    let end = start + 15 * (1 + next(8) as i64);
                    if let Ok(cells) = plan_claims(&space, &other, local(start), local(end), now)
                        && cells.iter().all(|c| {
                            let (x, y) = interval(c);
                            !claims.iter().any(|(p, q)| x < *q && *p < y)
                        })
                    {
                        claims.extend(cells.iter().map(interval));
                    }
                }
                let free =
                    free_intervals(&space, &item, &tz, &claims, local(0), local(24 * 60), now);
                // Each listed interval can be booked whole (when its length is allowed).
                for (f, t) in &free {
                    if (*t - *f).as_mins() <= item.max_booking_minutes as i64 {
                        assert!(
                            plan_claims(&space, &item, *f, *t, now).is_ok(),
                            "{zone} {f}..{t}"
                        );
                    }
                }
                for a in (0..24 * 60).step_by(slot as usize) {
                    for len in (slot..=4 * 60).step_by(slot as usize) {
                        let (start, end) = (local(a as i64), local((a + len) as i64));
                        let accepted =
                            plan_claims(&space, &item, start, end, now).is_ok_and(|cells| {
                                cells.iter().all(|c| {
                                    let (x, y) = interval(c);
                                    !claims.iter().any(|(p, q)| x < *q && *p < y)
                                })
                            });
                        let minutes = (end - start).as_mins();
                        let allowed = (item.min_booking_minutes as i64
                            ..=item.max_booking_minutes as i64)
                            .contains(&minutes);
                        let listed = allowed && free.iter().any(|(f, t)| *f <= start && end <= *t);
                        assert_eq!(
                            accepted, listed,
                            "{zone} grid {slot} buffer {} {start}..{end}: {free:?}",
                            item.buffer_minutes
                        );
                        agreed += 1;
                    }
                }
            }
        }
        assert!(agreed > 10_000);
    }
}
