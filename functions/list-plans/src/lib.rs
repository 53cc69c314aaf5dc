//! `GET /membership-plans`: the plans open for subscription (public), cheapest first.

use app::AppError;
use app::ports::plans::PlanStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::plan::{MembershipPlan, PlanStatus};
use edge::http::{Body, HttpFunction, Request, Response, json};
use http::StatusCode;
use serde::Serialize;

pub struct ListPlans<P> {
    plans: P,
}

pub fn build(ctx: &AppContext) -> ListPlans<DynamoStore> {
    ListPlans {
        plans: DynamoStore::from_context(ctx),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct PlanList {
    items: Vec<MembershipPlan>,
}

impl<P: PlanStore> HttpFunction for ListPlans<P> {
    async fn handle(&self, _req: Request) -> Result<Response<Body>, AppError> {
        let mut items: Vec<MembershipPlan> = self
            .plans
            .list_plans()
            .await?
            .into_iter()
            .filter(|p| p.status == PlanStatus::Active)
            .collect();
        items.sort_by(|a, b| {
            (a.monthly_price.amount, &a.name).cmp(&(b.monthly_price.amount, &b.name))
        });
        json(StatusCode::OK, &PlanList { items })
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/membership-plans",
    tag = "memberships",
    responses(
        (status = 200, description = "active plans", body = PlanList),
        edge::openapi::Problems,
    ),
)]
pub fn route() {}
