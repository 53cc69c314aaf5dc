//! `PUT /bookings/{bookingId}/cancel`: by its booker, the space's operator or an admin.
//!
//! The booker gets back what the cancellation policy copied onto the booking says; an
//! operator or admin refunds in full. The decision is `shared::domain::lifecycle::cancel`,
//! the flow `shared::usecase::cancel_booking`: one transaction (status, refund owed,
//! claims released, counters), then the refund at Stripe with the recorded amount and
//! key. An unpaid booking's intent is made unpayable first. Cancelling twice is harmless.

use http::StatusCode;
use jiff::Timestamp;
use shared::adapters::dynamo::DynamoStore;
use shared::adapters::stripe::StripePayments;
use shared::api::bookings::BookingView;
use shared::http::params::path_param;
use shared::http::{Body, Caller, HttpFunction, Request, Response, json};
use shared::ports::bookings::BookingStore;
use shared::ports::payments::Payments;
use shared::ports::spaces::SpaceStore;
use shared::usecase::cancel_booking::cancel_booking;
use shared::{ApiError, AppContext};

pub struct CancelBooking<S, P> {
    store: S,
    payments: P,
}

pub fn build(ctx: &AppContext) -> CancelBooking<DynamoStore, StripePayments> {
    CancelBooking {
        store: DynamoStore::from_context(ctx),
        payments: StripePayments::from_context(ctx),
    }
}

impl<S: BookingStore + SpaceStore, P: Payments> HttpFunction for CancelBooking<S, P> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let caller = Caller::from_request(&req)?;
        let id = path_param(&req, "bookingId")?;
        let now = Timestamp::now();
        let done = cancel_booking(&self.store, &self.payments, &caller, &id, now).await?;
        let mut view = BookingView::new(&done.booking, now)
            .with_payment(done.payment.as_ref(), &caller.user_id);
        view.refund = done.refund;
        json(StatusCode::OK, &view)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    put,
    path = "/bookings/{bookingId}/cancel",
    tag = "bookings",
    params(
        ("bookingId" = String, Path),
    ),
    responses(
        (status = 200, description = "cancelled (refund per policy)", body = shared::api::bookings::BookingView<'static>),
        shared::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
