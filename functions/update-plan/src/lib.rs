//! `PATCH /membership-plans/{planId}` (admin).

use app::AppError;
use app::ports::plans::PlanStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::api::plans::PlanPatch;
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response, Role, caller_of, json, parse_json};
use http::StatusCode;
use jiff::Timestamp;

pub struct UpdatePlan<P> {
    plans: P,
}

pub fn build(ctx: &AppContext) -> UpdatePlan<DynamoStore> {
    UpdatePlan {
        plans: DynamoStore::from_context(ctx),
    }
}

impl<P: PlanStore> HttpFunction for UpdatePlan<P> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        caller.require(Role::Admin)?;
        let id = path_param(&req, "planId")?;
        let patch: PlanPatch = parse_json(&req)?;
        let plan = self
            .plans
            .get_plan(&id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no membership plan {id}")))?;
        let audit = caller
            .audit("plan.update", format!("plan/{id}"))
            .before(&plan);
        let updated = patch.apply(plan, Timestamp::now())?;
        let audit = audit.after(&updated);
        self.plans.update_plan(&updated, &audit).await?;
        tracing::info!(plan_id = %id, by = %caller.user_id, version = updated.version, "plan updated");
        json(StatusCode::OK, &updated)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    patch,
    path = "/membership-plans/{planId}",
    tag = "memberships",
    request_body(content = edge::api::plans::PlanPatch, content_type = "application/json"),
    params(
        ("planId" = String, Path),
    ),
    responses(
        (status = 200, description = "updated", body = domain::plan::MembershipPlan),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
