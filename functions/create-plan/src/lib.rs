//! `POST /membership-plans` (admin).

use http::{HeaderValue, StatusCode, header::LOCATION};
use jiff::Timestamp;
use shared::adapters::dynamo::DynamoStore;
use shared::api::plans::PlanInput;
use shared::http::{Body, Caller, HttpFunction, Request, Response, Role, json, parse_json};
use shared::ports::plans::PlanStore;
use shared::{ApiError, AppContext};

pub struct CreatePlan<P> {
    plans: P,
}

pub fn build(ctx: &AppContext) -> CreatePlan<DynamoStore> {
    CreatePlan {
        plans: DynamoStore::from_context(ctx),
    }
}

impl<P: PlanStore> HttpFunction for CreatePlan<P> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let caller = Caller::from_request(&req)?;
        caller.require(Role::Admin)?;
        let input: PlanInput = parse_json(&req)?;
        let plan = input.into_plan(uuid::Uuid::new_v4().to_string(), Timestamp::now())?;
        let audit = caller
            .audit("plan.create", format!("plan/{}", plan.id))
            .after(&plan);
        self.plans.create_plan(&plan, &audit).await?;
        tracing::info!(plan_id = %plan.id, by = %caller.user_id, "plan created");
        let mut res = json(StatusCode::CREATED, &plan)?;
        let location = HeaderValue::try_from(format!("/membership-plans/{}", plan.id))
            .map_err(ApiError::internal)?;
        res.headers_mut().insert(LOCATION, location);
        Ok(res)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/membership-plans",
    tag = "memberships",
    request_body(content = shared::api::plans::PlanInput, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = shared::domain::plan::MembershipPlan),
        shared::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
