//! `DELETE /membership-plans/{planId}` (admin): archives the plan. It disappears from the
//! public list and takes no new subscribers; existing members keep their benefits.

use app::AppError;
use app::ports::plans::PlanStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::plan::PlanStatus;
use edge::http::params::path_param;
use edge::http::response::no_content;
use edge::http::{Body, HttpFunction, Request, Response, Role, caller_of};
use jiff::Timestamp;

pub struct DeletePlan<P> {
    plans: P,
}

pub fn build(ctx: &AppContext) -> DeletePlan<DynamoStore> {
    DeletePlan {
        plans: DynamoStore::from_context(ctx),
    }
}

impl<P: PlanStore> HttpFunction for DeletePlan<P> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        caller.require(Role::Admin)?;
        let id = path_param(&req, "planId")?;
        let mut plan = self
            .plans
            .get_plan(&id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no membership plan {id}")))?;
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
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
