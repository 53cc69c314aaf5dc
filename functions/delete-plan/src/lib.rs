//! `DELETE /membership-plans/{planId}` (admin): archives the plan. It disappears from the
//! public list and takes no new subscribers; existing members keep their benefits.

use jiff::Timestamp;
use shared::adapters::dynamo::DynamoStore;
use shared::domain::plan::PlanStatus;
use shared::http::params::path_param;
use shared::http::response::no_content;
use shared::http::{Body, Caller, HttpFunction, Request, Response, Role};
use shared::ports::plans::PlanStore;
use shared::{ApiError, AppContext};

pub struct DeletePlan<P> {
    plans: P,
}

pub fn build(ctx: &AppContext) -> DeletePlan<DynamoStore> {
    DeletePlan {
        plans: DynamoStore::from_context(ctx),
    }
}

impl<P: PlanStore> HttpFunction for DeletePlan<P> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let caller = Caller::from_request(&req)?;
        caller.require(Role::Admin)?;
        let id = path_param(&req, "planId")?;
        let mut plan = self
            .plans
            .get_plan(&id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no membership plan {id}")))?;
        if plan.status != PlanStatus::Archived {
            let audit = caller
                .audit("plan.archive", format!("plan/{id}"))
                .before(&plan);
            plan.status = PlanStatus::Archived;
            plan.version += 1;
            plan.updated_at = Timestamp::now();
            self.plans.update_plan(&plan, &audit.after(&plan)).await?;
            tracing::info!(plan_id = %id, by = %caller.user_id, "plan archived");
        }
        Ok(no_content())
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    delete,
    path = "/membership-plans/{planId}",
    tag = "memberships",
    params(
        ("planId" = String, Path),
    ),
    responses(
        (status = 204, description = "archived"),
        shared::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
