//! `GET /users/me/export`: everything we hold about the caller, as one JSON document
//! (profile, roles, membership, bookings, payments, reviews, notifications). Audited.

use http::StatusCode;
use shared::adapters::cognito::CognitoIdentity;
use shared::adapters::dynamo::DynamoStore;
use shared::http::{Body, Caller, HttpFunction, Request, Response, json};
use shared::ports::audit::AuditStore;
use shared::ports::identity::Identity;
use shared::ports::privacy::PrivacyStore;
use shared::usecase::privacy::export;
use shared::{ApiError, AppContext};

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
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let caller = Caller::from_request(&req)?;
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
        (status = 200, description = "everything held about the caller", body = shared::ports::privacy::PersonalData),
        shared::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
