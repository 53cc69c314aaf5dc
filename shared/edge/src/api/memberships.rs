//! Membership bodies.

use serde::{Deserialize, Serialize};

use app::error::AppError;
use domain::membership::Membership;
use domain::validate::Violations;

/// `POST /memberships`. The payment method is created on the client by Stripe.js / the
/// mobile SDK (card details never reach us); we only pass its id to Stripe.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscribeRequest {
    pub plan_id: String,
    pub payment_method_id: String,
}

impl SubscribeRequest {
    pub fn validate(&self) -> Result<(), AppError> {
        let mut v = Violations::new();
        v.text("plan_id", &self.plan_id, 1, 64);
        let pm = &self.payment_method_id;
        v.check(
            pm.starts_with("pm_")
                && pm.len() <= 255
                && pm.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "payment_method_id",
            "format",
            "a Stripe PaymentMethod id (pm_...) from Stripe.js or the mobile SDK",
        );
        Ok(v.into_result()?)
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MembershipView<'a> {
    #[serde(flatten)]
    pub membership: &'a Membership,
    /// While the first payment still needs the member (e.g. 3-D Secure): for Stripe.js.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<&'a str>,
}
