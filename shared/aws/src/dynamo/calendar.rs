//! Calendar feeds: one item per member (`USER#<id>` / `CALFEED`) holding the feed key,
//! indexed by it (GSI1 `CALFEED#<key>`). The lookup goes through the index, then confirms
//! the key on the member's item read consistently, so a replaced, stopped or erased feed
//! stops resolving with the write that ends it (erasing the member's partition erases it).

use super::writes::s;
use super::{DynamoStore, keys, store_error};
use app::ports::calendar::{CalendarFeeds, FeedRecord};
use app::ports::store::StoreError;
use aws_sdk_dynamodb::types::AttributeValue;

fn text(item: &super::Item, key: &str) -> Option<String> {
    match item.get(key) {
        Some(AttributeValue::S(v)) => Some(v.clone()),
        _ => None,
    }
}

impl CalendarFeeds for DynamoStore {
    async fn set_feed(&self, user_id: &str, feed: &FeedRecord) -> Result<(), StoreError> {
        let out = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("PK", s(keys::user(user_id)))
            .item("SK", s(keys::CALENDAR_FEED))
            .item("entity", s("CalendarFeed"))
            .item("feed_key", s(&feed.key))
            .item("created_at", s(feed.created_at.to_string()))
            .item("GSI1PK", s(keys::calendar_feed(&feed.key)))
            .item("GSI1SK", s(keys::CALENDAR_FEED))
            .return_consumed_capacity(aws_sdk_dynamodb::types::ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(store_error)?;
        crate::metrics::record(
            "set_feed",
            out.consumed_capacity().and_then(|c| c.capacity_units),
        );
        Ok(())
    }

    async fn remove_feed(&self, user_id: &str) -> Result<(), StoreError> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(user_id)))
            .key("SK", s(keys::CALENDAR_FEED))
            .return_consumed_capacity(aws_sdk_dynamodb::types::ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(store_error)?;
        crate::metrics::record(
            "remove_feed",
            out.consumed_capacity().and_then(|c| c.capacity_units),
        );
        Ok(())
    }

    async fn feed_owner(&self, key: &str) -> Result<Option<String>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("GSI1")
            .key_condition_expression("GSI1PK = :pk")
            .expression_attribute_values(":pk", s(keys::calendar_feed(key)))
            .limit(1)
            .return_consumed_capacity(aws_sdk_dynamodb::types::ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(store_error)?;
        crate::metrics::record(
            "feed_owner",
            out.consumed_capacity().and_then(|c| c.capacity_units),
        );
        let Some(user_id) = out
            .items()
            .first()
            .and_then(|item| text(item, "PK"))
            .and_then(|pk| pk.strip_prefix("USER#").map(str::to_owned))
        else {
            return Ok(None);
        };
        // The index is eventually consistent: a replaced, stopped or erased feed may still
        // be found there for a moment. The member's item, read consistently, decides.
        let current = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(&user_id)))
            .key("SK", s(keys::CALENDAR_FEED))
            .consistent_read(true)
            .return_consumed_capacity(aws_sdk_dynamodb::types::ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(store_error)?;
        crate::metrics::record(
            "feed_owner",
            current.consumed_capacity().and_then(|c| c.capacity_units),
        );
        let still = current
            .item
            .as_ref()
            .and_then(|item| text(item, "feed_key"))
            .is_some_and(|k| k == key);
        Ok(still.then_some(user_id))
    }
}
