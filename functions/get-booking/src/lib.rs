//! `GET /bookings/{bookingId}`: for its booker, the space's operator and admins (404 for
//! anyone else, so booking ids reveal nothing).

use app::AppError;
use app::ports::bookings::BookingStore;
use app::ports::spaces::SpaceStore;
use app::usecase::cancel_booking::booking_with_refund_preview;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::api::bookings::BookingView;
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;
use jiff::Timestamp;

pub struct GetBooking<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> GetBooking<DynamoStore> {
    GetBooking {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: BookingStore + SpaceStore> HttpFunction for GetBooking<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let id = path_param(&req, "bookingId")?;
        let now = Timestamp::now();
        let (booking, payment, preview) =
            booking_with_refund_preview(&self.store, &caller, &id, now).await?;
        let mut view =
            BookingView::new(&booking, now).with_payment(payment.as_ref(), &caller.user_id);
        view.refund_if_cancelled = preview;
        json(StatusCode::OK, &view)
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
        (status = 200, description = "the booking", body = edge::api::bookings::BookingView<'static>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
