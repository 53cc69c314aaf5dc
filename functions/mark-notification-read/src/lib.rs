//! `PUT /users/me/notifications/{notificationId}/read`: marks one of the caller's
//! notifications read (the first read time is kept; 404 for anyone else's).

use app::AppError;
use app::ports::notifications::NotificationStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;
use jiff::Timestamp;

pub struct MarkNotificationRead<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> MarkNotificationRead<DynamoStore> {
    MarkNotificationRead {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: NotificationStore> HttpFunction for MarkNotificationRead<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let id = path_param(&req, "notificationId")?;
        let n = self
            .store
            .mark_read(&caller.user_id, &id, Timestamp::now())
            .await?;
        json(StatusCode::OK, &n)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    put,
    path = "/users/me/notifications/{notificationId}/read",
    tag = "notifications",
    params(
        ("notificationId" = String, Path),
    ),
    responses(
        (status = 200, description = "marked read", body = domain::notification::Notification),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
