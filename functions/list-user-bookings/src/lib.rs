//! `GET /users/{userId}/bookings?when=upcoming|past|all&status=&limit=&cursor=`: a user's
//! own bookings (admins: anyone's), paged with an opaque cursor.

use app::AppError;
use app::ports::bookings::{BookingStore, BookingsOf};
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::api::booking_list::{BookingPage, BookingsQuery};
use edge::http::params::{path_param, query};
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;
use jiff::Timestamp;

pub struct ListUserBookings<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> ListUserBookings<DynamoStore> {
    ListUserBookings {
        store: DynamoStore::from_context(ctx),
    }
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
        let now = Timestamp::now();
        let page = self
            .store
            .list_bookings(&q.for_list(BookingsOf::User(&user_id), now)?)
            .await?;
        json(StatusCode::OK, &BookingPage::new(&page, now))
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
