//! Request bodies of the membership-plan routes.

use jiff::Timestamp;
use serde::Deserialize;

use crate::http::patch::set;
use app::error::AppError;
use domain::money::Money;
use domain::plan::{MembershipPlan, PlanBenefits, PlanStatus, validate_plan};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub monthly_price: Money,
    #[serde(default)]
    pub benefits: PlanBenefits,
}

impl PlanInput {
    pub fn into_plan(self, id: String, now: Timestamp) -> Result<MembershipPlan, AppError> {
        let plan = MembershipPlan {
            id,
            name: self.name.trim().to_string(),
            description: self.description,
            monthly_price: Money::new(self.monthly_price.amount, &self.monthly_price.currency),
            benefits: self.benefits,
            status: PlanStatus::Active,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        validate_plan(&plan)?;
        Ok(plan)
    }
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub monthly_price: Option<Money>,
    pub benefits: Option<PlanBenefits>,
    pub status: Option<PlanStatus>,
}

impl PlanPatch {
    pub fn apply(
        self,
        mut plan: MembershipPlan,
        now: Timestamp,
    ) -> Result<MembershipPlan, AppError> {
        set(&mut plan.name, self.name.map(|n| n.trim().to_string()));
        set(&mut plan.description, self.description);
        set(
            &mut plan.monthly_price,
            self.monthly_price
                .map(|p| Money::new(p.amount, &p.currency)),
        );
        set(&mut plan.benefits, self.benefits);
        set(&mut plan.status, self.status);
        plan.version += 1;
        plan.updated_at = now;
        validate_plan(&plan)?;
        Ok(plan)
    }
}
