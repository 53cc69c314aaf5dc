//! Waitlist entries: `WAITLIST#<item>` / `<joined>#<id>`, listed per member in GSI1.

use aws_sdk_dynamodb::types::{Put, ReturnConsumedCapacity, TransactWriteItem};

use super::writes::{built, event_put, n, s, ttl_after};
use super::{DynamoStore, TxnFailure, from_item, keys, store_error, to_indexed_item, txn_failure};
use app::ports::store::StoreError;
use app::ports::waitlist::WaitlistStore;
use domain::events::DomainEvent;
use domain::waitlist::WaitlistEntry;

/// An entry, deleted by TTL a week after the time it waits for has passed (a line is
/// read whole on every freed event: it only holds entries that can still matter).
fn entry_item(e: &WaitlistEntry) -> Result<super::Item, StoreError> {
    let sk = keys::waitlist_entry(e.joined_at, &e.id);
    let mut item = to_indexed_item(
        keys::waitlist(&e.bookable_item_id),
        sk.clone(),
        Some((keys::waiter(&e.user_id), sk)),
        "WaitlistEntry",
        e,
    )?;
    item.insert("ttl".into(), ttl_after(e.end_time, 7));
    Ok(item)
}

impl DynamoStore {
    async fn query_entries(
        &self,
        index: Option<&str>,
        pk_name: &str,
        pk: String,
    ) -> Result<Vec<WaitlistEntry>, StoreError> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(index.map(str::to_owned))
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", pk_name)
                .expression_attribute_values(":pk", s(&pk))
                .set_consistent_read(index.is_none().then_some(true))
                .set_exclusive_start_key(start)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(store_error)?;
            crate::metrics::record(
                "waitlist_query",
                page.consumed_capacity().and_then(|c| c.capacity_units),
            );
            for item in page.items.unwrap_or_default() {
                out.push(from_item(item)?);
            }
            start = page.last_evaluated_key;
            if start.is_none() {
                return Ok(out);
            }
        }
    }
}

impl WaitlistStore for DynamoStore {
    async fn join_line(&self, entry: &WaitlistEntry) -> Result<(), StoreError> {
        let out = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(entry_item(entry)?))
            .condition_expression("attribute_not_exists(PK)")
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(store_error)?;
        crate::metrics::record(
            "join_waitlist",
            out.consumed_capacity().and_then(|c| c.capacity_units),
        );
        Ok(())
    }

    async fn line(&self, item_id: &str) -> Result<Vec<WaitlistEntry>, StoreError> {
        self.query_entries(None, "PK", keys::waitlist(item_id))
            .await
    }

    async fn entries_of(&self, user_id: &str) -> Result<Vec<WaitlistEntry>, StoreError> {
        self.query_entries(Some("GSI1"), "GSI1PK", keys::waiter(user_id))
            .await
    }

    async fn update_entry(
        &self,
        entry: &WaitlistEntry,
        event: Option<&DomainEvent>,
    ) -> Result<bool, StoreError> {
        let put = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(entry_item(entry)?))
                .condition_expression("version = :v")
                .expression_attribute_values(":v", n(entry.version.saturating_sub(1)))
                .build(),
        )?;
        let mut actions = vec![TransactWriteItem::builder().put(put).build()];
        if let Some(e) = event {
            actions.push(event_put(&self.table, e)?);
        }
        let out = self
            .client
            .transact_write_items()
            .set_transact_items(Some(actions))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await;
        match out {
            Ok(out) => {
                crate::metrics::record(
                    "update_waitlist_entry",
                    Some(
                        out.consumed_capacity()
                            .iter()
                            .filter_map(|c| c.capacity_units)
                            .sum(),
                    ),
                );
                Ok(true)
            }
            Err(e) => match txn_failure(e) {
                TxnFailure::Condition(0) => Ok(false),
                // A fresh event id already there: nothing was written.
                TxnFailure::Condition(_) => Err(StoreError::AlreadyExists),
                TxnFailure::Other(e) => Err(e),
            },
        }
    }
}
