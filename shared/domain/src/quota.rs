//! Quotas: limits a space (on each member booking there) or a membership plan (on each
//! member using its benefits) puts on bookings: hours per week, bookings per day, and how
//! far ahead.
//!
//! "How far ahead" is a rule of the request (checked when planning). The two counted
//! quotas are counters in the member's partition, taken in the booking's own transaction
//! with a condition (`used <= limit - amount`), so concurrent bookings can never pass a
//! limit together, and given back in the transaction that ends the booking's hold on its
//! time (cancel, expiry, failure, no-show), taken again if a late payment takes it back.
//! Weeks are ISO weeks and days local dates of the space's zone, both of the booking's
//! start. Stays (`domain::stay`) count as bookings per day but not as hours: an office let
//! for a month is not an hourly allowance.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::validate::Violations;

/// The limits one scope sets; `None` sets none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Quotas {
    /// Booked hours per member and ISO week (local), counted in the week a booking starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours_per_week: Option<u32>,
    /// Bookings per member and local day, counted on the day a booking starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bookings_per_day: Option<u32>,
    /// How many days ahead a booking may start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_ahead: Option<u32>,
}

impl Quotas {
    pub fn is_empty(&self) -> bool {
        *self == Quotas::default()
    }

    /// Field errors under `field` (e.g. `quotas`).
    pub fn validate(&self, v: &mut Violations, field: &str) {
        for (name, value, max) in [
            ("hours_per_week", self.hours_per_week, 24 * 7),
            ("bookings_per_day", self.bookings_per_day, 100),
            ("days_ahead", self.days_ahead, 3650),
        ] {
            if let Some(n) = value {
                v.check(
                    (1..=max).contains(&n),
                    format!("{field}.{name}"),
                    "range",
                    format!("must be between 1 and {max}, or absent for no limit"),
                );
            }
        }
    }
}

/// Whose limits: a space's, or a membership plan's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope<'a> {
    Space(&'a str),
    Plan(&'a str),
}

impl Scope<'_> {
    fn key(self) -> String {
        match self {
            Scope::Space(id) => format!("S#{id}"),
            Scope::Plan(id) => format!("P#{id}"),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Scope::Space(_) => "space",
            Scope::Plan(_) => "plan",
        }
    }
}

/// What a booking takes from one counted quota (kept on the booking to give it back).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QuotaUse {
    /// The member's counter: `<scope>#<quota>#<period>`, e.g. `S#s1#hours_per_week#2027-W10`.
    pub counter: String,
    /// Which quota, for a 409: `space.hours_per_week`, `plan.bookings_per_day`.
    pub quota: String,
    /// Minutes (hours quotas are counted in minutes) or bookings.
    pub amount: i64,
    /// The limit in the counter's unit when it was taken.
    pub limit: i64,
}

/// The counted quotas a booking of `[start, end)` takes, for each scope's limits.
pub fn quota_uses(
    scopes: &[(Scope<'_>, &Quotas)],
    start: Timestamp,
    end: Timestamp,
    tz: &TimeZone,
    counts_hours: bool,
) -> Vec<QuotaUse> {
    let local = start.to_zoned_datetime(tz.clone());
    let week = local.date().iso_week_date();
    let (week, day) = (
        format!("{:04}-W{:02}", week.year(), week.week()),
        local.date().to_string(),
    );
    let minutes = (end - start).as_mins();
    let mut out = Vec::new();
    for (scope, q) in scopes {
        if let (Some(h), true) = (q.hours_per_week, counts_hours) {
            out.push(QuotaUse {
                counter: format!("{}#hours_per_week#{week}", scope.key()),
                quota: format!("{}.hours_per_week", scope.name()),
                amount: minutes,
                limit: h as i64 * 60,
            });
        }
        if let Some(n) = q.bookings_per_day {
            out.push(QuotaUse {
                counter: format!("{}#bookings_per_day#{day}", scope.key()),
                quota: format!("{}.bookings_per_day", scope.name()),
                amount: 1,
                limit: n as i64,
            });
        }
    }
    out
}

/// The 409 for a quota the booking would pass.
pub fn quota_reached(u: &QuotaUse) -> DomainError {
    let (what, limit) = match u.quota.rsplit_once('.').map(|(_, q)| q) {
        Some("hours_per_week") if u.limit == 60 => ("hour booked per week", 1),
        Some("hours_per_week") => ("hours booked per week", u.limit / 60),
        _ if u.limit == 1 => ("booking per day", 1),
        _ => ("bookings per day", u.limit),
    };
    let whose = if u.quota.starts_with("plan.") {
        "your membership plan allows"
    } else {
        "this space allows each member"
    };
    DomainError::conflict(
        format!("{whose} {limit} {what}; this booking would pass it"),
        Some(serde_json::json!({"quota": u.quota, "limit": limit})),
    )
}

/// The 409 for a start further ahead than a scope allows.
pub fn too_far_ahead(
    scopes: &[(Scope<'_>, &Quotas)],
    start: Timestamp,
    now: Timestamp,
) -> Result<(), DomainError> {
    for (scope, q) in scopes {
        if let Some(days) = q.days_ahead
            && start > now + jiff::SignedDuration::from_hours(24 * days as i64)
        {
            return Err(DomainError::conflict(
                format!(
                    "bookings may start at most {days} days ahead under this {}'s quota",
                    scope.name()
                ),
                Some(
                    serde_json::json!({"quota": format!("{}.days_ahead", scope.name()), "limit": days}),
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn counters_are_keyed_by_local_iso_week_and_local_day() {
        let q = Quotas {
            hours_per_week: Some(10),
            bookings_per_day: Some(2),
            days_ahead: None,
        };
        let tz = TimeZone::get("Pacific/Auckland").unwrap();
        // Sunday 23:00 UTC is Monday 12:00 in Auckland: the next ISO week and day.
        let uses = quota_uses(
            &[(Scope::Space("s1"), &q)],
            ts("2027-03-07T23:00:00Z"),
            ts("2027-03-08T00:30:00Z"),
            &tz,
            true,
        );
        assert_eq!(uses.len(), 2);
        assert_eq!(uses[0].counter, "S#s1#hours_per_week#2027-W10");
        assert_eq!((uses[0].amount, uses[0].limit), (90, 600));
        assert_eq!(uses[1].counter, "S#s1#bookings_per_day#2027-03-08");
        assert_eq!((uses[1].amount, uses[1].limit), (1, 2));
        // A stay counts as a booking, not as hours.
        let stay = quota_uses(
            &[(Scope::Plan("p"), &q)],
            ts("2027-03-07T23:00:00Z"),
            ts("2027-03-08T23:00:00Z"),
            &tz,
            false,
        );
        assert_eq!(stay.len(), 1);
        assert_eq!(stay[0].quota, "plan.bookings_per_day");
        let e = quota_reached(&uses[0]);
        assert!(
            format!("{e:?}").contains("10 hours booked per week"),
            "{e:?}"
        );
    }

    #[test]
    fn how_far_ahead_is_a_rule_of_the_request() {
        let q = Quotas {
            days_ahead: Some(7),
            ..Default::default()
        };
        let now = ts("2027-03-01T00:00:00Z");
        let scopes = [(Scope::Space("s1"), &q)];
        assert!(too_far_ahead(&scopes, ts("2027-03-08T00:00:00Z"), now).is_ok());
        assert!(too_far_ahead(&scopes, ts("2027-03-08T00:15:00Z"), now).is_err());
    }
}
