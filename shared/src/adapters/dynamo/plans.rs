use aws_sdk_dynamodb::types::AttributeValue;

use super::{DynamoStore, from_item, keys, query_all, store_error, to_item};
use crate::domain::plan::MembershipPlan;
use crate::ports::plans::PlanStore;
use crate::ports::store::StoreError;

fn plan_item(plan: &MembershipPlan) -> Result<super::Item, StoreError> {
    to_item(
        keys::PLANS.into(),
        keys::plan(&plan.id),
        "MembershipPlan",
        plan,
    )
}

impl PlanStore for DynamoStore {
    async fn create_plan(&self, plan: &MembershipPlan) -> Result<(), StoreError> {
        self.put_new(plan_item(plan)?).await
    }

    async fn get_plan(&self, id: &str) -> Result<Option<MembershipPlan>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", AttributeValue::S(keys::PLANS.into()))
            .key("SK", AttributeValue::S(keys::plan(id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        out.item.map(from_item).transpose()
    }

    async fn update_plan(&self, plan: &MembershipPlan) -> Result<(), StoreError> {
        self.put_versioned(plan_item(plan)?, plan.version, &format!("plan {}", plan.id))
            .await
    }

    async fn list_plans(&self) -> Result<Vec<MembershipPlan>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(keys::PLANS.into()));
        query_all("list_plans", query)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }
}
