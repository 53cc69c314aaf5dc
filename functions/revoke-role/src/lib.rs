//! `DELETE /users/{userId}/roles/{role}` (admin): revokes the operator or admin role and
//! signs the user out everywhere, so no new token carries the old role. Access tokens
//! already issued keep it until they expire (at most the pool's access-token validity).

use shared::adapters::cognito::CognitoIdentity;
use shared::adapters::dynamo::DynamoStore;
use shared::http::response::no_content;
use shared::http::{Body, Caller, HttpFunction, Request, Response, Role};
use shared::ports::audit::AuditStore;
use shared::ports::identity::Identity;
use shared::ports::users::UserStore;
use shared::usecase::roles::{RoleChange, change_role, role_change_target};
use shared::{ApiError, AppContext};

pub struct RevokeRole<I, U> {
    identity: I,
    users: U,
}

pub fn build(ctx: &AppContext) -> RevokeRole<CognitoIdentity, DynamoStore> {
    RevokeRole {
        identity: CognitoIdentity::from_context(ctx),
        users: DynamoStore::from_context(ctx),
    }
}

impl<I: Identity, U: UserStore + AuditStore> HttpFunction for RevokeRole<I, U> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let caller = Caller::from_request(&req)?;
        let (user_id, role) = role_change_target(&req, &caller, &self.users).await?;
        if role == Role::Admin && user_id == caller.user_id {
            return Err(ApiError::conflict(
                "admins cannot revoke their own admin role",
            ));
        }
        change_role(
            &self.identity,
            &self.users,
            &caller,
            &user_id,
            role,
            RoleChange::Revoke,
        )
        .await?;
        tracing::info!(admin = %caller.user_id, user_id = %user_id, role = role.as_str(), "role revoked");
        Ok(no_content())
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    delete,
    path = "/users/{userId}/roles/{role}",
    tag = "users",
    params(
        ("userId" = String, Path),
        ("role" = String, Path, description = "operator or admin"),
    ),
    responses(
        (status = 204, description = "revoked"),
        shared::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
