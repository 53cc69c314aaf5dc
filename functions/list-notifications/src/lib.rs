//! `GET /users/me/notifications?limit&cursor`: the caller's in-app notifications, newest
//! first.

use app::AppError;
use app::ports::notifications::NotificationStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::notification::Notification;
use edge::http::params::{PageQuery, limit_param, query};
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
        let q: PageQuery = query(&req)?;
        let limit = limit_param(q.limit.as_deref(), 20, MAX_LIMIT)?;
        let page = self
            .store
            .list_notifications(&caller.user_id, limit, q.cursor.as_deref())
            .await?;
        json(StatusCode::OK, &page)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/users/me/notifications",
    tag = "notifications",
    params(PageQuery),
    responses(
        (status = 200, description = "newest first", body = app::ports::bookings::Page<Notification>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
