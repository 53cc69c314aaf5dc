//! `GET /users/me/notifications?limit&cursor`: the caller's in-app notifications, newest
//! first.

use http::StatusCode;
use shared::adapters::dynamo::DynamoStore;
use shared::domain::notification::Notification;
use shared::http::params::{limit_param, query_param};
use shared::http::{Body, Caller, HttpFunction, Request, Response, json};
use shared::ports::notifications::NotificationStore;
use shared::{ApiError, AppContext};

pub const MAX_LIMIT: usize = 50;

pub struct ListNotifications<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> ListNotifications<DynamoStore> {
    ListNotifications {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: NotificationStore> HttpFunction for ListNotifications<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let caller = Caller::from_request(&req)?;
        let limit = limit_param(&req, 20, MAX_LIMIT)?;
        let page = self
            .store
            .list_notifications(
                &caller.user_id,
                limit,
                query_param(&req, "cursor").as_deref(),
            )
            .await?;
        json(StatusCode::OK, &page)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/users/me/notifications",
    tag = "notifications",
    params(
        ("limit" = Option<u32>, Query, description = "page size", minimum = 1),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses(
        (status = 200, description = "newest first", body = shared::ports::bookings::Page<Notification>),
        shared::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
