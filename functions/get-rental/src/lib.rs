//! `GET /rentals/{rentalId}`: an open-ended rental with its latest months' bookings. Its
//! member, the space's operator and admins may read it; 404 for anyone else.

use app::AppError;
use app::ports::bookings::BookingStore;
use app::ports::rentals::RentalStore;
use app::ports::spaces::SpaceStore;
use app::usecase::rentals::visible_rental;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::telemetry::context;
use edge::api::rentals::RentalView;
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;
use jiff::Timestamp;

pub struct GetRental<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> GetRental<DynamoStore> {
    GetRental::new(DynamoStore::from_context(ctx))
}

impl<S> GetRental<S> {
    pub fn new(store: S) -> Self {
        Self { store }
    }
}

impl<S: BookingStore + SpaceStore + RentalStore> HttpFunction for GetRental<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let id = path_param(&req, "rentalId")?;
        context::adopt(&id);
        let answer = visible_rental(&self.store, &caller, &id).await?;
        json(
            StatusCode::OK,
            &RentalView::new(&answer, &caller.user_id, Timestamp::now()),
        )
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/rentals/{rentalId}",
    tag = "bookings",
    params(("rentalId" = String, Path)),
    responses(
        (status = 200, description = "the rental", body = edge::api::rentals::RentalView<'static>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
