//! `DELETE /users/{userId}/roles/{role}` (admin): revokes the operator or admin role and
//! signs the user out everywhere, so no new token carries the old role. Access tokens
//! already issued keep it until they expire (at most the pool's access-token validity).

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
use edge::http::{Body, HttpFunction, Request, Response, Role, caller_of};

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
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let user_id = path_param(&req, "userId")?;
        let role =
            role_change_target(&caller, &self.users, &user_id, &path_param(&req, "role")?).await?;
        if role == Role::Admin && user_id == caller.user_id {
            return Err(AppError::conflict(
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
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
