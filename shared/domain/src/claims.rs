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
//!
//! Long bookings (day passes, week and month stays) would need thousands of cells, so
//! the lattice has three levels, all fixed in UTC: cells (15 min), hours and days. A
//! booking claims the fewest aligned blocks that cover its interval exactly (`cover`):
//! cells up to the first whole hour, hours up to the first whole UTC day, days, then
//! hours and cells again. Two bookings whose blocks are at different levels must still
//! collide, so every claimed block also marks each of its ancestors as partly used
//! (`intents`; multi-granularity locking): a whole claim needs its block neither
//! claimed nor partly used, and a mark needs its block not claimed whole. Any two
//! overlapping intervals then meet on one item: the larger of two overlapping blocks is
//! an ancestor of (or equal to) the smaller. A month in the worst zone (quarter-hour
//! offset) is at most 3 + 23 + 29 + 23 + 3 blocks and 4 marks: one transaction holds it.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// A level of the lattice. Cells stay the default: bookings stored before the levels
/// existed claimed cells only.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    #[default]
    Cell,
    Hour,
    Day,
}

impl Level {
    pub fn minutes(self) -> u32 {
        match self {
            Level::Cell => CELL_MINUTES,
            Level::Hour => 60,
            Level::Day => 24 * 60,
        }
    }

    fn seconds(self) -> i64 {
        self.minutes() as i64 * 60
    }

    pub fn parent(self) -> Option<Level> {
        match self {
            Level::Cell => Some(Level::Hour),
            Level::Hour => Some(Level::Day),
            Level::Day => None,
        }
    }

    /// Whether `t` starts a block of this level.
    pub fn aligned(self, t: Timestamp) -> bool {
        t.subsec_nanosecond() == 0 && t.as_second().rem_euclid(self.seconds()) == 0
    }
}

/// One block of the lattice: a level and its aligned UTC start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Block {
    pub level: Level,
    pub start: Timestamp,
}

impl Block {
    pub fn end(self) -> Timestamp {
        self.start
            .checked_add(SignedDuration::from_secs(self.level.seconds()))
            .unwrap_or(self.start)
    }

    /// The block of the next level up that contains this one.
    pub fn parent(self) -> Option<Block> {
        let level = self.level.parent()?;
        let s = self.start.as_second();
        let start = Timestamp::from_second(s - s.rem_euclid(level.seconds())).ok()?;
        Some(Block { level, start })
    }
}

/// The fewest aligned blocks covering exactly `[start, end)` (both cell boundaries), in
/// time order: greedy, the largest block that starts at `t` and fits.
pub fn cover(start: Timestamp, end: Timestamp) -> Vec<Block> {
    let mut out = Vec::new();
    let mut t = start;
    while t < end {
        let Some(block) = [Level::Day, Level::Hour, Level::Cell]
            .into_iter()
            .map(|level| Block { level, start: t })
            .find(|b| b.level.aligned(t) && b.end() <= end)
        else {
            break; // not on the lattice: the rules refuse such intervals before this
        };
        out.push(block);
        t = block.end();
    }
    out
}

/// The blocks that `claimed` blocks mark as partly used: every ancestor of each, once,
/// in order. (None of them is claimed whole by the same booking: its blocks are disjoint.)
pub fn intents(claimed: impl IntoIterator<Item = Block>) -> Vec<Block> {
    let mut out: Vec<Block> = claimed
        .into_iter()
        .flat_map(|b| std::iter::successors(b.parent(), |p| p.parent()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The lattice step.
pub const CELL_MINUTES: u32 = 15;
const CELL_SECONDS: i64 = CELL_MINUTES as i64 * 60;

/// DynamoDB's limit of actions in one TransactWriteItems.
pub const MAX_TRANSACTION_ACTIONS: u32 = 100;

/// The most a booking's transactions write besides its claims. Creating one writes (at
/// most) the idempotency record, the space and item version checks, the membership check,
/// the included-minutes counter, the unpaid-holds counter, four quota counters (a space's
/// and a plan's hours per week and bookings per day), the booking, its payment, its due
/// action, its outbox event and its upcoming-booking marker: 15. No later step of its
/// lifecycle writes more (a late payment taking its time back writes the Stripe event, the
/// booking, space and item checks, payment, counters, quotas, marker, reminder and two
/// events), plus a promo code's two redemption counters (the code's and the member's),
/// and, when a payment or refund is recorded, an invoice and a credit note with their two
/// sequence counters (`invoice::documents_due`): 21. The adapter's tests count each one.
pub const MAX_ACTIONS_BESIDES_CLAIMS: u32 = 21;

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
    fn cover_partitions_the_interval_into_aligned_blocks() {
        // Quarter-hour zone edges: 18:15Z on day 1 to 18:15Z thirty-one days later.
        let (a, b) = (ts("2027-01-01T18:15:00Z"), ts("2027-02-01T18:15:00Z"));
        let blocks = cover(a, b);
        let mut t = a;
        for block in &blocks {
            assert_eq!(block.start, t);
            assert!(block.level.aligned(block.start));
            t = block.end();
        }
        assert_eq!(t, b);
        let count = |l| blocks.iter().filter(|x| x.level == l).count();
        assert_eq!(
            (count(Level::Cell), count(Level::Hour), count(Level::Day)),
            (4, 23, 30)
        );
        let marks = intents(blocks.iter().copied());
        assert_eq!(marks.len(), 4, "two hours and two days partly used");
        assert!(blocks.len() + marks.len() <= MAX_CLAIMS_PER_BOOKING as usize);
    }

    #[test]
    fn any_two_overlapping_covers_meet_on_one_block() {
        // Exhaustive over a small window: whenever two intervals overlap, a block claimed
        // whole by one is claimed whole or marked by the other (so the transactions
        // collide on one item); when they do not overlap, they never collide.
        let base = ts("2027-03-27T22:00:00Z").as_second();
        let at = |q: i64| Timestamp::from_second(base + q * 900).unwrap();
        // UTC days start at q = 8 and q = 104 (and 200).
        let points = [0, 1, 3, 4, 7, 8, 9, 12, 103, 104, 105, 108, 200, 201];
        for &a0 in &points {
            for &a1 in points.iter().filter(|&&x| x > a0) {
                for &b0 in &points {
                    for &b1 in points.iter().filter(|&&x| x > b0) {
                        let (wa, wb) = (cover(at(a0), at(a1)), cover(at(b0), at(b1)));
                        let (ma, mb) = (intents(wa.clone()), intents(wb.clone()));
                        let collide = wa.iter().any(|x| wb.contains(x) || mb.contains(x))
                            || wb.iter().any(|x| ma.contains(x));
                        let overlap = a0 < b1 && b0 < a1;
                        assert_eq!(collide, overlap, "{a0}..{a1} vs {b0}..{b1}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_budget_is_what_is_left_of_a_transaction() {
        assert_eq!(MAX_CLAIMS_PER_BOOKING, 79);
        assert_eq!(MAX_CLAIMED_MINUTES, 1185);
    }
}
