//! Payments of bookings: the PaymentTransaction record, refunds, and the cancellation
//! policy's refund rule. Amounts are integer minor units; no card data exists here at all
//! (Stripe holds it; we keep only Stripe's ids).

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::space::CancellationPolicy;

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
    /// Stripe reported a payment whose amount or currency is not the one recorded: the
    /// booking is not confirmed by it, and an admin resolves it (the audit log has it).
    UnderReview,
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
            Self::UnderReview => "under_review",
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
    /// A refund decided and recorded, not yet confirmed by Stripe: retried with the same
    /// amount and idempotency key until it is (see `lifecycle`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_due: Option<RefundDue>,
    /// What Stripe reported when it did not match this record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mismatch: Option<PaymentMismatch>,
    /// The invoice issued for it (`invoice::Document::id`), once paid for a booking kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

/// A refund this platform owes on a payment. The amount and key are fixed when it is
/// decided, so every retry asks Stripe for exactly the same refund.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RefundDue {
    pub amount: i64,
    /// `cancellation`, `cancelled_before_payment`, `slot_lost`.
    pub reason: String,
    pub idempotency_key: String,
    #[schema(value_type = String, format = DateTime)]
    pub decided_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PaymentMismatch {
    pub stripe_event_id: String,
    pub amount: i64,
    pub currency: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
}

impl PaymentTransaction {
    /// The payment due for a new booking, on the provider's intent.
    pub fn for_booking(
        booking_id: &str,
        user_id: &str,
        amount: i64,
        currency: &str,
        intent_id: &str,
        client_secret: &str,
        now: Timestamp,
    ) -> Self {
        Self {
            id: format!("pay_{booking_id}"),
            booking_id: booking_id.into(),
            user_id: user_id.into(),
            amount,
            currency: currency.into(),
            status: PaymentStatus::RequiresPayment,
            stripe_payment_intent_id: intent_id.into(),
            client_secret: client_secret.into(),
            refunded_amount: 0,
            refunds: Vec::new(),
            refund_due: None,
            mismatch: None,
            invoice: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// Whether Stripe's amount and currency are the ones recorded (currency codes compare
    /// case-insensitively: Stripe sends them in lower case).
    pub fn matches(&self, amount: i64, currency: &str) -> bool {
        self.amount == amount && self.currency.eq_ignore_ascii_case(currency)
    }

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
        // The refund owed is settled by this one when it is ours (same key).
        if self
            .refund_due
            .as_ref()
            .is_some_and(|due| refund.idempotency_key.as_deref() == Some(&due.idempotency_key))
        {
            self.refund_due = None;
        }
        self.refunds.push(refund);
        self.updated_at = now;
        self.derive_refund_status();
        true
    }

    /// Once paid, the status says how much went back. (News of a refund can arrive before
    /// the news of the payment itself: the status then waits for the payment.)
    pub fn derive_refund_status(&mut self) {
        if self.status.was_paid() && self.refunded_amount > 0 {
            self.status = if self.refunded_amount >= self.amount {
                PaymentStatus::Refunded
            } else {
                PaymentStatus::PartiallyRefunded
            };
        }
    }

    /// What may still be refunded: paid, minus refunded, minus a refund already owed.
    pub fn refundable(&self) -> i64 {
        if self.status.was_paid() {
            let owed = self.refund_due.as_ref().map_or(0, |d| d.amount);
            (self.amount - self.refunded_amount - owed).max(0)
        } else {
            0
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RefundRecord {
    pub stripe_refund_id: String,
    pub amount: i64,
    /// `cancellation`, `slot_lost` (paid after the hold ran out and the slot was gone),
    /// `stripe` (made at Stripe, e.g. in its dashboard).
    pub reason: String,
    /// Our idempotency key, when we asked for it (read back from the refund's metadata).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// The credit note issued for it (`invoice::Document::id`) when the payment had an
    /// invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_note: Option<String>,
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
            refund_due: None,
            mismatch: None,
            invoice: None,
            created_at: now,
            updated_at: now,
        };
        let refund = |id: &str, amount| RefundRecord {
            stripe_refund_id: id.into(),
            amount,
            reason: "cancellation".into(),
            idempotency_key: None,
            created_at: now,
            credit_note: None,
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
