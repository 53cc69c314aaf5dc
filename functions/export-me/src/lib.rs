//! `GET /users/me/export`: everything we hold about the caller, as one JSON document
//! (profile, roles, membership, bookings, payments, reviews, notifications). Audited.

use app::AppError;
use app::ports::audit::AuditStore;
use app::ports::identity::Identity;
use app::ports::privacy::PrivacyStore;
use app::usecase::privacy::export;
use aws::AppContext;
use aws::cognito::CognitoIdentity;
use aws::dynamo::DynamoStore;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;

pub struct ExportMe<S, I> {
    store: S,
    identity: I,
}

pub fn build(ctx: &AppContext) -> ExportMe<DynamoStore, CognitoIdentity> {
    ExportMe {
        store: DynamoStore::from_context(ctx),
        identity: CognitoIdentity::from_context(ctx),
    }
}

impl<S: PrivacyStore + AuditStore, I: Identity> HttpFunction for ExportMe<S, I> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let document = export(&self.store, &self.identity, &caller).await?;
        tracing::info!(user_id = %caller.user_id, "personal data exported");
        json(StatusCode::OK, &document)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/users/me/export",
    tag = "privacy",
    responses(
        (status = 200, description = "everything held about the caller", body = app::ports::privacy::PersonalData),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
