//! Membership plans.

use std::future::Future;

use crate::ports::store::StoreError;
use domain::audit::AuditEntry;
use domain::plan::MembershipPlan;

pub trait PlanStore: Send + Sync + 'static {
    fn create_plan(
        &self,
        plan: &MembershipPlan,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn get_plan(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<MembershipPlan>, StoreError>> + Send;
    /// Replaces the plan if it is still at `plan.version - 1`.
    fn update_plan(
        &self,
        plan: &MembershipPlan,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn list_plans(&self) -> impl Future<Output = Result<Vec<MembershipPlan>, StoreError>> + Send;
}
