use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, TransactWriteItem};
use jiff::Timestamp;

use super::search::{delete_rows, item_row_updates, item_summary, put_rows, row_pks, search_row};
use super::writes::{audit_put, built, n, s};
use super::{
    DynamoStore, Item, TxnFailure, from_item, keys, query_all, store_error, to_indexed_item,
    to_item, txn_failure,
};
use app::ports::spaces::SpaceStore;
use app::ports::store::StoreError;
use domain::audit::AuditEntry;
use domain::space::{BookableItem, Space, SpaceStatus};

/// DynamoDB's limit of actions in one TransactWriteItems.
const MAX_TRANSACTION_ACTIONS: usize = 100;

fn put(table: &str, item: Item, condition: &str) -> Result<TransactWriteItem, StoreError> {
    let put = built(
        Put::builder()
            .table_name(table)
            .set_item(Some(item))
            .condition_expression(condition)
            .build(),
    )?;
    Ok(TransactWriteItem::builder().put(put).build())
}

fn space_item(space: &Space) -> Result<Item, StoreError> {
    to_indexed_item(
        keys::space(&space.id),
        keys::PROFILE.into(),
        Some((keys::owner(&space.owner_id), keys::space(&space.id))),
        "Space",
        space,
    )
}

/// Items are also listed in GSI1 under their own id, so a booking request naming only
/// the item finds its space.
fn item_item(item: &BookableItem) -> Result<Item, StoreError> {
    to_indexed_item(
        keys::space(&item.space_id),
        keys::item(&item.id),
        Some((keys::item_lookup(&item.id), keys::space(&item.space_id))),
        "BookableItem",
        item,
    )
}

/// The guard that makes an identifier unique within its space: it exists iff an item
/// uses the identifier, and is written and removed in the same transaction as the item.
fn identifier_guard(item: &BookableItem) -> Result<Item, StoreError> {
    #[derive(serde::Serialize)]
    struct Guard<'a> {
        item_id: &'a str,
    }
    to_item(
        keys::space(&item.space_id),
        keys::item_identifier(&item.identifier),
        "ItemIdentifier",
        &Guard { item_id: &item.id },
    )
}

