//! `POST /rentals` {bookable_item_id, start_date, payment_method_id} with an
//! `Idempotency-Key`: rents an office open-ended, billed monthly as a Stripe subscription.
//!
//! Month 0 is held like any month stay (one transaction, no read before it), then Stripe
//! is asked for the subscription; its first invoice's news confirms month 0 and holds
//! month 1 (`app::usecase::rentals`, `domain::rental`). Answers 201 with the rental
//! `starting`; where the card needs the member (3-D Secure, a decline), `client_secret`
//! pays the first invoice while month 0 is held.

use app::AppError;
use app::ports::bookings::BookingStore;
use app::ports::memberships::MembershipStore;
use app::ports::payments::Payments;
use app::ports::rentals::RentalStore;
use app::ports::spaces::SpaceStore;
use app::usecase::create_booking::BookingDesk;
use app::usecase::rentals::{StartRental, rental_id_for};
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::stripe::StripePayments;
use aws::telemetry::{context, emf};
use edge::api::rentals::{RentalRequest, RentalView};
use edge::http::params::idempotency_key;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, created, parse_json};
use jiff::Timestamp;

pub struct CreateRental<S, P> {
    desk: BookingDesk<S, P>,
}

pub fn build(ctx: &AppContext) -> CreateRental<DynamoStore, StripePayments> {
    CreateRental {
        desk: aws::desk::booking_desk(ctx),
    }
}

impl<S, P> CreateRental<S, P> {
    pub fn new(desk: BookingDesk<S, P>) -> Self {
        Self { desk }
    }
}

impl<S, P> HttpFunction for CreateRental<S, P>
where
    S: SpaceStore + BookingStore + MembershipStore + RentalStore,
    P: Payments,
{
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let key = idempotency_key(&req)?;
        let request: RentalRequest = parse_json(&req)?;
        if !request.payment_method_id.starts_with("pm_") || request.payment_method_id.len() > 255 {
            return Err(AppError::field(
                "payment_method_id",
                "format",
                "must be a Stripe PaymentMethod id (pm_...)",
            ));
        }
        let now = Timestamp::now();
        context::adopt(&rental_id_for(&caller.user_id, &key));
        let answer = self
            .desk
            .start_rental(
                &StartRental {
                    user_id: &caller.user_id,
                    idempotency_key: &key,
                    item_id: &request.bookable_item_id,
                    start_date: request.start_date,
                    payment_method_id: &request.payment_method_id,
                },
                now,
            )
            .await
            .inspect_err(emf::count_booking_conflict)?;
        created(
            &RentalView::new(&answer, &caller.user_id, now),
            &format!("/rentals/{}", answer.rental.id),
        )
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/rentals",
    tag = "bookings",
    request_body(content = edge::api::rentals::RentalRequest, content_type = "application/json"),
    params(
        ("Idempotency-Key" = String, Header, description = "unique per rental attempt"),
    ),
    responses(
        (status = 201, description = "month 0 held and the subscription made; its first paid invoice confirms month 0", body = edge::api::rentals::RentalView<'static>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
