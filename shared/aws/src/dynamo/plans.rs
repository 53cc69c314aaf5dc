use aws_sdk_dynamodb::types::AttributeValue;

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};

use super::writes::{audit_put, built, n};
use super::{
    DynamoStore, TxnFailure, from_item, keys, query_all, store_error, to_item, txn_failure,
};
use app::ports::plans::PlanStore;
use app::ports::store::StoreError;
use domain::audit::AuditEntry;
use domain::plan::MembershipPlan;

fn plan_item(plan: &MembershipPlan) -> Result<super::Item, StoreError> {
    to_item(
        keys::PLANS.into(),
        keys::plan(&plan.id),
        "MembershipPlan",
        plan,
    )
}

impl DynamoStore {
    /// Writes the plan if `condition` holds, with its audit entry, in one transaction;
    /// `refused` is the answer when the condition fails.
    async fn put_plan(
        &self,
        op: &'static str,
        put: aws_sdk_dynamodb::types::builders::PutBuilder,
        plan: &MembershipPlan,
        audit: &AuditEntry,
        refused: impl FnOnce() -> StoreError,
    ) -> Result<(), StoreError> {
        let put = built(
            put.table_name(&self.table)
                .set_item(Some(plan_item(plan)?))
                .build(),
        )?;
        let actions = vec![
            TransactWriteItem::builder().put(put).build(),
            audit_put(&self.table, audit)?,
        ];
        match self.transact(op, actions).await {
            Ok(()) => Ok(()),
            Err(e) => match txn_failure(e) {
                TxnFailure::Condition(_) => Err(refused()),
                TxnFailure::Other(e) => Err(e),
            },
        }
    }
}

impl PlanStore for DynamoStore {
    async fn create_plan(
        &self,
        plan: &MembershipPlan,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let put = Put::builder().condition_expression("attribute_not_exists(PK)");
        self.put_plan("create_plan", put, plan, audit, || {
            StoreError::AlreadyExists
        })
        .await
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
        let put = Put::builder()
            .condition_expression("attribute_exists(PK) AND version = :expected")
            .expression_attribute_values(":expected", n(plan.version - 1));
        self.put_plan("update_plan", put, plan, audit, || {
            StoreError::Conflict(format!(
                "plan {}: it was changed concurrently; reload it and retry",
                plan.id
            ))
        })
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
