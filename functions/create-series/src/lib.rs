//! `POST /series` {bookable_item_id, start_time, end_time, rrule, on_conflict} with an
//! `Idempotency-Key`: books a recurring series of one item.
//!
//! The rule (an RFC 5545 RRULE subset) is expanded in the space's zone, keeping the
//! first occurrence's local time across DST (`domain::series`). Each occurrence is an
//! ordinary booking written by the single booking's one transaction with no read before
//! it (`app::usecase::create_booking`), so double booking stays impossible; the series is
//! paid with one PaymentIntent for the booked occurrences (`app::usecase::series`).
//! `on_conflict=refuse` (default) books all or nothing, answering 409 with every
//! conflicting occurrence; `skip` books the free ones and lists the others.

use app::AppError;
use app::ports::bookings::BookingStore;
use app::ports::memberships::MembershipStore;
use app::ports::payments::Payments;
use app::ports::series::SeriesStore;
use app::ports::spaces::SpaceStore;
use app::usecase::create_booking::BookingDesk;
use app::usecase::series::{SeriesCommand, series_id_for};
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::stripe::StripePayments;
use aws::telemetry::{context, emf};
use edge::api::series::{SeriesRequest, SeriesView};
use edge::http::params::idempotency_key;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, created, parse_json};
use jiff::Timestamp;

pub struct CreateSeries<S, P> {
    desk: BookingDesk<S, P>,
}

pub fn build(ctx: &AppContext) -> CreateSeries<DynamoStore, StripePayments> {
    CreateSeries {
        desk: aws::desk::booking_desk(ctx),
    }
}

impl<S, P> CreateSeries<S, P> {
    pub fn new(desk: BookingDesk<S, P>) -> Self {
        Self { desk }
    }
}

impl<S, P> HttpFunction for CreateSeries<S, P>
where
    S: SpaceStore + BookingStore + MembershipStore + SeriesStore,
    P: Payments,
{
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let key = idempotency_key(&req)?;
        let request: SeriesRequest = parse_json(&req)?;
        let now = Timestamp::now();
        context::adopt(&series_id_for(&caller.user_id, &key));
        let answer = self
            .desk
            .create_series(
                &SeriesCommand {
                    user_id: &caller.user_id,
                    idempotency_key: &key,
                    item_id: &request.bookable_item_id,
                    start: request.start_time,
                    end: request.end_time,
                    rrule: &request.rrule,
                    on_conflict: request.on_conflict,
                },
                now,
            )
            .await
            .inspect_err(emf::count_booking_conflict)?;
        created(
            &SeriesView::new(&answer, &caller.user_id, now),
            &format!("/series/{}", answer.series.id),
        )
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/series",
    tag = "bookings",
    request_body(content = edge::api::series::SeriesRequest, content_type = "application/json"),
    params(
        ("Idempotency-Key" = String, Header, description = "unique per series attempt"),
    ),
    responses(
        (status = 201, description = "booked (pay every occurrence at once with payment.client_secret); occurrences not booked say why", body = edge::api::series::SeriesView<'static>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
