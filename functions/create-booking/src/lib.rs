//! `POST /bookings` {bookable_item_id, start_time, end_time} with an `Idempotency-Key`.
//!
//! Double booking is impossible by construction: the booking and a claim on every
//! 15-minute cell of the UTC lattice it covers are written in ONE DynamoDB transaction
//! whose conditions accept a cell only if it is free or held by an expired hold. There is
//! no availability read before the write; a taken cell makes the whole transaction fail,
//! answered with 409 naming the taken interval. The rules and the plan are
//! `domain::lifecycle::create`; the flow is `app::usecase::create_booking`.
//!
//! Payment: a Stripe PaymentIntent for the price is created first (Stripe call, not a
//! table read), and its record is written in that same transaction; the answer carries
//! the client secret for Stripe.js / the mobile SDKs. The booking id is derived from the
//! caller and the Idempotency-Key, so a retried request reaches the same booking. A free
//! booking is confirmed at once.

use app::AppError;
use app::ports::bookings::BookingStore;
use app::ports::memberships::MembershipStore;
use app::ports::payments::Payments;
use app::ports::spaces::SpaceStore;
use app::usecase::create_booking::{BookingDesk, CreateBookingCommand, booking_id_for};
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::stripe::StripePayments;
use aws::telemetry::{context, emf};
use edge::api::bookings::{BookingRequest, BookingView};
use edge::http::params::idempotency_key;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, created, parse_json};
use jiff::Timestamp;

pub struct CreateBooking<S, P> {
    desk: BookingDesk<S, P>,
}

pub fn build(ctx: &AppContext) -> CreateBooking<DynamoStore, StripePayments> {
    CreateBooking {
        desk: aws::desk::booking_desk(ctx),
    }
}

impl<S, P> CreateBooking<S, P> {
    pub fn new(desk: BookingDesk<S, P>) -> Self {
        Self { desk }
    }
}

impl<S: SpaceStore + BookingStore + MembershipStore, P: Payments> HttpFunction
    for CreateBooking<S, P>
{
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let key = idempotency_key(&req)?;
        let request: BookingRequest = parse_json(&req)?;
        let period = request.period()?;
        let now = Timestamp::now();
        // The booking's id (derived from caller and key) is its flow's correlation id.
        context::adopt(&booking_id_for(&caller.user_id, &key));
        let (booking, payment) = self
            .desk
            .create(
                &CreateBookingCommand {
                    user_id: &caller.user_id,
                    idempotency_key: &key,
                    item_id: &request.bookable_item_id,
                    period,
                    promo_code: request.promo_code.as_deref(),
                },
                now,
            )
            .await
            .inspect_err(emf::count_booking_conflict)?;
        let view = BookingView::new(&booking, now).with_payment(payment.as_ref(), &booking.user_id);
        created(&view, &format!("/bookings/{}", booking.id))
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/bookings",
    tag = "bookings",
    request_body(content = edge::api::bookings::BookingRequest, content_type = "application/json"),
    params(
        ("Idempotency-Key" = String, Header, description = "unique per booking attempt"),
    ),
    responses(
        (status = 201, description = "held (pay with payment.client_secret) or confirmed", body = edge::api::bookings::BookingView<'static>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
