//! `GET /membership-plans/{planId}`: one plan (public).

use http::StatusCode;
use shared::adapters::dynamo::DynamoStore;
use shared::http::params::path_param;
use shared::http::{Body, HttpFunction, Request, Response, json};
use shared::ports::plans::PlanStore;
use shared::{ApiError, AppContext};

pub struct GetPlan<P> {
    plans: P,
}

pub fn build(ctx: &AppContext) -> GetPlan<DynamoStore> {
    GetPlan {
        plans: DynamoStore::from_context(ctx),
    }
}

impl<P: PlanStore> HttpFunction for GetPlan<P> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let id = path_param(&req, "planId")?;
        let plan = self
            .plans
            .get_plan(&id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no membership plan {id}")))?;
        json(StatusCode::OK, &plan)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/membership-plans/{planId}",
    tag = "memberships",
    params(
        ("planId" = String, Path),
    ),
    responses(
        (status = 200, description = "the plan", body = shared::domain::plan::MembershipPlan),
        shared::openapi::Problems,
    ),
)]
pub fn route() {}
