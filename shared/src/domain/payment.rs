//! Payments of bookings: the PaymentTransaction record, refunds, and the cancellation
//! policy's refund rule. Amounts are integer minor units; no card data exists here at all
//! (Stripe holds it; we keep only Stripe's ids).

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::domain::space::CancellationPolicy;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// The PaymentIntent exists; the member has not paid yet.
    RequiresPayment,
    Succeeded,
    /// The last attempt was declined; the booking's hold was released.
    Failed,
    /// Cancelled before anything was paid.
    Canceled,
    PartiallyRefunded,
    Refunded,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RequiresPayment => "requires_payment",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
            Self::PartiallyRefunded => "partially_refunded",
            Self::Refunded => "refunded",
        }
    }

    /// Money was taken (and some may have gone back).
    pub fn was_paid(self) -> bool {
        matches!(
            self,
            Self::Succeeded | Self::PartiallyRefunded | Self::Refunded
        )
    }
}

/// One booking's payment. Lives beside the booking (`BOOKING#<id>` / `PAYMENT`) and is
/// rewritten in the same transaction as every booking status change it goes with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PaymentTransaction {
    pub id: String,
    pub booking_id: String,
    pub user_id: String,
    pub amount: i64,
    pub currency: String,
    pub status: PaymentStatus,
    pub stripe_payment_intent_id: String,
    /// Handed to Stripe.js / the mobile SDKs to confirm the payment on the client.
    /// Not card data, but only ever shown to the booker while payment is due.
    pub client_secret: String,
    #[serde(default)]
    pub refunded_amount: i64,
    #[serde(default)]
    pub refunds: Vec<RefundRecord>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl PaymentTransaction {
    /// Records a refund once (Stripe's refund id is the key) and derives the status.
    /// Returns false when this refund was already recorded.
    pub fn record_refund(&mut self, refund: RefundRecord, now: Timestamp) -> bool {
        if self
            .refunds
            .iter()
            .any(|r| r.stripe_refund_id == refund.stripe_refund_id)
        {
            return false;
        }
        self.refunded_amount += refund.amount;
        self.refunds.push(refund);
        self.status = if self.refunded_amount >= self.amount {
            PaymentStatus::Refunded
        } else {
            PaymentStatus::PartiallyRefunded
        };
        self.updated_at = now;
        true
    }

    pub fn refundable(&self) -> i64 {
        if self.status.was_paid() {
            (self.amount - self.refunded_amount).max(0)
        } else {
            0
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RefundRecord {
    pub stripe_refund_id: String,
    pub amount: i64,
    /// `cancellation`, `slot_lost` (paid after the hold ran out and the slot was gone).
    pub reason: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

/// What a cancellation at `now` gives back of `paid` under `policy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RefundDecision {
    pub percent: u8,
    pub amount: i64,
}

/// Full refund with at least `full_refund_hours` notice, `partial_refund_percent` with
/// at least `partial_refund_hours`, nothing after. Notice is measured in real elapsed
/// time to the start instant, so DST shifts cannot move a tier boundary. Amounts round
/// down: we never refund more than the policy says.
pub fn refund_for(
    policy: &CancellationPolicy,
    paid: i64,
    start: Timestamp,
    now: Timestamp,
) -> RefundDecision {
    let notice = start.duration_since(now);
    let hours = |h: u32| SignedDuration::from_hours(h as i64);
    let percent = if notice >= hours(policy.full_refund_hours) {
        100
    } else if notice >= hours(policy.partial_refund_hours) {
        policy.partial_refund_percent.min(100)
    } else {
        0
    };
    RefundDecision {
        percent,
        amount: paid.max(0) * percent as i64 / 100,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn tiers_are_inclusive_at_their_boundary() {
        let policy = CancellationPolicy::default(); // 24 h full, 2 h 50 %, none after
        let start = at("2027-03-10T09:00:00Z");
        let r = |now: &str| refund_for(&policy, 1999, start, at(now));
        assert_eq!(
            r("2027-03-09T09:00:00Z"),
            RefundDecision {
                percent: 100,
                amount: 1999
            }
        );
        assert_eq!(
            r("2027-03-09T09:00:01Z"),
            RefundDecision {
                percent: 50,
                amount: 999
            }
        );
        assert_eq!(
            r("2027-03-10T07:00:00Z"),
            RefundDecision {
                percent: 50,
                amount: 999
            }
        );
        assert_eq!(
            r("2027-03-10T07:00:01Z"),
            RefundDecision {
                percent: 0,
                amount: 0
            }
        );
        assert_eq!(
            r("2027-03-10T10:00:00Z"),
            RefundDecision {
                percent: 0,
                amount: 0
            }
        );
    }

    #[test]
    fn refunds_are_recorded_once_and_derive_the_status() {
        let now = at("2027-01-01T00:00:00Z");
        let mut p = PaymentTransaction {
            id: "p".into(),
            booking_id: "b".into(),
            user_id: "u".into(),
            amount: 1000,
            currency: "EUR".into(),
            status: PaymentStatus::Succeeded,
            stripe_payment_intent_id: "pi_1".into(),
            client_secret: "s".into(),
            refunded_amount: 0,
            refunds: vec![],
            created_at: now,
            updated_at: now,
        };
        let refund = |id: &str, amount| RefundRecord {
            stripe_refund_id: id.into(),
            amount,
            reason: "cancellation".into(),
            created_at: now,
        };
        assert!(p.record_refund(refund("re_1", 400), now));
        assert_eq!(p.status, PaymentStatus::PartiallyRefunded);
        assert!(!p.record_refund(refund("re_1", 400), now));
        assert_eq!(p.refundable(), 600);
        assert!(p.record_refund(refund("re_2", 600), now));
        assert_eq!(p.status, PaymentStatus::Refunded);
        assert_eq!(p.refundable(), 0);
    }
}
