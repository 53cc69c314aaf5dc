//! `PUT /users/{userId}/roles/{role}` (admin): grants the operator or admin role.
//! Idempotent: granting a role the user has is a no-op. The user's next token carries it.

use app::AppError;
use app::ports::audit::AuditStore;
use app::ports::identity::Identity;
use app::ports::users::UserStore;
use app::usecase::roles::{RoleChange, change_role, role_change_target};
use aws::AppContext;
use aws::cognito::CognitoIdentity;
use aws::dynamo::DynamoStore;
use edge::http::params::path_param;
use edge::http::response::no_content;
use edge::http::{Body, HttpFunction, Request, Response, caller_of};

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
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let user_id = path_param(&req, "userId")?;
        let role =
            role_change_target(&caller, &self.users, &user_id, &path_param(&req, "role")?).await?;
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
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