fn delete_guard(table: &str, item: &BookableItem) -> Result<TransactWriteItem, StoreError> {
    let delete = built(
        Delete::builder()
            .table_name(table)
            .key("PK", s(keys::space(&item.space_id)))
            .key("SK", s(keys::item_identifier(&item.identifier)))
            .build(),
    )?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

fn identifier_taken(item: &BookableItem) -> StoreError {
    StoreError::Conflict(format!(
        "identifier '{}' is already used by another item of this space",
        item.identifier
    ))
}

const CHANGED: &str = "it was changed concurrently; reload it and retry";

impl SpaceStore for DynamoStore {
    async fn create_space(
        &self,
        space: &Space,
        items: &[BookableItem],
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let pks = row_pks(space);
        // The space, its search rows, two per item, and the audit entry.
        if 2 + pks.len() + 2 * items.len() > MAX_TRANSACTION_ACTIONS {
            return Err(StoreError::Other(
                format!(
                    "a space is created with at most {} items",
                    (MAX_TRANSACTION_ACTIONS - 2 - pks.len()) / 2
                )
                .into(),
            ));
        }
        let mut actions = vec![put(
            &self.table,
            space_item(space)?,
            "attribute_not_exists(PK)",
        )?];
        for item in items {
            actions.push(put(
                &self.table,
                item_item(item)?,
                "attribute_not_exists(PK)",
            )?);
            actions.push(put(
                &self.table,
                identifier_guard(item)?,
                "attribute_not_exists(PK)",
            )?);
        }
        let row = search_row(
            space,
            items
                .iter()
                .map(|i| (i.id.clone(), item_summary(i)))
                .collect(),
            (0, 0),
        );
        actions.extend(put_rows(&self.table, &pks, &row, &[], 0)?);
        actions.push(audit_put(&self.table, audit)?);
        match self.transact("create_space", actions).await {
            Ok(()) => Ok(()),
            Err(e) => match txn_failure(e) {
                TxnFailure::Condition(0) => Err(StoreError::AlreadyExists),
                TxnFailure::Condition(i) if i % 2 == 0 && i <= 2 * items.len() => {
                    Err(identifier_taken(&items[(i - 1) / 2]))
                }
                TxnFailure::Condition(_) => Err(StoreError::AlreadyExists),
                TxnFailure::Other(e) => Err(e),
            },
        }
    }

    async fn get_space(&self, id: &str) -> Result<Option<(Space, Vec<BookableItem>)>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", s(keys::space(id)));
        let mut space = None;
        let mut items = Vec::new();
        for item in query_all("get_space", query).await? {
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
        Ok(space.map(|s| (s, items)))
    }

    async fn list_owned_spaces(&self, owner_id: &str) -> Result<Vec<Space>, StoreError> {
        // GSI1 holds a space's profile under its owner (`OWNER#<owner>` -> `SPACE#<id>`);
        // nothing else is indexed under that key.
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("GSI1")
            .key_condition_expression("GSI1PK = :owner")
            .expression_attribute_values(":owner", s(keys::owner(owner_id)));
        query_all("owned_spaces", query)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    async fn get_space_profile(&self, id: &str) -> Result<Option<Space>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::space(id)))
            .key("SK", s(keys::PROFILE))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        out.item.map(from_item).transpose()
    }

    async fn update_space(
        &self,
        old: &Space,
        new: &Space,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let space_put = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(space_item(new)?))
                .condition_expression("attribute_exists(PK) AND version = :expected")
                .expression_attribute_values(":expected", n(old.version))
                .build(),
        )?;
        let mut actions = vec![TransactWriteItem::builder().put(space_put).build()];
        let (old_pks, new_pks) = (row_pks(old), row_pks(new));
        // What the rows hold beyond the space itself (items, rating): from the current row,
        // or, for a space coming back from deletion (rows gone), from the source of truth.
        let (items, rating, existing, version) = match self.current_row(old).await? {
            Some((row, v)) => (
                row.items,
                (row.rating_sum, row.rating_count),
                old_pks.clone(),
                v,
            ),
            None => {
                let items = self
                    .get_space(&old.id)
                    .await?
                    .map(|(_, items)| items)
                    .unwrap_or_default();
                let items = items
                    .iter()
                    .map(|i| (i.id.clone(), item_summary(i)))
                    .collect();
                (items, self.rating_of(&old.id).await?, Vec::new(), 0)
            }
        };
        if new.status == SpaceStatus::Deleted {
            actions.extend(delete_rows(&self.table, &existing, &new.id, version)?);
        } else {
            let gone: Vec<String> = existing
                .iter()
                .filter(|pk| !new_pks.contains(pk))
                .cloned()
                .collect();
            actions.extend(delete_rows(&self.table, &gone, &new.id, version)?);
            let row = search_row(new, items, rating);
            actions.extend(put_rows(&self.table, &new_pks, &row, &existing, version)?);
        }
        actions.push(audit_put(&self.table, audit)?);
        match self.transact("update_space", actions).await {
            Ok(()) => Ok(()),
            Err(e) => Err(match txn_failure(e) {
                TxnFailure::Condition(_) => {
                    StoreError::Conflict(format!("space {}: {CHANGED}", new.id))
                }
                TxnFailure::Other(e) => e,
            }),
        }
    }

    async fn create_item(
        &self,
        space: &Space,
        item: &BookableItem,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let check = built(
            ConditionCheck::builder()
                .table_name(&self.table)
                .key("PK", s(keys::space(&item.space_id)))
                .key("SK", s(keys::PROFILE))
                .condition_expression("#status = :active")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":active", s("active"))
                .build(),
        )?;
        let mut actions = vec![
            TransactWriteItem::builder().condition_check(check).build(),
            put(&self.table, item_item(item)?, "attribute_not_exists(PK)")?,
            put(
                &self.table,
                identifier_guard(item)?,
                "attribute_not_exists(PK)",
            )?,
        ];
        actions.extend(item_row_updates(
            &self.table,
            space,
            &item.id,
            Some(&item_summary(item)),
        )?);
        actions.push(audit_put(&self.table, audit)?);
        match self.transact("create_item", actions).await {
            Ok(()) => Ok(()),
            Err(e) => Err(match txn_failure(e) {
                TxnFailure::Condition(0) => {
                    StoreError::NotFound(format!("no space {}", item.space_id))
                }
                TxnFailure::Condition(1) => StoreError::AlreadyExists,
                TxnFailure::Condition(2) => identifier_taken(item),
                TxnFailure::Condition(_) => {
                    StoreError::Conflict(format!("space {}: {CHANGED}", space.id))
                }
                TxnFailure::Other(e) => e,
            }),
        }
    }

    async fn get_item(
        &self,
        space_id: &str,
        item_id: &str,
    ) -> Result<Option<BookableItem>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::space(space_id)))
            .key("SK", s(keys::item(item_id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        out.item.map(from_item).transpose()
    }

    async fn update_item(
        &self,
        space: &Space,
        old: &BookableItem,
        new: &BookableItem,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let put_item = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item_item(new)?))
                .condition_expression("attribute_exists(PK) AND version = :expected")
                .expression_attribute_values(":expected", n(old.version))
                .build(),
        )?;
        let mut actions = vec![TransactWriteItem::builder().put(put_item).build()];
        let renamed =
            keys::item_identifier(&old.identifier) != keys::item_identifier(&new.identifier);
        if renamed {
            actions.push(delete_guard(&self.table, old)?);
            actions.push(put(
                &self.table,
                identifier_guard(new)?,
                "attribute_not_exists(PK)",
            )?);
        }
        let guard_at = actions.len() - 1;
        actions.extend(item_row_updates(
            &self.table,
            space,
            &new.id,
            Some(&item_summary(new)),
        )?);
        actions.push(audit_put(&self.table, audit)?);
        match self.transact("update_item", actions).await {
            Ok(()) => Ok(()),
            Err(e) => Err(match txn_failure(e) {
                TxnFailure::Condition(0) => {
                    StoreError::Conflict(format!("item {}: {CHANGED}", old.id))
                }
                TxnFailure::Condition(i) if renamed && i == guard_at => identifier_taken(new),
                TxnFailure::Condition(_) => {
                    StoreError::Conflict(format!("space {}: {CHANGED}", space.id))
                }
                TxnFailure::Other(e) => e,
            }),
        }
    }

    async fn delete_item(
        &self,
        space: &Space,
        item: &BookableItem,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let delete = built(
            Delete::builder()
                .table_name(&self.table)
                .key("PK", s(keys::space(&item.space_id)))
                .key("SK", s(keys::item(&item.id)))
                .condition_expression("version = :expected")
                .expression_attribute_values(":expected", n(item.version))
                .build(),
        )?;
        let mut actions = vec![
            TransactWriteItem::builder().delete(delete).build(),
            delete_guard(&self.table, item)?,
        ];
        actions.extend(item_row_updates(&self.table, space, &item.id, None)?);
        actions.push(audit_put(&self.table, audit)?);
        match self.transact("delete_item", actions).await {
            Ok(()) => Ok(()),
            Err(e) => Err(match txn_failure(e) {
                TxnFailure::Condition(_) => {
                    StoreError::Conflict(format!("item {}: {CHANGED}", item.id))
                }
                TxnFailure::Other(e) => e,
            }),
        }
    }

    async fn set_item_retired(
        &self,
        item: &BookableItem,
        retired_at: Option<Timestamp>,
    ) -> Result<BookableItem, StoreError> {
        let mut next = item.clone();
        next.retired_at = retired_at;
        next.version += 1;
        match self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item_item(&next)?))
            .condition_expression("version = :expected")
            .expression_attribute_values(":expected", n(item.version))
            .send()
            .await
        {
            Ok(_) => Ok(next),
            Err(e) if super::is_condition_failure(&e) => {
                Err(StoreError::Conflict(format!("item {}: {CHANGED}", item.id)))
            }
            Err(e) => Err(store_error(e)),
        }
    }
}
