//! `GET /series/{seriesId}`: a recurring series with each occurrence's booking as it is
//! now (or why it was not booked). Its member, the space's operator and admins may read
//! it; 404 for anyone else.

use app::AppError;
use app::ports::bookings::BookingStore;
use app::ports::series::SeriesStore;
use app::ports::spaces::SpaceStore;
use app::usecase::series_manage::visible_series;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::telemetry::context;
use edge::api::series::SeriesView;
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;
use jiff::Timestamp;

pub struct GetSeries<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> GetSeries<DynamoStore> {
    GetSeries {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: BookingStore + SpaceStore + SeriesStore> HttpFunction for GetSeries<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let id = path_param(&req, "seriesId")?;
        context::adopt(&id);
        let answer = visible_series(&self.store, &caller, &id).await?;
        json(
            StatusCode::OK,
            &SeriesView::new(&answer, &caller.user_id, Timestamp::now()),
        )
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/series/{seriesId}",
    tag = "bookings",
    params(("seriesId" = String, Path)),
    responses(
        (status = 200, description = "the series", body = edge::api::series::SeriesView<'static>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
