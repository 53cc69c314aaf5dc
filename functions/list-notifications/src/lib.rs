//! `GET /users/me/notifications?limit&cursor`: the caller's in-app notifications, newest
//! first.

use app::AppError;
use app::ports::notifications::NotificationStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::notification::Notification;
use edge::http::params::{limit_param, query_param};
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;

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
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
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
        (status = 200, description = "newest first", body = app::ports::bookings::Page<Notification>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
