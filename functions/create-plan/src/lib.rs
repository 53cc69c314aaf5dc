//! `POST /membership-plans` (admin).

use app::AppError;
use app::ports::plans::PlanStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::api::plans::PlanInput;
use edge::http::{Body, HttpFunction, Request, Response, Role, caller_of, created, parse_json};
use jiff::Timestamp;

pub struct CreatePlan<P> {
    plans: P,
}

pub fn build(ctx: &AppContext) -> CreatePlan<DynamoStore> {
    CreatePlan {
        plans: DynamoStore::from_context(ctx),
    }
}

impl<P: PlanStore> HttpFunction for CreatePlan<P> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        caller.require(Role::Admin)?;
        let input: PlanInput = parse_json(&req)?;
        let plan = input.into_plan(uuid::Uuid::new_v4().to_string(), Timestamp::now())?;
        let audit = caller
            .audit("plan.create", format!("plan/{}", plan.id))
            .after(&plan);
        self.plans.create_plan(&plan, &audit).await?;
        tracing::info!(plan_id = %plan.id, by = %caller.user_id, "plan created");
        created(&plan, &format!("/membership-plans/{}", plan.id))
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/membership-plans",
    tag = "memberships",
    request_body(content = edge::api::plans::PlanInput, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = domain::plan::MembershipPlan),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
