//! `GET /promo-codes` (operator or admin): the codes the caller created, with how often
//! each was redeemed (an admin sees every code), newest first.

use app::AppError;
use app::ports::promos::PromoStore;
use app::usecase::promos::list_promos;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::promo::PromoCode;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;
use serde::Serialize;

pub struct ListPromoCodes<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> ListPromoCodes<DynamoStore> {
    ListPromoCodes {
        store: DynamoStore::from_context(ctx),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct Codes {
    items: Vec<PromoCode>,
}

impl<S: PromoStore> HttpFunction for ListPromoCodes<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let items = list_promos(&self.store, &caller).await?;
        json(StatusCode::OK, &Codes { items })
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/promo-codes",
    tag = "promo-codes",
    responses(
        (status = 200, description = "the caller's codes, newest first", body = Codes),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
