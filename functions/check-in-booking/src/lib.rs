//! `POST /bookings/{bookingId}/check-in`: the member (or the space's operator, or an admin)
//! checks in to a confirmed booking, from the space's check-in window before its start
//! until its end. Where the space requires check-in, a booking nobody checked in to is
//! released `grace_minutes` after its start (`booking-scheduler`). Checking in twice is
//! harmless; 409 outside the window or for a booking not confirmed; 404 for others.

use app::AppError;
use app::ports::bookings::BookingStore;
use app::ports::payments::Payments;
use app::ports::spaces::SpaceStore;
use app::usecase::check_in::check_in_booking;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::stripe::StripePayments;
use aws::telemetry::context;
use edge::api::bookings::BookingView;
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;
use jiff::Timestamp;

pub struct CheckInBooking<S, P> {
    store: S,
    payments: P,
}

pub fn build(ctx: &AppContext) -> CheckInBooking<DynamoStore, StripePayments> {
    CheckInBooking {
        store: DynamoStore::from_context(ctx),
        payments: StripePayments::from_context(ctx),
    }
}

impl<S: BookingStore + SpaceStore, P: Payments> HttpFunction for CheckInBooking<S, P> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let id = path_param(&req, "bookingId")?;
        context::adopt(&id);
        let now = Timestamp::now();
        let booking = check_in_booking(&self.store, &self.payments, &caller, &id, now).await?;
        json(StatusCode::OK, &BookingView::new(&booking, now))
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/bookings/{bookingId}/check-in",
    tag = "bookings",
    params(
        ("bookingId" = String, Path),
    ),
    responses(
        (status = 200, description = "checked in (or was already)", body = edge::api::bookings::BookingView<'static>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
