use aws_sdk_dynamodb::types::AttributeValue;

use super::{DynamoStore, from_item, is_condition_failure, keys, store_error, to_item};
use crate::domain::plan::MembershipPlan;
use crate::ports::plans::PlanStore;
use crate::ports::store::StoreError;

impl PlanStore for DynamoStore {
    async fn create_plan(&self, plan: &MembershipPlan) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(
                keys::PLANS.into(),
                keys::plan(&plan.id),
                "MembershipPlan",
                plan,
            )?))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(|e| {
                if is_condition_failure(&e) {
                    StoreError::AlreadyExists
                } else {
                    store_error(e)
                }
            })?;
        Ok(())
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
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(
                keys::PLANS.into(),
                keys::plan(&plan.id),
                "MembershipPlan",
                plan,
            )?))
            .condition_expression("attribute_exists(PK) AND version = :expected")
            .expression_attribute_values(
                ":expected",
                AttributeValue::N((plan.version - 1).to_string()),
            )
            .send()
            .await
            .map_err(|e| {
                if is_condition_failure(&e) {
                    StoreError::Conflict(format!(
                        "plan {}: it was changed concurrently; reload it and retry",
                        plan.id
                    ))
                } else {
                    store_error(e)
                }
            })?;
        Ok(())
    }

    async fn list_plans(&self) -> Result<Vec<MembershipPlan>, StoreError> {
        let mut plans = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk")
                .expression_attribute_values(":pk", AttributeValue::S(keys::PLANS.into()))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(store_error)?;
            for item in out.items.unwrap_or_default() {
                plans.push(from_item(item)?);
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(plans);
            }
        }
    }
}
