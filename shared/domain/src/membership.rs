//! A member's subscription to a plan, and what it is worth on one booking.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::plan::PlanBenefits;
use crate::pricing::MembershipBenefit;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MembershipStatus {
    /// The first payment has not gone through yet.
    Incomplete,
    Active,
    /// A renewal failed; Stripe retries. No benefits meanwhile.
    PastDue,
    Canceled,
}

impl MembershipStatus {
    /// Stripe's subscription status in our terms.
    pub fn from_stripe(status: &str) -> Self {
        match status {
            "active" | "trialing" => Self::Active,
            "past_due" | "unpaid" | "paused" => Self::PastDue,
            "canceled" | "incomplete_expired" => Self::Canceled,
            _ => Self::Incomplete,
        }
    }

    /// Blocks a new subscription (one membership per member at a time).
    pub fn is_current(self) -> bool {
        !matches!(self, Self::Canceled)
    }
}

/// A member's subscription and included minutes used per month (`YYYY-MM`): what a
/// booking's price depends on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberState {
    pub membership: Option<Membership>,
    pub usage: std::collections::HashMap<String, u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Membership {
    pub user_id: String,
    pub plan_id: String,
    pub plan_name: String,
    /// The plan's benefits when the member subscribed (a later plan edit does not change
    /// what was bought).
    pub benefits: PlanBenefits,
    pub stripe_customer_id: String,
    pub stripe_subscription_id: String,
    /// What each month costs, as subscribed (Stripe's invoices are checked against it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_price: Option<crate::money::Money>,
    pub status: MembershipStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub current_period_end: Option<Timestamp>,
    #[serde(default)]
    pub cancel_at_period_end: bool,
    /// `created` of the last Stripe event applied: older news is ignored.
    #[serde(default)]
    pub stripe_event_at: i64,
    /// Bumped by every change; bookings check it (a cached membership cannot be stale).
    pub version: u64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl Membership {
    /// Whether the plan's benefits (and its quotas) apply to a booking of `[start, end)` at
    /// `space_id`: an active subscription covering the space, and the whole booking inside
    /// the period paid for.
    pub fn applies(
        &self,
        space_id: &str,
        (start, end): (Timestamp, Timestamp),
        now: Timestamp,
    ) -> bool {
        let paid = self.status == MembershipStatus::Active
            && self
                .current_period_end
                .is_some_and(|paid_until| paid_until > now && start < end && end <= paid_until);
        let covers = self.benefits.space_ids.is_empty()
            || self.benefits.space_ids.iter().any(|s| s == space_id);
        paid && covers
    }

    /// The benefit on a booking of `[start, end)` at `space_id`, asked at `now`, given the
    /// minutes of included time already used in the booking's month. Benefits are only
    /// worth what was paid for: the subscription must be active and the whole booking
    /// must lie inside the period paid for (`current_period_end`, which Stripe moves on
    /// at each paid renewal). None when nothing applies.
    pub fn benefit_for(
        &self,
        space_id: &str,
        (start, end): (Timestamp, Timestamp),
        now: Timestamp,
        used_minutes: u32,
    ) -> Option<MembershipBenefit> {
        if !self.applies(space_id, (start, end), now) {
            return None;
        }
        let included = self.benefits.included_hours_per_month.saturating_mul(60);
        let benefit = MembershipBenefit {
            plan_id: self.plan_id.clone(),
            discount_percent: self.benefits.discount_percent,
            included_minutes_remaining: included.saturating_sub(used_minutes),
        };
        (benefit.discount_percent > 0 || benefit.included_minutes_remaining > 0).then_some(benefit)
    }
}

/// The calendar month (`YYYY-MM`, in the space's time zone) whose included hours a
/// booking starting at `start` uses.
pub fn usage_month(start: Timestamp, tz: &TimeZone) -> String {
    start
        .to_zoned_datetime(tz.clone())
        .strftime("%Y-%m")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn membership(status: MembershipStatus, spaces: &[&str]) -> Membership {
        let now: Timestamp = "2027-01-10T00:00:00Z".parse().unwrap();
        Membership {
            user_id: "u".into(),
            plan_id: "p".into(),
            plan_name: "Pro".into(),
            benefits: PlanBenefits {
                discount_percent: 10,
                included_hours_per_month: 5,
                space_ids: spaces.iter().map(|s| s.to_string()).collect(),
                quotas: Default::default(),
            },
            stripe_customer_id: "cus".into(),
            stripe_subscription_id: "sub".into(),
            monthly_price: None,
            status,
            current_period_end: Some("2027-02-10T00:00:00Z".parse().unwrap()),
            cancel_at_period_end: false,
            stripe_event_at: 0,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn span(a: &str, b: &str) -> (Timestamp, Timestamp) {
        (a.parse().unwrap(), b.parse().unwrap())
    }

    #[test]
    fn benefits_apply_only_while_active_at_covered_spaces() {
        let now: Timestamp = "2027-01-20T00:00:00Z".parse().unwrap();
        let inside = span("2027-01-25T09:00:00Z", "2027-01-25T10:00:00Z");
        let m = membership(MembershipStatus::Active, &[]);
        let b = m.benefit_for("s1", inside, now, 120).unwrap();
        assert_eq!(b.included_minutes_remaining, 180);
        assert_eq!(b.discount_percent, 10);
        assert!(
            m.benefit_for("s1", inside, now, 600).is_some(),
            "the discount outlives the hours"
        );
        let later: Timestamp = "2027-02-11T00:00:00Z".parse().unwrap();
        assert!(
            m.benefit_for("s1", inside, later, 0).is_none(),
            "period over"
        );
        for status in [
            MembershipStatus::Incomplete,
            MembershipStatus::PastDue,
            MembershipStatus::Canceled,
        ] {
            assert!(
                membership(status, &[])
                    .benefit_for("s1", inside, now, 0)
                    .is_none()
            );
        }
        let only = membership(MembershipStatus::Active, &["s2"]);
        assert!(only.benefit_for("s1", inside, now, 0).is_none());
        assert!(only.benefit_for("s2", inside, now, 0).is_some());
    }

    #[test]
    fn benefits_stop_at_the_end_of_the_period_paid_for() {
        // Paid until 2027-02-10T00:00Z.
        let now: Timestamp = "2027-01-20T00:00:00Z".parse().unwrap();
        let m = membership(MembershipStatus::Active, &[]);
        let last = span("2027-02-09T22:00:00Z", "2027-02-10T00:00:00Z");
        assert!(m.benefit_for("s1", last, now, 0).is_some());
        let across = span("2027-02-09T23:00:00Z", "2027-02-10T01:00:00Z");
        assert!(m.benefit_for("s1", across, now, 0).is_none());
        for months_ahead in 1..15 {
            let start = now + jiff::SignedDuration::from_hours(24 * 31 * months_ahead);
            let ahead = (start, start + jiff::SignedDuration::from_hours(1));
            assert!(
                m.benefit_for("s1", ahead, now, 0).is_none(),
                "{months_ahead}"
            );
        }
        let mut unknown = m.clone();
        unknown.current_period_end = None;
        assert!(unknown.benefit_for("s1", last, now, 0).is_none());
    }

    #[test]
    fn usage_month_is_local() {
        let tz = TimeZone::get("America/New_York").unwrap();
        // 03:00 UTC on March 1st is still February in New York.
        let t: Timestamp = "2027-03-01T03:00:00Z".parse().unwrap();
        assert_eq!(usage_month(t, &tz), "2027-02");
        assert_eq!(usage_month(t, &TimeZone::UTC), "2027-03");
    }

    #[test]
    fn stripe_statuses_map() {
        assert_eq!(
            MembershipStatus::from_stripe("trialing"),
            MembershipStatus::Active
        );
        assert_eq!(
            MembershipStatus::from_stripe("unpaid"),
            MembershipStatus::PastDue
        );
        assert_eq!(
            MembershipStatus::from_stripe("incomplete_expired"),
            MembershipStatus::Canceled
        );
        assert_eq!(
            MembershipStatus::from_stripe("incomplete"),
            MembershipStatus::Incomplete
        );
    }
}
