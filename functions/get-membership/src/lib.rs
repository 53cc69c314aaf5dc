//! `GET /users/me/membership`: the caller's membership (404 when there is none).

use app::AppError;
use app::ports::memberships::MembershipStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::api::memberships::MembershipView;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;

pub struct GetMembership<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> GetMembership<DynamoStore> {
    GetMembership {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: MembershipStore> HttpFunction for GetMembership<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let membership = self
            .store
            .member_state(&caller.user_id)
            .await?
            .membership
            .ok_or_else(|| AppError::NotFound("you have no membership".into()))?;
        json(
            StatusCode::OK,
            &MembershipView {
                membership: &membership,
                client_secret: None,
            },
        )
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/users/me/membership",
    tag = "memberships",
    responses(
        (status = 200, description = "the caller's membership", body = edge::api::memberships::MembershipView<'static>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
