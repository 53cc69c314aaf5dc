use aws_sdk_dynamodb::types::{Put, ReturnValue, TransactWriteItem};
use jiff::Timestamp;

use super::writes::{built, s, ttl_after, user_exists};
use super::{DynamoStore, Item, TxnFailure, from_item, keys, store_error, to_item, txn_failure};
use app::ports::bookings::Page;
use app::ports::notifications::NotificationStore;
use app::ports::store::StoreError;
use domain::notification::Notification;

impl NotificationStore for DynamoStore {
    async fn put_notification(&self, n: &Notification) -> Result<bool, StoreError> {
        let item = to_item(
            keys::user(&n.user_id),
            keys::notification(&n.id),
            "Notification",
            n,
        )?;
        let put = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(PK)")
                .build(),
        )?;
        let actions = vec![
            user_exists(&self.table, &n.user_id)?,
            TransactWriteItem::builder().put(put).build(),
        ];
        // Already there (a redelivery), or its member erased meanwhile: nothing new.
        match self.transact("put_notification", actions).await {
            Ok(()) => Ok(true),
            Err(e) => match txn_failure(e) {
                TxnFailure::Condition(_) => Ok(false),
                TxnFailure::Other(e) => Err(e),
            },
        }
    }

    async fn claim_delivery(
        &self,
        event_id: &str,
        channel: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut item = Item::new();
        item.insert("PK".into(), s(keys::delivery(event_id, channel)));
        item.insert("SK".into(), s("DELIVERY"));
        item.insert("claimed_at".into(), s(now.to_string()));
        item.insert("ttl".into(), ttl_after(now, 30));
        match self.put_new(item).await {
            Ok(()) => Ok(true),
            Err(StoreError::AlreadyExists) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn release_delivery(&self, event_id: &str, channel: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("PK", s(keys::delivery(event_id, channel)))
            .key("SK", s("DELIVERY"))
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn list_notifications(
        &self,
        user_id: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<Notification>, StoreError> {
        self.newest_first(
            "list_notifications",
            &keys::user(user_id),
            "NOTIF#",
            limit,
            cursor,
        )
        .await
    }

    async fn mark_read(
        &self,
        user_id: &str,
        id: &str,
        now: Timestamp,
    ) -> Result<Notification, StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(user_id)))
            .key("SK", s(keys::notification(id)))
            // The first read time stays.
            .update_expression("SET read_at = if_not_exists(read_at, :now)")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":now", s(now.to_string()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(|e| {
                if super::is_condition_failure(&e) {
                    StoreError::NotFound(format!("no notification {id}"))
                } else {
                    store_error(e)
                }
            })?;
        from_item(out.attributes.unwrap_or_default())
    }
}
