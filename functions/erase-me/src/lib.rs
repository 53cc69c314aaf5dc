//! `DELETE /users/me`: erases the caller's account. The Cognito user is deleted; the
//! profile, notifications and counters are deleted; bookings, payments and reviews are
//! kept as financial and public records under a random id with no link back. Refused
//! (409) while bookings are upcoming or a membership is running. Audited.

use shared::adapters::cognito::CognitoIdentity;
use shared::adapters::dynamo::DynamoStore;
use shared::http::response::no_content;
use shared::http::{Body, Caller, HttpFunction, Request, Response};
use shared::ports::identity::Identity;
use shared::ports::privacy::PrivacyStore;
use shared::usecase::privacy::erase;
use shared::{ApiError, AppContext};

pub struct EraseMe<S, I> {
    store: S,
    identity: I,
}

pub fn build(ctx: &AppContext) -> EraseMe<DynamoStore, CognitoIdentity> {
    EraseMe {
        store: DynamoStore::from_context(ctx),
        identity: CognitoIdentity::from_context(ctx),
    }
}

impl<S: PrivacyStore, I: Identity> HttpFunction for EraseMe<S, I> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let caller = Caller::from_request(&req)?;
        erase(&self.store, &self.identity, &caller).await?;
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
        shared::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
