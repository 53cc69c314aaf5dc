use aws_sdk_dynamodb::types::{Delete, TransactWriteItem};
use jiff::{SignedDuration, Timestamp};

use super::writes::{built, due_put, event_put, s};
use super::{DynamoStore, TxnFailure, is_condition_failure, keys, store_error, txn_failure};
use app::ports::schedule::{DueAction, ScheduleStore};
use app::ports::store::StoreError;
use domain::events::DomainEvent;
use domain::instant::sortable;
use domain::schedule::DueKind;

fn parse(pk: &str, sk: &str) -> Option<DueAction> {
    let mut parts = sk.splitn(3, '#');
    let at = parts.next()?.parse().ok()?;
    let kind = DueKind::parse(parts.next()?)?;
    let booking_id = parts.next()?.to_string();
    Some(DueAction {
        kind,
        booking_id,
        at,
        key: (pk.to_string(), sk.to_string()),
    })
}

impl ScheduleStore for DynamoStore {
    async fn due_actions(
        &self,
        now: Timestamp,
        lookback_hours: i64,
    ) -> Result<Vec<DueAction>, StoreError> {
        let mut tasks = tokio::task::JoinSet::new();
        for h in 0..=lookback_hours {
            let bucket = keys::due_bucket(now - SignedDuration::from_hours(h));
            let (client, table) = (self.client.clone(), self.table.clone());
            // Keys sort by their time: everything up to now, nothing later.
            let upto = format!("{}#~", sortable(now));
            tasks.spawn(crate::telemetry::context::inherit(async move {
                let out = client
                    .query()
                    .table_name(&table)
                    .key_condition_expression("PK = :pk AND SK <= :upto")
                    .expression_attribute_values(":pk", s(&bucket))
                    .expression_attribute_values(":upto", s(upto))
                    .consistent_read(true)
                    .send()
                    .await
                    .map_err(store_error)?;
                Ok::<_, StoreError>(
                    out.items
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|i| parse(i.get("PK")?.as_s().ok()?, i.get("SK")?.as_s().ok()?))
                        .collect::<Vec<_>>(),
                )
            }));
        }
        let mut due = Vec::new();
        while let Some(done) = tasks.join_next().await {
            due.extend(done.map_err(|e| StoreError::Other(Box::new(e)))??);
        }
        due.sort_by_key(|a| a.at);
        Ok(due)
    }

    async fn last_run(&self) -> Result<Option<Timestamp>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::SCHEDULER))
            .key("SK", s(keys::SCHEDULER_LAST_RUN))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        Ok(out
            .item
            .and_then(|i| i.get("at").and_then(|v| v.as_s().ok()).cloned())
            .and_then(|t| t.parse().ok()))
    }

    async fn record_run(&self, at: Timestamp) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(keys::SCHEDULER))
            .key("SK", s(keys::SCHEDULER_LAST_RUN))
            .update_expression("SET #at = :at, sort_at = :sort")
            // Never back: a slower, earlier run finishing later must not rewind it.
            .condition_expression("attribute_not_exists(sort_at) OR sort_at < :sort")
            .expression_attribute_names("#at", "at")
            .expression_attribute_values(":at", s(at.to_string()))
            .expression_attribute_values(":sort", s(sortable(at)))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if is_condition_failure(&e) => Ok(()),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn finish_due(&self, action: &DueAction) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("PK", s(&action.key.0))
            .key("SK", s(&action.key.1))
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn postpone(&self, action: &DueAction, to: Timestamp) -> Result<(), StoreError> {
        let delete = built(
            Delete::builder()
                .table_name(&self.table)
                .key("PK", s(&action.key.0))
                .key("SK", s(&action.key.1))
                .condition_expression("attribute_exists(PK)")
                .build(),
        )?;
        let actions = vec![
            TransactWriteItem::builder().delete(delete).build(),
            due_put(&self.table, action.kind, &action.booking_id, to)?,
        ];
        match self.transact("postpone_due", actions).await {
            Ok(()) => Ok(()),
            // Another run moved or finished it meanwhile.
            Err(e) => match txn_failure(e) {
                TxnFailure::Condition(_) => Ok(()),
                TxnFailure::Other(e) => Err(e),
            },
        }
    }

    async fn finish_due_with_event(
        &self,
        action: &DueAction,
        event: &DomainEvent,
    ) -> Result<bool, StoreError> {
        let delete = built(
            Delete::builder()
                .table_name(&self.table)
                .key("PK", s(&action.key.0))
                .key("SK", s(&action.key.1))
                .condition_expression("attribute_exists(PK)")
                .build(),
        )?;
        let actions = vec![
            TransactWriteItem::builder().delete(delete).build(),
            event_put(&self.table, event)?,
        ];
        match self.transact("finish_due", actions).await {
            Ok(()) => Ok(true),
            Err(e) => match txn_failure(e) {
                TxnFailure::Condition(0) => Ok(false),
                TxnFailure::Condition(_) => Err(StoreError::AlreadyExists),
                TxnFailure::Other(e) => Err(e),
            },
        }
    }
}
