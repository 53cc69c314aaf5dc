//! The payment provider (Stripe). Every call that moves or reserves money carries an
//! idempotency key derived from our own ids, so a retried request never charges or
//! refunds twice.

use std::collections::HashMap;
use std::future::Future;

use serde::Deserialize;

use thiserror::Error;

use crate::error::AppError;

#[derive(Debug, Error)]
pub enum PaymentError {
    /// The provider refused the request (e.g. nothing left to refund): not worth a retry.
    #[error("payment provider refused: {0}")]
    Rejected(String),
    /// Unreachable, timed out, rate limited or failing: worth a retry later.
    #[error("payment provider unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<PaymentError> for AppError {
    fn from(err: PaymentError) -> Self {
        match err {
            PaymentError::Rejected(_) => {
                AppError::Unprocessable("the payment provider refused the request".into())
            }
            PaymentError::Unavailable(e) => AppError::Unavailable(e),
        }
    }
}

pub struct IntentRequest<'a> {
    pub amount: i64,
    /// ISO 4217, any case.
    pub currency: &'a str,
    /// The booking it pays for, or the series (`for_series`) whose occurrences it pays.
    pub booking_id: &'a str,
    /// Metadata names a series (`series_id`) instead of a booking (`booking_id`).
    pub for_series: bool,
    pub user_id: &'a str,
    pub idempotency_key: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Intent {
    pub id: String,
    pub client_secret: String,
}

pub struct RefundRequest<'a> {
    pub payment_intent_id: &'a str,
    pub amount: i64,
    pub booking_id: &'a str,
    /// Stored in the refund's metadata and our record (`cancellation`, `slot_lost`).
    pub reason: &'a str,
    pub idempotency_key: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    pub id: String,
    pub amount: i64,
    /// Stripe's status: `succeeded`, `pending` (on its way), `failed`, `canceled`.
    pub status: String,
}

impl Refund {
    /// The money did not go back (and never will under this refund).
    pub fn failed(&self) -> bool {
        matches!(self.status.as_str(), "failed" | "canceled")
    }
}

pub struct SubscriptionRequest<'a> {
    pub customer_id: &'a str,
    /// The provider's recurring price for the plan (see `ensure_plan_price`).
    pub price_id: &'a str,
    pub user_id: &'a str,
    /// What it pays for, kept in its metadata: a plan or a rental.
    pub purpose: SubscriptionFor<'a>,
    pub idempotency_key: &'a str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubscriptionFor<'a> {
    /// A membership of this plan (`metadata.plan_id`).
    Plan(&'a str),
    /// This open-ended rental (`metadata.rental_id`).
    Rental(&'a str),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    pub status: String,
    pub current_period_end: Option<i64>,
    pub cancel_at_period_end: bool,
    /// Client secret of the first invoice's payment, when the member still has to pay it.
    pub client_secret: Option<String>,
    /// Our user id, from the subscription's metadata.
    pub user_id: Option<String>,
    /// The rental it bills, from its metadata (None for a membership).
    pub rental_id: Option<String>,
}

pub struct PlanPrice<'a> {
    /// Stable per plan version, so re-creating it is harmless.
    pub key: &'a str,
    pub name: &'a str,
    pub amount: i64,
    pub currency: &'a str,
}

pub trait Payments: Send + Sync + 'static {
    fn create_intent(
        &self,
        req: &IntentRequest<'_>,
    ) -> impl Future<Output = Result<Intent, PaymentError>> + Send;
    /// Sets what an unpaid intent asks for (a series whose occurrences were not all
    /// booked); refused once it is paid or cancelled.
    fn set_intent_amount(
        &self,
        intent_id: &str,
        amount: i64,
    ) -> impl Future<Output = Result<(), PaymentError>> + Send;
    /// Makes an unpaid intent unpayable (booking cancelled or never stored).
    fn cancel_intent(
        &self,
        intent_id: &str,
    ) -> impl Future<Output = Result<(), PaymentError>> + Send;
    fn refund(
        &self,
        req: &RefundRequest<'_>,
    ) -> impl Future<Output = Result<Refund, PaymentError>> + Send;
    /// A customer for `user_id` (only our id goes to Stripe, no contact data) whose default
    /// payment method is `payment_method_id` (created by Stripe.js on the client).
    fn create_customer(
        &self,
        user_id: &str,
        payment_method_id: &str,
        idempotency_key: &str,
    ) -> impl Future<Output = Result<String, PaymentError>> + Send;
    /// Makes `payment_method_id` the default of an existing customer.
    fn set_default_payment_method(
        &self,
        customer_id: &str,
        payment_method_id: &str,
    ) -> impl Future<Output = Result<(), PaymentError>> + Send;
    /// The subscription as Stripe has it now.
    fn get_subscription(
        &self,
        subscription_id: &str,
    ) -> impl Future<Output = Result<Subscription, PaymentError>> + Send;
    /// The provider's monthly price for a plan version, created on first use.
    fn ensure_plan_price(
        &self,
        plan: &PlanPrice<'_>,
    ) -> impl Future<Output = Result<String, PaymentError>> + Send;
    fn create_subscription(
        &self,
        req: &SubscriptionRequest<'_>,
    ) -> impl Future<Output = Result<Subscription, PaymentError>> + Send;
    fn cancel_subscription_at_period_end(
        &self,
        subscription_id: &str,
    ) -> impl Future<Output = Result<Subscription, PaymentError>> + Send;
    /// Ends a subscription at once (one that lost a race or was never stored: nothing of
    /// ours points to it, so it must not charge anyone).
    fn cancel_subscription(
        &self,
        subscription_id: &str,
    ) -> impl Future<Output = Result<(), PaymentError>> + Send;
    /// Erasure: removes our user id from an object's metadata at the provider (the
    /// object, an amount paid, stays for the books).
    fn forget_user_on(
        &self,
        object: ProviderObject<'_>,
    ) -> impl Future<Output = Result<(), PaymentError>> + Send;
    /// Erasure: deletes the customer at the provider (done when already gone).
    fn delete_customer(
        &self,
        customer_id: &str,
    ) -> impl Future<Output = Result<(), PaymentError>> + Send;
}

/// A provider object that carries our user id in its metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderObject<'a> {
    PaymentIntent(&'a str),
    Subscription(&'a str),
}

/// An idempotency key for the provider: readable prefix and id, plus a short hash of
/// what the call is bound to (a different request under the same id is a different key).
pub fn idempotency_key(prefix: &str, id: &str, bound_to: &str) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(bound_to.as_bytes());
    format!("{prefix}-{id}-{}", hex::encode(&hash[..8]))
}

// What Stripe's news says about its objects: only the fields the use cases read (the
// webhook's adapter parses Stripe's events into these; unknown fields are ignored).

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct PaymentIntentObject {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    #[serde(default)]
    pub metadata: HashMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct RefundObject {
    pub id: String,
    pub amount: i64,
    #[serde(default)]
    pub payment_intent: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub metadata: HashMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SubscriptionObject {
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub current_period_end: Option<i64>,
    #[serde(default)]
    pub cancel_at_period_end: bool,
    #[serde(default)]
    pub metadata: HashMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct InvoiceObject {
    pub id: String,
    #[serde(default)]
    pub subscription: Option<String>,
    #[serde(default)]
    pub amount_paid: i64,
    #[serde(default)]
    pub currency: String,
    /// The PaymentIntent that paid it (a refund of a rental's month goes through it).
    #[serde(default)]
    pub payment_intent: Option<String>,
}
