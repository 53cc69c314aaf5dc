//! `GET /users/me`: the caller's profile and roles.

use app::AppError;
use app::ports::users::UserStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::api::users::UserResponse;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;

pub struct GetMe<U> {
    users: U,
}

pub fn build(ctx: &AppContext) -> GetMe<DynamoStore> {
    GetMe::new(DynamoStore::from_context(ctx))
}

impl<U: UserStore> GetMe<U> {
    pub fn new(users: U) -> Self {
        Self { users }
    }
}

impl<U: UserStore> HttpFunction for GetMe<U> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let user = self
            .users
            .get_user(&caller.user_id)
            .await?
            // A valid token without a profile: an account created outside registration.
            .ok_or_else(|| AppError::NotFound("no profile exists for this account".into()))?;
        json(StatusCode::OK, &UserResponse::new(user, caller.roles))
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/users/me",
    tag = "users",
    responses(
        (status = 200, description = "the caller's profile", body = edge::api::users::UserResponse),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
