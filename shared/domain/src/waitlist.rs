//! Waitlists: a member waits for an item's interval that is taken; when time of that item
//! frees (a cancellation, an expired hold, a declined payment, a no-show release), the
//! first in line whose interval is now free gets a hold on it (an ordinary pending
//! booking, paid like any other) and a notification. If they do not pay, their hold
//! expires, which frees the time again: the next in line gets it.
//!
//! Fair: waiters are served strictly in the order they joined, and at most one offer is
//! live per item and overlapping interval at a time (a waiter is skipped only while their
//! interval is still taken, or they cannot hold more bookings). The hold itself keeps
//! everyone else (the rest of the line and other members) off the time while it lasts.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// How many intervals a member may wait for at once.
pub const MAX_WAITING_PER_MEMBER: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WaitStatus {
    /// In line.
    Waiting,
    /// Holding the time as `offer_booking_id` (pay it before its hold runs out).
    Offered,
    /// The offer's hold ran out unpaid, or the member left the line.
    Closed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WaitlistEntry {
    pub id: String,
    pub user_id: String,
    pub space_id: String,
    pub bookable_item_id: String,
    #[schema(value_type = String, format = DateTime)]
    pub start_time: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub end_time: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub joined_at: Timestamp,
    pub status: WaitStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_booking_id: Option<String>,
    pub version: u64,
}

impl WaitlistEntry {
    fn overlaps(&self, start: Timestamp, end: Timestamp) -> bool {
        self.start_time < end && start < self.end_time
    }
}

/// What the line does when `[start, end)` of its item frees at `now`, `freed_by` being
/// the booking that let it go.
#[derive(Debug, PartialEq, Eq)]
pub struct LineTurn<'a> {
    /// The offer whose hold lapsed (the freed booking was it): its entry closes.
    pub lapsed: Option<&'a WaitlistEntry>,
    /// Waiters to try in order, each until one gets the hold (empty while another offer
    /// on overlapping time is live).
    pub candidates: Vec<&'a WaitlistEntry>,
}

/// Whom the freed time goes to. `live_offer` says whether an offered entry's booking
/// still holds its time (pending within its hold, or confirmed).
pub fn next_in_line<'a>(
    line: &'a [WaitlistEntry],
    freed_by: &str,
    (start, end): (Timestamp, Timestamp),
    now: Timestamp,
    live_offer: impl Fn(&WaitlistEntry) -> bool,
) -> LineTurn<'a> {
    let lapsed = line.iter().find(|e| {
        e.status == WaitStatus::Offered && e.offer_booking_id.as_deref() == Some(freed_by)
    });
    let blocked = line.iter().any(|e| {
        e.status == WaitStatus::Offered
            && Some(e.id.as_str()) != lapsed.map(|l| l.id.as_str())
            && e.overlaps(start, end)
            && live_offer(e)
    });
    if blocked {
        return LineTurn {
            lapsed,
            candidates: Vec::new(),
        };
    }
    let mut candidates: Vec<&WaitlistEntry> = line
        .iter()
        .filter(|e| e.status == WaitStatus::Waiting && e.overlaps(start, end) && e.start_time > now)
        .collect();
    candidates.sort_by(|a, b| (a.joined_at, &a.id).cmp(&(b.joined_at, &b.id)));
    LineTurn { lapsed, candidates }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn entry(id: &str, joined: &str, start: &str, end: &str, status: WaitStatus) -> WaitlistEntry {
        WaitlistEntry {
            id: id.into(),
            user_id: format!("u-{id}"),
            space_id: "s".into(),
            bookable_item_id: "i".into(),
            start_time: ts(start),
            end_time: ts(end),
            joined_at: ts(joined),
            status,
            offer_booking_id: (status == WaitStatus::Offered).then(|| format!("b-{id}")),
            version: 1,
        }
    }

    const NOW: &str = "2027-01-01T00:00:00Z";

    #[test]
    fn the_first_to_join_whose_time_overlaps_comes_first() {
        let line = [
            entry(
                "late",
                "2026-12-02T00:00:00Z",
                "2027-01-05T10:00:00Z",
                "2027-01-05T11:00:00Z",
                WaitStatus::Waiting,
            ),
            entry(
                "early",
                "2026-12-01T00:00:00Z",
                "2027-01-05T10:30:00Z",
                "2027-01-05T11:30:00Z",
                WaitStatus::Waiting,
            ),
            entry(
                "elsewhere",
                "2026-11-01T00:00:00Z",
                "2027-01-05T14:00:00Z",
                "2027-01-05T15:00:00Z",
                WaitStatus::Waiting,
            ),
            entry(
                "left",
                "2026-10-01T00:00:00Z",
                "2027-01-05T10:00:00Z",
                "2027-01-05T11:00:00Z",
                WaitStatus::Closed,
            ),
        ];
        let turn = next_in_line(
            &line,
            "x",
            (ts("2027-01-05T10:00:00Z"), ts("2027-01-05T12:00:00Z")),
            ts(NOW),
            |_| true,
        );
        let ids: Vec<&str> = turn.candidates.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["early", "late"]);
        assert_eq!(turn.lapsed, None);
    }

    #[test]
    fn a_live_offer_on_the_time_holds_the_line_and_a_lapsed_one_passes_it_on() {
        let line = [
            entry(
                "a",
                "2026-12-01T00:00:00Z",
                "2027-01-05T10:00:00Z",
                "2027-01-05T11:00:00Z",
                WaitStatus::Offered,
            ),
            entry(
                "b",
                "2026-12-02T00:00:00Z",
                "2027-01-05T10:00:00Z",
                "2027-01-05T11:00:00Z",
                WaitStatus::Waiting,
            ),
        ];
        let freed = (ts("2027-01-05T10:00:00Z"), ts("2027-01-05T11:00:00Z"));
        // Someone else's booking freed while a's offer holds: nobody else is offered.
        let turn = next_in_line(&line, "other", freed, ts(NOW), |_| true);
        assert!(turn.candidates.is_empty());
        // a's own hold ran out: a's entry closes, b is next.
        let turn = next_in_line(&line, "b-a", freed, ts(NOW), |_| true);
        assert_eq!(turn.lapsed.map(|e| e.id.as_str()), Some("a"));
        assert_eq!(
            turn.candidates
                .iter()
                .map(|e| e.id.as_str())
                .collect::<Vec<_>>(),
            ["b"]
        );
        // An offer that no longer holds its time does not block.
        let turn = next_in_line(&line, "other", freed, ts(NOW), |_| false);
        assert_eq!(turn.candidates.len(), 1);
    }

    #[test]
    fn time_already_started_is_not_offered() {
        let line = [entry(
            "a",
            "2026-12-01T00:00:00Z",
            "2027-01-05T10:00:00Z",
            "2027-01-05T11:00:00Z",
            WaitStatus::Waiting,
        )];
        let turn = next_in_line(
            &line,
            "x",
            (ts("2027-01-05T10:00:00Z"), ts("2027-01-05T11:00:00Z")),
            ts("2027-01-05T10:00:00Z"),
            |_| true,
        );
        assert!(turn.candidates.is_empty());
    }
}
