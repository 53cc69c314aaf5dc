//! `GET /spaces?lat&lng&radius_km` (or `?city`) with filters, sorting and paging: public.
//!
//! Reads the search read model only (no Scan, no constant partition key): nearest-first
//! pages walk H3 cells outward and stop once the page is complete; other orders read every
//! candidate. The rules are in `app::usecase::search` and `domain::search`.

use app::AppError;
use app::ports::bookings::BookingStore;
use app::ports::search::SearchStore;
use app::ports::spaces::SpaceStore;
use app::usecase::catalog::Catalog;
use app::usecase::search::search;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::telemetry::emf;
use domain::search::SearchHit;
use edge::api::search::{SearchParams, SearchQuery, encode_cursor};
use edge::http::params::query;
use edge::http::{Body, HttpFunction, Request, Response, json};
use http::StatusCode;
use jiff::Timestamp;
use serde::Serialize;

pub struct SearchSpaces<S> {
    store: S,
    catalog: Catalog,
}

pub fn build(ctx: &AppContext) -> SearchSpaces<DynamoStore> {
    SearchSpaces {
        store: DynamoStore::from_context(ctx),
        catalog: Catalog::new(),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct SearchPage {
    items: Vec<SearchHit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

impl<S: SearchStore + SpaceStore + BookingStore> HttpFunction for SearchSpaces<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let q = SearchQuery::parse(&query::<SearchParams>(&req)?)?;
        let page = search(&self.store, &self.catalog, &q.spec, Timestamp::now()).await?;
        emf::emit(
            None,
            &[(
                emf::names::SEARCH_ROWS_READ,
                page.cost.rows_read as f64,
                emf::Unit::Count,
            )],
        );
        tracing::info!(
            partitions = page.cost.partitions,
            rounds = page.cost.rounds,
            rows = page.cost.rows_read,
            capacity = page.cost.capacity_units,
            results = page.items.len(),
            "search"
        );
        json(
            StatusCode::OK,
            &SearchPage {
                next_cursor: page.next.as_ref().map(|n| encode_cursor(n, &q.fingerprint)),
                items: page.items,
            },
        )
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/spaces",
    tag = "search",
    params(SearchParams    ),
    responses(
        (status = 200, description = "matching spaces", body = SearchPage),
        edge::openapi::Problems,
    ),
)]
pub fn route() {}
