//! `DELETE /users/me/calendar-feed`: the caller's calendar feed URL stops working
//! (idempotent: 204 also when there was none).

use app::AppError;
use app::ports::calendar::CalendarFeeds;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::http::response::no_content;
use edge::http::{Body, HttpFunction, Request, Response, caller_of};

pub struct DeleteCalendarFeed<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> DeleteCalendarFeed<DynamoStore> {
    DeleteCalendarFeed {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: CalendarFeeds> HttpFunction for DeleteCalendarFeed<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        self.store.remove_feed(&caller.user_id).await?;
        Ok(no_content())
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    delete,
    path = "/users/me/calendar-feed",
    tag = "calendar",
    responses(
        (status = 204, description = "the feed no longer works"),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
