//! `PATCH /promo-codes/{code}` (its creator, or an admin): switch a code off or on, move
//! its window, change its total limit (never below what was redeemed). Audited with the
//! code before and after; 404 for a code that is not the caller's.

use app::AppError;
use app::ports::promos::PromoStore;
use app::usecase::promos::update_promo;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::promo::PromoCode;
use edge::api::promos::PromoPatchBody;
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json, parse_json};
use http::StatusCode;
use jiff::Timestamp;

pub struct UpdatePromoCode<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> UpdatePromoCode<DynamoStore> {
    UpdatePromoCode {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: PromoStore> HttpFunction for UpdatePromoCode<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let code = path_param(&req, "code")?;
        let patch: PromoPatchBody = parse_json(&req)?;
        let updated =
            update_promo(&self.store, &caller, &code, patch.into(), Timestamp::now()).await?;
        json(StatusCode::OK, &updated)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    patch,
    path = "/promo-codes/{code}",
    tag = "promo-codes",
    request_body(content = PromoPatchBody, content_type = "application/json"),
    params(
        ("code" = String, Path),
    ),
    responses(
        (status = 200, description = "updated", body = PromoCode),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
