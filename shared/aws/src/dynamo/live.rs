//! Live connections: `LIVECONN#<connection>` / `CONN` holds the set of spaces a connection
//! follows (so `$disconnect` knows what to remove), and `LIVE#<space>` / `C#<connection>`
//! lists a space's followers (one query per pushed change). Both expire with the
//! connection's lifetime, so a missed `$disconnect` leaves nothing behind for long.

use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, Put, ReturnConsumedCapacity, TransactWriteItem, Update,
};
use jiff::Timestamp;

use super::writes::{built, n, s};
use super::{DynamoStore, Item, TxnFailure, keys, query_all, store_error, txn_failure};
use app::ports::live::LiveConnections;
use app::ports::store::StoreError;
use domain::live::{CONNECTION_TTL_SECONDS, MAX_SPACES_PER_CONNECTION};

fn expires(now: Timestamp) -> AttributeValue {
    n(now.as_second() + CONNECTION_TTL_SECONDS)
}

fn space_set(space_id: &str) -> AttributeValue {
    AttributeValue::Ss(vec![space_id.to_string()])
}

fn follower_key(space_id: &str, connection_id: &str) -> Item {
    Item::from([
        ("PK".into(), s(keys::live_space(space_id))),
        ("SK".into(), s(keys::follower(connection_id))),
    ])
}

fn connection_key(connection_id: &str) -> Item {
    Item::from([
        ("PK".into(), s(keys::live_connection(connection_id))),
        ("SK".into(), s(keys::CONN)),
    ])
}

impl LiveConnections for DynamoStore {
    async fn connect(&self, connection_id: &str, now: Timestamp) -> Result<(), StoreError> {
        let mut item = connection_key(connection_id);
        item.insert("connected_at".into(), s(now.to_string()));
        item.insert("ttl".into(), expires(now));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map(|out| {
                let units = out.consumed_capacity().and_then(|c| c.capacity_units);
                crate::metrics::record("live_connect", units);
            })
            .map_err(store_error)
    }

    async fn subscribe(
        &self,
        connection_id: &str,
        space_id: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        // The set's size is checked in the same transaction that grows it, so concurrent
        // subscribes cannot pass the limit; following a space twice is a no-op.
        let follow = built(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(connection_key(connection_id)))
                .update_expression("ADD #spaces :space")
                .condition_expression(
                    "attribute_exists(PK) AND (attribute_not_exists(#spaces) OR size(#spaces) < :max OR contains(#spaces, :id))",
                )
                .expression_attribute_names("#spaces", "spaces")
                .expression_attribute_values(":space", space_set(space_id))
                .expression_attribute_values(":id", s(space_id))
                .expression_attribute_values(":max", n(MAX_SPACES_PER_CONNECTION))
                .build(),
        )?;
        let mut row = follower_key(space_id, connection_id);
        row.insert("connection_id".into(), s(connection_id));
        row.insert("ttl".into(), expires(now));
        let list = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(row))
                .build(),
        )?;
        let actions = vec![
            TransactWriteItem::builder().update(follow).build(),
            TransactWriteItem::builder().put(list).build(),
        ];
        match self.transact("live_subscribe", actions).await {
            Ok(()) => Ok(()),
            Err(e) => match txn_failure(e) {
                TxnFailure::Condition(_) => Err(StoreError::Conflict(format!(
                    "a connection follows at most {MAX_SPACES_PER_CONNECTION} spaces (or it is closed)"
                ))),
                TxnFailure::Other(e) => Err(e),
            },
        }
    }

    async fn unsubscribe(&self, connection_id: &str, space_id: &str) -> Result<(), StoreError> {
        let unfollow = built(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(connection_key(connection_id)))
                .update_expression("DELETE #spaces :space")
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_names("#spaces", "spaces")
                .expression_attribute_values(":space", space_set(space_id))
                .build(),
        )?;
        let unlist = built(
            Delete::builder()
                .table_name(&self.table)
                .set_key(Some(follower_key(space_id, connection_id)))
                .build(),
        )?;
        let actions = vec![
            TransactWriteItem::builder().update(unfollow).build(),
            TransactWriteItem::builder().delete(unlist).build(),
        ];
        match self.transact("live_unsubscribe", actions).await {
            Ok(()) => Ok(()),
            Err(e) => match txn_failure(e) {
                // A closed connection follows nothing: already done.
                TxnFailure::Condition(_) => Ok(()),
                TxnFailure::Other(e) => Err(e),
            },
        }
    }

    async fn disconnect(&self, connection_id: &str) -> Result<(), StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(connection_key(connection_id)))
            .projection_expression("#spaces")
            .expression_attribute_names("#spaces", "spaces")
            .send()
            .await
            .map_err(store_error)?;
        let spaces = match out.item().and_then(|i| i.get("spaces")) {
            Some(AttributeValue::Ss(spaces)) => spaces.clone(),
            _ => Vec::new(),
        };
        // At most MAX_SPACES_PER_CONNECTION + 1 deletes: one transaction, all or nothing.
        let mut actions = Vec::with_capacity(spaces.len() + 1);
        for key in spaces
            .iter()
            .map(|space| follower_key(space, connection_id))
            .chain([connection_key(connection_id)])
        {
            let delete = built(
                Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(key))
                    .build(),
            )?;
            actions.push(TransactWriteItem::builder().delete(delete).build());
        }
        self.transact("live_disconnect", actions)
            .await
            .map_err(store_error)
    }

    async fn subscribers(&self, space_id: &str) -> Result<Vec<String>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", s(keys::live_space(space_id)))
            .projection_expression("connection_id");
        let items = query_all("live_subscribers", query).await?;
        Ok(items
            .into_iter()
            .filter_map(|mut i| match i.remove("connection_id") {
                Some(AttributeValue::S(id)) => Some(id),
                _ => None,
            })
            .collect())
    }

    async fn forget(&self, space_id: &str, connection_id: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(follower_key(space_id, connection_id)))
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }
}
