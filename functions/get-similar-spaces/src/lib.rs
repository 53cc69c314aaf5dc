//! `GET /spaces/{spaceId}/similar?limit` (public): spaces like this one nearby and open today,
//! best first, each with its score. The scoring is `domain::search::similar`; the candidates
//! are the nearest few times `limit`, read by the same early-stopping walk as search.

use app::AppError;
use app::ports::search::SearchStore;
use app::ports::spaces::SpaceStore;
use app::usecase::catalog::Catalog;
use app::usecase::search::similar;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::search::SearchHit;
use domain::search::similar::{DEFAULT_SIMILAR, MAX_SIMILAR};
use domain::validate::Violations;
use edge::http::params::{path_param, query};
use edge::http::{Body, HttpFunction, Request, Response, json};
use http::StatusCode;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub struct GetSimilarSpaces<S> {
    store: S,
    catalog: Catalog,
}

pub fn build(ctx: &AppContext) -> GetSimilarSpaces<DynamoStore> {
    GetSimilarSpaces {
        store: DynamoStore::from_context(ctx),
        catalog: Catalog::new(),
    }
}

/// `GET /spaces/{spaceId}/similar`'s query string.
#[derive(Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SimilarParams {
    /// How many, 1 to 20 (default 6).
    #[param(value_type = Option<u32>)]
    limit: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Similar {
    /// From 0 to 1: how good an alternative it is (README "Recommendations").
    score: f64,
    #[serde(flatten)]
    space: SearchHit,
}

#[derive(Serialize, utoipa::ToSchema)]
struct SimilarList {
    items: Vec<Similar>,
}

impl<S: SearchStore + SpaceStore> HttpFunction for GetSimilarSpaces<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let id = path_param(&req, "spaceId")?;
        let params = query::<SimilarParams>(&req)?;
        let mut v = Violations::new();
        let limit = match params.limit.as_deref().map(|l| l.trim().parse::<usize>()) {
            None => DEFAULT_SIMILAR,
            Some(Ok(l)) if (1..=MAX_SIMILAR).contains(&l) => l,
            Some(_) => {
                v.add(
                    "limit",
                    "range",
                    format!("a whole number from 1 to {MAX_SIMILAR}"),
                );
                DEFAULT_SIMILAR
            }
        };
        v.into_result()?;
        let Some((ranked, cost)) =
            similar(&self.store, &self.catalog, &id, limit, Timestamp::now()).await?
        else {
            return Err(AppError::NotFound(format!("no space {id}")));
        };
        tracing::info!(
            partitions = cost.partitions,
            rows = cost.rows_read,
            results = ranked.len(),
            "similar spaces"
        );
        json(
            StatusCode::OK,
            &SimilarList {
                items: ranked
                    .into_iter()
                    .map(|(score, space)| Similar {
                        score: (score * 1000.0).round() / 1000.0,
                        space,
                    })
                    .collect(),
            },
        )
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/spaces/{spaceId}/similar",
    tag = "search",
    params(
        ("spaceId" = String, Path),
        SimilarParams,
    ),
    responses(
        (status = 200, description = "similar spaces nearby, best first", body = SimilarList),
        edge::openapi::Problems,
    ),
)]
pub fn route() {}
