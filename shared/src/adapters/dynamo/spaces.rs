use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};

use super::{DynamoStore, Item, from_item, keys, store_error, to_indexed_item, to_item};
use crate::domain::space::{BookableItem, Space};
use crate::ports::spaces::SpaceStore;
use crate::ports::store::StoreError;

/// DynamoDB's limit of actions in one TransactWriteItems.
const MAX_TRANSACTION_ACTIONS: usize = 100;

fn put_new(table: &str, item: Item) -> Result<TransactWriteItem, StoreError> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .map_err(|e| StoreError::Other(Box::new(e)))?;
    Ok(TransactWriteItem::builder().put(put).build())
}

impl SpaceStore for DynamoStore {
    async fn create_space(&self, space: &Space, items: &[BookableItem]) -> Result<(), StoreError> {
        if items.len() + 1 > MAX_TRANSACTION_ACTIONS {
            return Err(StoreError::Other(
                format!(
                    "a space is created with at most {} items",
                    MAX_TRANSACTION_ACTIONS - 1
                )
                .into(),
            ));
        }
        let mut actions = vec![put_new(
            &self.table,
            to_indexed_item(
                keys::space(&space.id),
                keys::PROFILE.into(),
                Some((keys::owner(&space.owner_id), keys::space(&space.id))),
                "Space",
                space,
            )?,
        )?];
        for item in items {
            actions.push(put_new(
                &self.table,
                to_item(
                    keys::space(&space.id),
                    keys::item(&item.id),
                    "BookableItem",
                    item,
                )?,
            )?);
        }
        self.client
            .transact_write_items()
            .set_transact_items(Some(actions))
            .send()
            .await
            .map_err(|e| {
                let cancelled = e
                    .as_service_error()
                    .is_some_and(|s| s.is_transaction_canceled_exception());
                if cancelled {
                    StoreError::AlreadyExists
                } else {
                    store_error(e)
                }
            })?;
        Ok(())
    }

    async fn get_space(&self, id: &str) -> Result<Option<(Space, Vec<BookableItem>)>, StoreError> {
        let mut space = None;
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk")
                .expression_attribute_values(":pk", AttributeValue::S(keys::space(id)))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(store_error)?;
            for item in out.items.unwrap_or_default() {
                match item
                    .get("entity")
                    .and_then(|v| v.as_s().ok())
                    .map(String::as_str)
                {
                    Some("Space") => space = Some(from_item::<Space>(item)?),
                    Some("BookableItem") => items.push(from_item::<BookableItem>(item)?),
                    _ => {}
                }
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        Ok(space.map(|s| (s, items)))
    }
}
