//! `PUT /rentals/{rentalId}/end`: ends an open-ended rental. The subscription is
//! cancelled at once (no further invoice), the month held for the next invoice is
//! released, the months paid stay booked. Ending twice answers the same. The member, the
//! space's operator and admins may end it (404 for anyone else).

use app::AppError;
use app::ports::bookings::BookingStore;
use app::ports::memberships::MembershipStore;
use app::ports::payments::Payments;
use app::ports::rentals::RentalStore;
use app::ports::spaces::SpaceStore;
use app::usecase::create_booking::BookingDesk;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::stripe::StripePayments;
use aws::telemetry::context;
use edge::api::rentals::RentalView;
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;
use jiff::Timestamp;

pub struct EndRental<S, P> {
    desk: BookingDesk<S, P>,
}

pub fn build(ctx: &AppContext) -> EndRental<DynamoStore, StripePayments> {
    EndRental::new(aws::desk::booking_desk(ctx))
}

impl<S, P> EndRental<S, P> {
    pub fn new(desk: BookingDesk<S, P>) -> Self {
        Self { desk }
    }
}

impl<S, P> HttpFunction for EndRental<S, P>
where
    S: SpaceStore + BookingStore + MembershipStore + RentalStore,
    P: Payments,
{
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let id = path_param(&req, "rentalId")?;
        context::adopt(&id);
        let now = Timestamp::now();
        let answer = self.desk.end_rental(&caller, &id, now).await?;
        json(
            StatusCode::OK,
            &RentalView::new(&answer, &caller.user_id, now),
        )
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    put,
    path = "/rentals/{rentalId}/end",
    tag = "bookings",
    params(("rentalId" = String, Path)),
    responses(
        (status = 200, description = "ended: months paid stay booked, the held month is released", body = edge::api::rentals::RentalView<'static>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
