//! `DELETE /users/me`: erases the caller's account. The Cognito user is deleted; the
//! profile, notifications and counters are deleted; bookings, payments and reviews are
//! kept as financial and public records under a random id with no link back. Refused
//! (409) while bookings are upcoming or a membership is running. Audited.

use app::AppError;
use app::ports::identity::Identity;
use app::ports::privacy::PrivacyStore;
use app::usecase::privacy::erase;
use aws::AppContext;
use aws::cognito::CognitoIdentity;
use aws::dynamo::DynamoStore;
use edge::http::response::no_content;
use edge::http::{Body, HttpFunction, Request, Response, caller_of};

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
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
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
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
