//! `POST /users/me/calendar-feed`: makes the caller a private calendar feed URL of their
//! bookings, replacing any earlier one (which stops working at once). The answer is the
//! only time the URL is shown: only its hash is stored.

use app::AppError;
use app::ports::calendar::CalendarFeeds;
use app::usecase::calendar::new_feed;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;
use jiff::Timestamp;
use serde::Serialize;

pub struct CreateCalendarFeed<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> CreateCalendarFeed<DynamoStore> {
    CreateCalendarFeed {
        store: DynamoStore::from_context(ctx),
    }
}

/// Where the feed is: `path` on this API (a client puts its API base in front of it).
#[derive(Serialize, utoipa::ToSchema)]
pub struct CalendarFeed {
    /// `/calendar/<token>.ics`: subscribe to it from a calendar app (keep it private).
    path: String,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
}

impl<S: CalendarFeeds> HttpFunction for CreateCalendarFeed<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let (token, record) = new_feed(&self.store, &caller.user_id, Timestamp::now()).await?;
        json(
            StatusCode::CREATED,
            &CalendarFeed {
                path: format!("/calendar/{token}.ics"),
                created_at: record.created_at,
            },
        )
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/users/me/calendar-feed",
    tag = "calendar",
    responses(
        (status = 201, description = "a new feed (any earlier one no longer works)", body = CalendarFeed),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
