//! `PUT /series/{seriesId}/cancel` {from?}: cancels the rest of a recurring series (the
//! occurrences starting at or after `from`, or every one not yet over), each under the
//! policy copied onto it, with its share of the series' payment refunded by that policy
//! (in full when the space's operator or an admin cancels). An unpaid series is
//! cancelled whole. One occurrence alone is cancelled at `POST /bookings/{id}/cancel`.

use app::AppError;
use app::ports::bookings::BookingStore;
use app::ports::payments::Payments;
use app::ports::series::SeriesStore;
use app::ports::spaces::SpaceStore;
use app::usecase::series_manage::cancel_series;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::stripe::StripePayments;
use aws::telemetry::context;
use edge::api::series::{CancelSeriesRequest, SeriesView};
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json, parse_json};
use http::StatusCode;
use jiff::Timestamp;

pub struct CancelSeries<S, P> {
    store: S,
    payments: P,
}

pub fn build(ctx: &AppContext) -> CancelSeries<DynamoStore, StripePayments> {
    CancelSeries {
        store: DynamoStore::from_context(ctx),
        payments: StripePayments::from_context(ctx),
    }
}

impl<S: BookingStore + SpaceStore + SeriesStore, P: Payments> HttpFunction for CancelSeries<S, P> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let id = path_param(&req, "seriesId")?;
        context::adopt(&id);
        // An empty body cancels every occurrence not yet over.
        let request: CancelSeriesRequest = if req.body().is_empty() {
            CancelSeriesRequest::default()
        } else {
            parse_json(&req)?
        };
        let now = Timestamp::now();
        let answer =
            cancel_series(&self.store, &self.payments, &caller, &id, request.from, now).await?;
        json(
            StatusCode::OK,
            &SeriesView::new(&answer, &caller.user_id, now),
        )
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    put,
    path = "/series/{seriesId}/cancel",
    tag = "bookings",
    params(("seriesId" = String, Path)),
    request_body(content = edge::api::series::CancelSeriesRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "cancelled (occurrences show their refunds)", body = edge::api::series::SeriesView<'static>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
