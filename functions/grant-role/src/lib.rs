//! `PUT /users/{userId}/roles/{role}` (admin): grants the operator or admin role.
//! Idempotent: granting a role the user has is a no-op. The user's next token carries it.

use shared::adapters::cognito::CognitoIdentity;
use shared::adapters::dynamo::DynamoStore;
use shared::http::response::no_content;
use shared::http::{Body, Caller, HttpFunction, Request, Response};
use shared::ports::audit::AuditStore;
use shared::ports::identity::Identity;
use shared::ports::users::UserStore;
use shared::usecase::roles::{RoleChange, change_role, role_change_target};
use shared::{ApiError, AppContext};

pub struct GrantRole<I, U> {
    identity: I,
    users: U,
}

pub fn build(ctx: &AppContext) -> GrantRole<CognitoIdentity, DynamoStore> {
    GrantRole {
        identity: CognitoIdentity::from_context(ctx),
        users: DynamoStore::from_context(ctx),
    }
}

impl<I: Identity, U: UserStore + AuditStore> HttpFunction for GrantRole<I, U> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let caller = Caller::from_request(&req)?;
        let (user_id, role) = role_change_target(&req, &caller, &self.users).await?;
        change_role(
            &self.identity,
            &self.users,
            &caller,
            &user_id,
            role,
            RoleChange::Grant,
        )
        .await?;
        tracing::info!(admin = %caller.user_id, user_id = %user_id, role = role.as_str(), "role granted");
        Ok(no_content())
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    put,
    path = "/users/{userId}/roles/{role}",
    tag = "users",
    params(
        ("userId" = String, Path),
        ("role" = String, Path, description = "operator or admin"),
    ),
    responses(
        (status = 204, description = "granted"),
        shared::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
