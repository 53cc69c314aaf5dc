//! `GET /membership-plans/{planId}`: one plan (public).

use app::AppError;
use app::ports::plans::PlanStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response, json};
use http::StatusCode;

pub struct GetPlan<P> {
    plans: P,
}

pub fn build(ctx: &AppContext) -> GetPlan<DynamoStore> {
    GetPlan {
        plans: DynamoStore::from_context(ctx),
    }
}

impl<P: PlanStore> HttpFunction for GetPlan<P> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let id = path_param(&req, "planId")?;
        let plan = self
            .plans
            .get_plan(&id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no membership plan {id}")))?;
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
        (status = 200, description = "the plan", body = domain::plan::MembershipPlan),
        edge::openapi::Problems,
    ),
)]
pub fn route() {}
