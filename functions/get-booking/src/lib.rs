//! `GET /bookings/{bookingId}`: for its booker, the space's operator and admins (404 for
//! anyone else, so booking ids reveal nothing).

use http::StatusCode;
use jiff::Timestamp;
use shared::adapters::dynamo::DynamoStore;
use shared::api::bookings::BookingView;
use shared::http::params::path_param;
use shared::http::{Body, Caller, HttpFunction, Request, Response, json};
use shared::ports::bookings::BookingStore;
use shared::ports::spaces::SpaceStore;
use shared::usecase::bookings::visible_booking;
use shared::{ApiError, AppContext};

pub struct GetBooking<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> GetBooking<DynamoStore> {
    GetBooking {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: BookingStore + SpaceStore> HttpFunction for GetBooking<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let caller = Caller::from_request(&req)?;
        let id = path_param(&req, "bookingId")?;
        let (booking, payment) = visible_booking(&self.store, &caller, &id).await?;
        json(
            StatusCode::OK,
            &BookingView::new(&booking, Timestamp::now())
                .with_payment(payment.as_ref(), &caller.user_id),
        )
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/bookings/{bookingId}",
    tag = "bookings",
    params(
        ("bookingId" = String, Path),
    ),
    responses(
        (status = 200, description = "the booking", body = shared::api::bookings::BookingView<'static>),
        shared::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
