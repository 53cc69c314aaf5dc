use aws_sdk_dynamodb::types::ReturnValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jiff::Timestamp;

use super::writes::{s, ttl_after};
use super::{DynamoStore, Item, from_item, keys, store_error, to_item};
use crate::domain::notification::Notification;
use crate::ports::bookings::Page;
use crate::ports::notifications::NotificationStore;
use crate::ports::store::StoreError;

impl NotificationStore for DynamoStore {
    async fn put_notification(&self, n: &Notification) -> Result<bool, StoreError> {
        let item = to_item(
            keys::user(&n.user_id),
            keys::notification(&n.id),
            "Notification",
            n,
        )?;
        match self.put_new(item).await {
            Ok(()) => Ok(true),
            Err(StoreError::AlreadyExists) => Ok(false),
            Err(e) => Err(e),
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
        let pk = keys::user(user_id);
        let start = match cursor {
            None => None,
            Some(c) => {
                let sk = B64
                    .decode(c)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .filter(|sk| sk.starts_with("NOTIF#"))
                    .ok_or(StoreError::BadCursor)?;
                Some(Item::from([
                    ("PK".to_string(), s(&pk)),
                    ("SK".to_string(), s(sk)),
                ]))
            }
        };
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :n)")
            .expression_attribute_values(":pk", s(&pk))
            .expression_attribute_values(":n", s("NOTIF#"))
            .scan_index_forward(false)
            .limit(limit as i32)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(store_error)?;
        let next_cursor = out
            .last_evaluated_key
            .as_ref()
            .and_then(|k| k.get("SK"))
            .and_then(|v| v.as_s().ok())
            .map(|sk| B64.encode(sk));
        let items = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(from_item::<Notification>)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page { items, next_cursor })
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
