//! Membership plans: a monthly price and the benefits that feed the pricing engine.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::quota::Quotas;

use crate::error::DomainError;
use crate::money::{Money, validate_money};
use crate::validate::Violations;

/// Hours in the longest month: more included hours than that is meaningless.
pub const MAX_INCLUDED_HOURS: u32 = 744;
pub const MAX_PLAN_SPACES: usize = 200;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MembershipPlan {
    pub id: String,
    pub name: String,
    pub description: String,
    pub monthly_price: Money,
    pub benefits: PlanBenefits,
    pub status: PlanStatus,
    pub version: u64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanBenefits {
    /// Percent off bookings at the covered spaces.
    #[serde(default)]
    pub discount_percent: u8,
    /// Booking hours per calendar month that cost nothing.
    #[serde(default)]
    pub included_hours_per_month: u32,
    /// Spaces the benefits apply to; empty means every space.
    #[serde(default)]
    pub space_ids: Vec<String>,
    /// Limits on the bookings that use these benefits (`domain::quota`).
    #[serde(default, skip_serializing_if = "Quotas::is_empty")]
    pub quotas: Quotas,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PlanStatus {
    Active,
    /// No new subscriptions; existing ones keep their benefits.
    Archived,
}

pub fn validate_plan(plan: &MembershipPlan) -> Result<(), DomainError> {
    let mut v = Violations::new();
    v.text("name", &plan.name, 1, 80);
    v.text("description", &plan.description, 0, 2000);
    validate_money(&mut v, "monthly_price", &plan.monthly_price);
    v.check(
        plan.monthly_price.amount > 0,
        "monthly_price.amount",
        "range",
        "must be positive",
    );
    let b = &plan.benefits;
    v.check(
        b.discount_percent <= 100,
        "benefits.discount_percent",
        "range",
        "must be between 0 and 100",
    );
    v.check(
        b.included_hours_per_month <= MAX_INCLUDED_HOURS,
        "benefits.included_hours_per_month",
        "range",
        format!("must be at most {MAX_INCLUDED_HOURS}"),
    );
    v.check(
        b.space_ids.len() <= MAX_PLAN_SPACES,
        "benefits.space_ids",
        "max_items",
        format!("at most {MAX_PLAN_SPACES} spaces"),
    );
    let mut seen = std::collections::HashSet::new();
    for (i, id) in b.space_ids.iter().enumerate() {
        v.check(
            seen.insert(id),
            format!("benefits.space_ids[{i}]"),
            "unique",
            "is listed twice",
        );
        v.text(&format!("benefits.space_ids[{i}]"), id, 1, 64);
    }
    b.quotas.validate(&mut v, "benefits.quotas");
    v.into_result()
}
