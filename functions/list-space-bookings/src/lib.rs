//! `GET /spaces/{spaceId}/bookings?when=upcoming|past|all&status=&limit=&cursor=`: the
//! bookings of a space for its operator and admins (403 for anyone else), by end time,
//! paged with an opaque cursor. Members' names and contact details are not in it: ids,
//! items, times, status and price only.

use app::AppError;
use app::ports::bookings::{BookingStore, BookingsOf};
use app::ports::spaces::SpaceStore;
use app::usecase::spaces::managed_space;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::api::booking_list::{BookingPage, BookingsQuery};
use edge::http::params::{path_param, query};
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;
use jiff::Timestamp;

pub struct ListSpaceBookings<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> ListSpaceBookings<DynamoStore> {
    ListSpaceBookings {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: BookingStore + SpaceStore> HttpFunction for ListSpaceBookings<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let space_id = path_param(&req, "spaceId")?;
        let q: BookingsQuery = query(&req)?;
        let now = Timestamp::now();
        let list = q.for_list(BookingsOf::Space(&space_id), now)?;
        managed_space(&self.store, &caller, &space_id).await?;
        let page = self.store.list_bookings(&list).await?;
        json(StatusCode::OK, &BookingPage::new(&page, now))
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/spaces/{spaceId}/bookings",
    tag = "bookings",
    params(
        ("spaceId" = String, Path),
        BookingsQuery,
    ),
    responses(
        (status = 200, description = "the space's bookings, by end time", body = BookingPage<'static>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
