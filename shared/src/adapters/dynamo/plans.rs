use aws_sdk_dynamodb::types::AttributeValue;

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};

use super::writes::{audit_put, built, n};
use super::{
    DynamoStore, TxnFailure, from_item, keys, query_all, store_error, to_item, txn_failure,
};
use crate::domain::audit::AuditEntry;
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
    async fn create_plan(
        &self,
        plan: &MembershipPlan,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let put = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(plan_item(plan)?))
                .condition_expression("attribute_not_exists(PK)")
                .build(),
        )?;
        let actions = vec![
            TransactWriteItem::builder().put(put).build(),
            audit_put(&self.table, audit)?,
        ];
        match self.transact("create_plan", actions).await {
            Ok(()) => Ok(()),
            Err(e) => match txn_failure(e) {
                TxnFailure::Condition(_) => Err(StoreError::AlreadyExists),
                TxnFailure::Other(e) => Err(e),
            },
        }
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

    async fn update_plan(
        &self,
        plan: &MembershipPlan,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let put = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(plan_item(plan)?))
                .condition_expression("attribute_exists(PK) AND version = :expected")
                .expression_attribute_values(":expected", n(plan.version - 1))
                .build(),
        )?;
        let actions = vec![
            TransactWriteItem::builder().put(put).build(),
            audit_put(&self.table, audit)?,
        ];
        match self.transact("update_plan", actions).await {
            Ok(()) => Ok(()),
            Err(e) => match txn_failure(e) {
                TxnFailure::Condition(_) => Err(StoreError::Conflict(format!(
                    "plan {}: it was changed concurrently; reload it and retry",
                    plan.id
                ))),
                TxnFailure::Other(e) => Err(e),
            },
        }
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
