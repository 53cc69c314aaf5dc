//! `DELETE /users/me/membership`: cancels at the end of the paid period (benefits last
//! until then; Stripe's `customer.subscription.deleted` ends them).

use http::StatusCode;
use jiff::Timestamp;
use shared::adapters::dynamo::DynamoStore;
use shared::adapters::stripe::StripePayments;
use shared::api::memberships::MembershipView;
use shared::domain::membership::MembershipStatus;
use shared::http::{Body, Caller, HttpFunction, Request, Response, json};
use shared::ports::memberships::{MembershipStore, SaveMembershipError};
use shared::ports::payments::Payments;
use shared::usecase::memberships::membership_event;
use shared::{ApiError, AppContext};

pub struct CancelMembership<S, P> {
    store: S,
    payments: P,
}

pub fn build(ctx: &AppContext) -> CancelMembership<DynamoStore, StripePayments> {
    CancelMembership {
        store: DynamoStore::from_context(ctx),
        payments: StripePayments::from_context(ctx),
    }
}

impl<S: MembershipStore, P: Payments> HttpFunction for CancelMembership<S, P> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let caller = Caller::from_request(&req)?;
        for _ in 0..3 {
            let current = self
                .store
                .member_state(&caller.user_id)
                .await?
                .membership
                .filter(|m| m.status.is_current())
                .ok_or_else(|| ApiError::NotFound("you have no current membership".into()))?;
            if current.cancel_at_period_end {
                return json(
                    StatusCode::OK,
                    &MembershipView {
                        membership: &current,
                        client_secret: None,
                    },
                );
            }
            let sub = self
                .payments
                .cancel_subscription_at_period_end(&current.stripe_subscription_id)
                .await?;
            let now = Timestamp::now();
            let mut next = current.clone();
            next.cancel_at_period_end = sub.cancel_at_period_end;
            next.status = MembershipStatus::from_stripe(&sub.status);
            next.version += 1;
            next.updated_at = now;
            match self
                .store
                .save_membership(&next, &membership_event(&next, now), None, now)
                .await
            {
                Ok(()) => {
                    return json(
                        StatusCode::OK,
                        &MembershipView {
                            membership: &next,
                            client_secret: None,
                        },
                    );
                }
                // A webhook updated it meanwhile: read again (Stripe's call is idempotent).
                Err(SaveMembershipError::Changed | SaveMembershipError::Duplicate) => continue,
                Err(SaveMembershipError::Store(e)) => return Err(e.into()),
            }
        }
        Err(ApiError::conflict("the membership kept changing; retry"))
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    delete,
    path = "/users/me/membership",
    tag = "memberships",
    responses(
        (status = 200, description = "cancelled at period end", body = shared::api::memberships::MembershipView<'static>),
        shared::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
