//! `GET /users/{userId}/bookings?when=upcoming|past|all&status=&limit=&cursor=`: a user's
//! own bookings (admins: anyone's), paged with an opaque cursor.

use app::AppError;
use app::ports::bookings::{BookingQuery, BookingStore, When};
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::booking::BookingStatus;
use edge::api::bookings::BookingView;
use edge::http::params::{limit_param, path_param, query};
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;
use jiff::Timestamp;
use serde::Serialize;

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;

/// The query string this route reads (and documents).
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct BookingsQuery {
    /// upcoming (default), past or all.
    when: Option<String>,
    /// pending, confirmed, cancelled, expired or failed.
    status: Option<String>,
    /// Page size.
    #[param(value_type = Option<u32>, minimum = 1)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

pub struct ListUserBookings<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> ListUserBookings<DynamoStore> {
    ListUserBookings {
        store: DynamoStore::from_context(ctx),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct BookingPage<'a> {
    items: Vec<BookingView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

impl<S: BookingStore> HttpFunction for ListUserBookings<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let user_id = path_param(&req, "userId")?;
        if user_id != caller.user_id && !caller.is_admin() {
            return Err(AppError::Forbidden(
                "you can list only your own bookings".into(),
            ));
        }
        let q: BookingsQuery = query(&req)?;
        let when = match q.when.as_deref() {
            None | Some("upcoming") => When::Upcoming,
            Some("past") => When::Past,
            Some("all") => When::All,
            Some(_) => {
                return Err(AppError::field(
                    "when",
                    "enum",
                    "must be upcoming, past or all",
                ));
            }
        };
        let status = match q.status {
            None => None,
            Some(s) => Some(BookingStatus::parse(&s).ok_or_else(|| {
                AppError::field(
                    "status",
                    "enum",
                    "must be pending, confirmed, cancelled, expired or failed",
                )
            })?),
        };
        let limit = limit_param(q.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT)?;
        let cursor = q.cursor;
        if cursor.as_ref().is_some_and(|c| c.len() > 1024) {
            return Err(AppError::field(
                "cursor",
                "format",
                "not a cursor from a previous page of this list",
            ));
        }
        let now = Timestamp::now();
        let page = self
            .store
            .list_user_bookings(&BookingQuery {
                user_id: &user_id,
                when,
                status,
                cursor: cursor.as_deref(),
                limit,
                now,
            })
            .await?;
        json(
            StatusCode::OK,
            &BookingPage {
                items: page
                    .items
                    .iter()
                    .map(|b| BookingView::new(b, now))
                    .collect(),
                next_cursor: page.next_cursor,
            },
        )
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/users/{userId}/bookings",
    tag = "bookings",
    params(
        ("userId" = String, Path),
        BookingsQuery,
    ),
    responses(
        (status = 200, description = "the user's bookings", body = BookingPage<'static>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
