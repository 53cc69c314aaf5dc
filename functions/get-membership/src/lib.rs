//! `GET /users/me/membership`: the caller's membership (404 when there is none).

use http::StatusCode;
use shared::adapters::dynamo::DynamoStore;
use shared::api::memberships::MembershipView;
use shared::http::{Body, Caller, HttpFunction, Request, Response, json};
use shared::ports::memberships::MembershipStore;
use shared::{ApiError, AppContext};

pub struct GetMembership<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> GetMembership<DynamoStore> {
    GetMembership {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: MembershipStore> HttpFunction for GetMembership<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let caller = Caller::from_request(&req)?;
        let membership = self
            .store
            .member_state(&caller.user_id)
            .await?
            .membership
            .ok_or_else(|| ApiError::NotFound("you have no membership".into()))?;
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
        (status = 200, description = "the caller's membership", body = shared::api::memberships::MembershipView<'static>),
        shared::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
