//! `PUT /bookings/{bookingId}/cancel`: by its booker, the space's operator or an admin.
//!
//! The booker gets back what the cancellation policy copied onto the booking says; an
//! operator or admin refunds in full. The decision is `domain::lifecycle::cancel`,
//! the flow `app::usecase::cancel_booking`: one transaction (status, refund owed,
//! claims released, counters), then the refund at Stripe with the recorded amount and
//! key. An unpaid booking's intent is made unpayable first. Cancelling twice is harmless.

use app::AppError;
use app::ports::bookings::BookingStore;
use app::ports::payments::Payments;
use app::ports::spaces::SpaceStore;
use app::usecase::cancel_booking::cancel_booking;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::stripe::StripePayments;
use aws::telemetry::context;
use edge::api::bookings::BookingView;
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;
use jiff::Timestamp;

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
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let id = path_param(&req, "bookingId")?;
        let now = Timestamp::now();
        // Its booking's flow (a caller who may not cancel it only adds a rejected line).
        context::adopt(&id);
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
        (status = 200, description = "cancelled (refund per policy)", body = edge::api::bookings::BookingView<'static>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
