//! `POST /promo-codes` (operator or admin): a promo code. An operator's is for some of
//! their own spaces (`space_ids`); an admin's may be platform-wide (no `space_ids`).
//! 201 with the code; 409 when the code exists; audited.

use app::AppError;
use app::ports::promos::PromoStore;
use app::ports::spaces::SpaceStore;
use app::usecase::promos::create_promo;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::promo::{PromoCode, PromoDraft};
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json, parse_json};
use http::StatusCode;
use jiff::Timestamp;

pub struct CreatePromoCode<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> CreatePromoCode<DynamoStore> {
    CreatePromoCode {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: PromoStore + SpaceStore> HttpFunction for CreatePromoCode<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let draft: PromoDraft = parse_json(&req)?;
        let code = create_promo(&self.store, &caller, draft, Timestamp::now()).await?;
        json(StatusCode::CREATED, &code)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/promo-codes",
    tag = "promo-codes",
    request_body(content = PromoDraft, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = PromoCode),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
