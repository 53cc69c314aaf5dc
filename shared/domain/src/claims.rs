//! Slot claims: how a booking makes its time its own.
//!
//! Each booking claims every cell of its interval (and of its changeover buffer) in one
//! transaction, each cell only if it is free; two bookings of one item can then overlap
//! only if they claim different keys for the same minutes. So every claim of every
//! booking lies on ONE lattice, fixed in UTC: 15-minute cells counted from the Unix
//! epoch, whatever the item's grid or the space's zone.
//!
//! A lattice derived from the item's local grid would move in absolute time when an
//! operator changes `slot_minutes`, when a space changes `time_zone`, and on the DST days
//! of zones whose shift is not a multiple of the grid (Australia/Lord_Howe shifts by 30
//! minutes): each let a second booking claim other keys for the same minutes. The UTC
//! lattice never moves. 15 minutes divides every UTC offset in use (Asia/Kathmandu +05:45,
//! Australia/Eucla +08:45, Pacific/Chatham +12:45/+13:45, America/St_Johns -03:30), so
//! every start and end on an item's local 15/30/60-minute grid is a cell boundary; an
//! instant that is not (a zone with a historic, odd offset) is refused, never rounded.
//! The item's grid only decides which starts and lengths are allowed.

use jiff::{SignedDuration, Timestamp};

/// The lattice step.
pub const CELL_MINUTES: u32 = 15;
const CELL_SECONDS: i64 = CELL_MINUTES as i64 * 60;

/// DynamoDB's limit of actions in one TransactWriteItems.
pub const MAX_TRANSACTION_ACTIONS: u32 = 100;

/// The most a booking's transactions write besides its claims. Creating one writes (at
/// most) the idempotency record, the space and item version checks, the membership check,
/// the included-minutes counter, the unpaid-holds counter, the booking, its payment, its
/// due action, its outbox event and its upcoming-booking marker: 11. No later step of its
/// lifecycle writes more (a late payment taking its time back also writes 11: the Stripe
/// event, the booking, space and item checks, payment, counters, marker, reminder and two
/// events; the adapter's tests count each one).
pub const MAX_ACTIONS_BESIDES_CLAIMS: u32 = 11;

/// Cells one booking may claim, its buffer included: what is left of one transaction.
pub const MAX_CLAIMS_PER_BOOKING: u32 = MAX_TRANSACTION_ACTIONS - MAX_ACTIONS_BESIDES_CLAIMS;

/// The longest booking plus buffer any item may allow, in minutes.
pub const MAX_CLAIMED_MINUTES: u32 = MAX_CLAIMS_PER_BOOKING * CELL_MINUTES;

/// Whether `t` starts a cell (a whole multiple of 15 minutes after the epoch).
pub fn is_cell_boundary(t: Timestamp) -> bool {
    t.subsec_nanosecond() == 0 && t.as_second().rem_euclid(CELL_SECONDS) == 0
}

/// The cell containing `t`.
pub fn cell_of(t: Timestamp) -> Timestamp {
    let s = t.as_second();
    Timestamp::from_second(s - s.rem_euclid(CELL_SECONDS)).unwrap_or(t)
}

/// The starts of the cells covering `[start, end)`; both must be cell boundaries.
pub fn cells(start: Timestamp, end: Timestamp) -> Vec<Timestamp> {
    let step = SignedDuration::from_mins(CELL_MINUTES as i64);
    let mut out = Vec::new();
    let mut t = start;
    while t < end {
        out.push(t);
        match t.checked_add(step) {
            Ok(next) => t = next,
            Err(_) => break,
        }
    }
    out
}

/// The interval a claimed cell covers.
pub fn cell_interval(start: Timestamp) -> (Timestamp, Timestamp) {
    (
        start,
        start
            .checked_add(SignedDuration::from_mins(CELL_MINUTES as i64))
            .unwrap_or(start),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_lattice_is_fixed_in_utc() {
        assert!(is_cell_boundary(ts("2027-01-01T09:45:00Z")));
        assert!(!is_cell_boundary(ts("2027-01-01T09:50:00Z")));
        assert!(!is_cell_boundary(ts("2027-01-01T09:45:00.5Z")));
        assert_eq!(
            cell_of(ts("2027-01-01T09:52:10Z")),
            ts("2027-01-01T09:45:00Z")
        );
        assert_eq!(
            cells(ts("2027-01-01T09:00:00Z"), ts("2027-01-01T10:00:00Z")).len(),
            4
        );
    }

    #[test]
    fn every_offset_in_use_keeps_local_grids_on_the_lattice() {
        // Local quarter hours in zones with 30- and 45-minute offsets and shifts, across a
        // year with its DST changes, are all cell boundaries.
        for zone in [
            "Asia/Kathmandu",
            "Australia/Eucla",
            "Australia/Lord_Howe",
            "Pacific/Chatham",
            "America/St_Johns",
            "Asia/Kolkata",
            "Europe/Berlin",
        ] {
            let tz = jiff::tz::TimeZone::get(zone).unwrap();
            let mut day = jiff::civil::date(2027, 1, 1);
            for _ in 0..365 {
                for minute in [0, 15, 30, 45, 600, 615] {
                    let local = day.to_datetime(jiff::civil::Time::midnight())
                        + SignedDuration::from_mins(minute);
                    let t = tz.to_ambiguous_timestamp(local).compatible().unwrap();
                    assert!(is_cell_boundary(t), "{zone} {local}");
                }
                day = day.tomorrow().unwrap();
            }
        }
    }

    #[test]
    fn the_budget_is_what_is_left_of_a_transaction() {
        assert_eq!(MAX_CLAIMS_PER_BOOKING, 89);
        assert_eq!(MAX_CLAIMED_MINUTES, 1335);
    }
}
