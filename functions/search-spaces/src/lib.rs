//! `GET /spaces?lat&lng&radius_km` (or `?city`) with filters, sorting and paging: public.
//!
//! Reads the search read model only: the H3 cell partitions that can touch the circle (at
//! most 20, in parallel; `domain::search::plan_cells`) or one city partition. No Scan, no
//! constant partition key. Exact great-circle distance decides membership; the optional
//! free-window filter then checks each candidate's slot claims, page by page.

use app::AppError;
use app::ports::bookings::BookingStore;
use app::ports::search::{SearchPartition, SearchStore};
use app::ports::spaces::SpaceStore;
use app::usecase::catalog::Catalog;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::telemetry::emf;
use domain::booking_rules::plan_claims;
use domain::claims::cell_interval;
use domain::search::{SearchHit, plan_cells, sort_hits};
use edge::api::search::{Area, SearchParams, SearchQuery, encode_cursor};
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

impl<S: SearchStore + SpaceStore + BookingStore> SearchSpaces<S> {
    /// Keeps only the items bookable and unclaimed for the whole window; false if none.
    async fn free_in(
        &self,
        hit: &mut SearchHit,
        (from, to): (Timestamp, Timestamp),
        now: Timestamp,
    ) -> Result<bool, AppError> {
        let Some(entry) = self
            .catalog
            .space(&self.store, &hit.space_id, false)
            .await?
        else {
            return Ok(false);
        };
        let claims = self.store.slot_claims(&hit.space_id, from, to).await?;
        hit.items.retain(|m| {
            let Some(item) = entry.item(&m.id) else {
                return false;
            };
            let Ok(cells) = plan_claims(&entry.space, item, from, to, now) else {
                return false;
            };
            !claims.iter().any(|c| {
                c.item_id == m.id
                    && c.active_at(now)
                    && cells.iter().any(|s| {
                        let (a, b) = cell_interval(s.start);
                        c.start < b && a < c.end
                    })
            })
        });
        Ok(!hit.items.is_empty())
    }
}

impl<S: SearchStore + SpaceStore + BookingStore> HttpFunction for SearchSpaces<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let q = SearchQuery::parse(&query::<SearchParams>(&req)?)?;
        let (partitions, circle, country) = match &q.area {
            Area::Circle { center, radius_km } => {
                let plan = plan_cells(center, *radius_km)
                    .ok_or_else(|| AppError::internal("no cell plan for a valid circle"))?;
                let parts = plan
                    .cells
                    .into_iter()
                    .map(|cell| SearchPartition::Cell {
                        resolution: plan.resolution,
                        cell,
                    })
                    .collect::<Vec<_>>();
                (parts, Some((center, *radius_km)), None)
            }
            Area::City { city, country } => (
                vec![SearchPartition::City { city: city.clone() }],
                None,
                country.as_deref(),
            ),
        };
        let read = self.store.search_partitions(&partitions).await?;
        let mut hits: Vec<SearchHit> = read
            .rows
            .iter()
            .filter(|r| country.is_none_or(|c| r.country.eq_ignore_ascii_case(c)))
            .filter_map(|r| r.matches(&q.filters, circle))
            .collect();
        sort_hits(&mut hits, q.sort);
        let wanted = q.offset + q.limit + 1;
        let hits = match q.available {
            None => hits,
            Some(window) => {
                let now = Timestamp::now();
                let mut kept = Vec::with_capacity(wanted);
                for mut hit in hits {
                    if kept.len() >= wanted {
                        break;
                    }
                    if self.free_in(&mut hit, window, now).await? {
                        kept.push(hit);
                    }
                }
                kept
            }
        };
        let more = hits.len() > q.offset + q.limit;
        let items: Vec<SearchHit> = hits.into_iter().skip(q.offset).take(q.limit).collect();
        emf::emit(
            None,
            &[(
                emf::names::SEARCH_ROWS_READ,
                read.rows.len() as f64,
                emf::Unit::Count,
            )],
        );
        tracing::info!(
            partitions = read.partitions,
            rows = read.rows.len(),
            capacity = read.capacity_units,
            results = items.len(),
            "search"
        );
        json(
            StatusCode::OK,
            &SearchPage {
                items,
                next_cursor: more.then(|| encode_cursor(q.offset + q.limit, &q.fingerprint)),
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
