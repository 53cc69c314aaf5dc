//! Timed work on bookings: a hold that runs out is released (and said so), a confirmed
//! booking gets one reminder before it starts.

use jiff::{SignedDuration, Timestamp};

/// Reminders go out a day ahead, or an hour ahead for bookings made later than that.
pub const REMIND_AHEAD: [SignedDuration; 2] = [
    SignedDuration::from_hours(24),
    SignedDuration::from_hours(1),
];

/// When to remind of a booking starting at `start`, confirmed at `now` (None: too late).
pub fn reminder_at(start: Timestamp, now: Timestamp) -> Option<Timestamp> {
    REMIND_AHEAD
        .iter()
        .map(|ahead| start - *ahead)
        .find(|at| *at > now)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DueKind {
    /// Release a pending booking whose hold ran out.
    Expire,
    Remind,
    /// Ask Stripe again for a refund that is owed (`PaymentTransaction::refund_due`).
    Refund,
    /// Release a confirmed booking nobody checked in to (`Booking::check_in`).
    NoShow,
}

/// A refund that Stripe did not confirm at once is asked for again this much later.
pub const REFUND_RETRY: SignedDuration = SignedDuration::from_mins(2);

impl DueKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Expire => "expire",
            Self::Remind => "remind",
            Self::Refund => "refund",
            Self::NoShow => "no_show",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "expire" => Some(Self::Expire),
            "remind" => Some(Self::Remind),
            "refund" => Some(Self::Refund),
            "no_show" => Some(Self::NoShow),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_ahead_else_an_hour_ahead_else_none() {
        let start: Timestamp = "2027-01-10T09:00:00Z".parse().unwrap();
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(
            reminder_at(start, at("2027-01-01T00:00:00Z")),
            Some(at("2027-01-09T09:00:00Z"))
        );
        assert_eq!(
            reminder_at(start, at("2027-01-09T20:00:00Z")),
            Some(at("2027-01-10T08:00:00Z"))
        );
        assert_eq!(reminder_at(start, at("2027-01-10T08:30:00Z")), None);
    }
}
