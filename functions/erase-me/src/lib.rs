//! `DELETE /users/me`: erases the caller's account so nothing links back to them. Stripe
//! forgets them (our id out of their payments' and subscription's metadata, their
//! customer deleted); everything in their partition, their outbox events and idempotency
//! records are deleted; bookings, payments and reviews are kept as financial and public
//! records under a random id; audit entries about them are rewritten under another; the
//! Cognito user is deleted. Refused (409) while bookings are upcoming or a membership is
//! running. See `app::usecase::privacy::erase`.

use app::AppError;
use app::ports::identity::Identity;
use app::ports::payments::Payments;
use app::ports::privacy::PrivacyStore;
use app::usecase::privacy::erase;
use aws::AppContext;
use aws::cognito::CognitoIdentity;
use aws::dynamo::DynamoStore;
use aws::stripe::StripePayments;
use edge::http::response::no_content;
use edge::http::{Body, HttpFunction, Request, Response, caller_of};

pub struct EraseMe<S, I, P> {
    store: S,
    identity: I,
    payments: P,
}

pub fn build(ctx: &AppContext) -> EraseMe<DynamoStore, CognitoIdentity, StripePayments> {
    EraseMe {
        store: DynamoStore::from_context(ctx),
        identity: CognitoIdentity::from_context(ctx),
        payments: StripePayments::from_context(ctx),
    }
}

impl<S: PrivacyStore, I: Identity, P: Payments> HttpFunction for EraseMe<S, I, P> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        erase(&self.store, &self.identity, &self.payments, &caller).await?;
        tracing::info!(user_id = %caller.user_id, "account erased");
        Ok(no_content())
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    delete,
    path = "/users/me",
    tag = "privacy",
    responses(
        (status = 204, description = "erased"),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
