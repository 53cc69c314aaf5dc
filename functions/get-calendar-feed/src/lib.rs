//! `GET /calendar/{token}`: a member's upcoming bookings as an iCalendar feed (RFC 5545),
//! for calendar apps to subscribe to (Google Calendar "From URL", Outlook "Subscribe from
//! web", Apple Calendar). No sign-in: calendar apps cannot send one, so the token in the
//! URL is the secret (244 random bits, only its hash stored; `.ics` may follow it). A
//! member replaces or deletes it at `/users/me/calendar-feed`. An unknown token is a 404
//! like any missing page. Times are in each space's zone (`domain::calendar`).

use app::AppError;
use app::ports::bookings::BookingStore;
use app::ports::calendar::CalendarFeeds;
use app::ports::spaces::SpaceStore;
use app::usecase::calendar::feed_document;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderValue, StatusCode};
use jiff::Timestamp;

pub struct GetCalendarFeed<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> GetCalendarFeed<DynamoStore> {
    GetCalendarFeed::new(DynamoStore::from_context(ctx))
}

impl<S> GetCalendarFeed<S> {
    pub fn new(store: S) -> Self {
        Self { store }
    }
}

impl<S: CalendarFeeds + BookingStore + SpaceStore> HttpFunction for GetCalendarFeed<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let token = path_param(&req, "token")?;
        let token = token.strip_suffix(".ics").unwrap_or(&token);
        let Some(document) = feed_document(&self.store, token, Timestamp::now()).await? else {
            return Err(AppError::NotFound(
                "no calendar feed at this address (it may have been replaced or deleted)".into(),
            ));
        };
        let mut res = Response::new(Body::from(document));
        *res.status_mut() = StatusCode::OK;
        let headers = res.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/calendar; charset=utf-8"),
        );
        // Calendar apps poll every few hours; a quarter of an hour of staleness is fine,
        // and only the subscriber may keep it (it is personal).
        headers.insert(
            CACHE_CONTROL,
            HeaderValue::from_static("private, max-age=900"),
        );
        Ok(res)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/calendar/{token}",
    tag = "calendar",
    params(
        ("token" = String, Path, description = "the feed's secret, as `/users/me/calendar-feed` answered it (with or without `.ics`)"),
    ),
    responses(
        (status = 200, description = "the member's upcoming bookings (iCalendar)", content_type = "text/calendar", body = String),
        edge::openapi::Problems,
    ),
)]
pub fn route() {}
