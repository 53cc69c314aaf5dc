//! `DELETE /users/me/membership`: cancels at the end of the paid period (benefits last
//! until then; Stripe's `customer.subscription.deleted` ends them).

use app::AppError;
use app::ports::memberships::{MembershipStore, SaveMembershipError};
use app::ports::payments::Payments;
use app::usecase::memberships::membership_event;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::stripe::StripePayments;
use domain::membership::MembershipStatus;
use edge::api::memberships::MembershipView;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;
use jiff::Timestamp;

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
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        for _ in 0..3 {
            let current = self
                .store
                .member_state(&caller.user_id)
                .await?
                .membership
                .filter(|m| m.status.is_current())
                .ok_or_else(|| AppError::NotFound("you have no current membership".into()))?;
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
            // Stripe's answer is its state as of now: news created before it is older.
            next.stripe_event_at = next.stripe_event_at.max(now.as_second());
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
        Err(AppError::conflict("the membership kept changing; retry"))
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    delete,
    path = "/users/me/membership",
    tag = "memberships",
    responses(
        (status = 200, description = "cancelled at period end", body = edge::api::memberships::MembershipView<'static>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
