//! The search read model's rows: written in the same transaction as every space and item
//! change (so search never shows what the source of truth does not hold), and read by
//! partition for geo and city search.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{Delete, Put, ReturnConsumedCapacity, TransactWriteItem, Update};

use super::writes::{built, n, s};
use super::{DynamoStore, Item, from_item, keys, store_error, to_item};
use app::ports::search::{SearchPartition, SearchRead, SearchStore};
use app::ports::store::StoreError;
use domain::search::{ItemSummary, SearchRow, listing_cells};
use domain::space::{BookableItem, Space};

/// The partitions a space is listed in: its H3 cells, then its city.
pub(super) fn row_pks(space: &Space) -> Vec<String> {
    let mut pks: Vec<String> = listing_cells(&space.location)
        .into_iter()
        .map(|(res, cell)| keys::geo(res, &cell))
        .collect();
    pks.push(keys::city(&space.address.city));
    pks
}

pub(super) fn item_summary(item: &BookableItem) -> ItemSummary {
    ItemSummary {
        kind: item.kind,
        identifier: item.identifier.clone(),
        capacity: item.capacity,
        price_per_hour: item.price_per_hour.clone(),
    }
}

pub(super) fn search_row(
    space: &Space,
    items: BTreeMap<String, ItemSummary>,
    rating: (u64, u64),
) -> SearchRow {
    SearchRow {
        space_id: space.id.clone(),
        name: space.name.clone(),
        city: space.address.city.clone(),
        country: space.address.country.clone(),
        lat: space.location.lat,
        lng: space.location.lng,
        description: space
            .description
            .chars()
            .take(domain::search::text::DESCRIPTION_CHARS)
            .collect(),
        amenities: space.amenities.clone(),
        items,
        rating_sum: rating.0,
        rating_count: rating.1,
        time_zone: space.time_zone.clone(),
        closed_dates: space.closures.iter().map(|c| c.date.clone()).collect(),
    }
}

fn row_item(pk: &str, row: &SearchRow, row_version: u64) -> Result<Item, StoreError> {
    let mut item = to_item(pk.to_string(), keys::space(&row.space_id), "SearchRow", row)?;
    item.insert("row_version".into(), n(row_version));
    Ok(item)
}

/// Puts every row of `row`; `existing` are the partitions that already hold one at
/// `version` (replaced only if still at it), the others must not hold one yet.
pub(super) fn put_rows(
    table: &str,
    pks: &[String],
    row: &SearchRow,
    existing: &[String],
    version: u64,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    pks.iter()
        .map(|pk| {
            let mut put =
                Put::builder()
                    .table_name(table)
                    .set_item(Some(row_item(pk, row, version + 1)?));
            put = if existing.contains(pk) {
                put.condition_expression("row_version = :v")
                    .expression_attribute_values(":v", n(version))
            } else {
                put.condition_expression("attribute_not_exists(PK)")
            };
            Ok(TransactWriteItem::builder()
                .put(built(put.build())?)
                .build())
        })
        .collect()
}

/// Deletes the rows in `pks`, each only if still at `version`.
pub(super) fn delete_rows(
    table: &str,
    pks: &[String],
    space_id: &str,
    version: u64,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    pks.iter()
        .map(|pk| {
            let delete = Delete::builder()
                .table_name(table)
                .key("PK", s(pk))
                .key("SK", s(keys::space(space_id)))
                .condition_expression("row_version = :v")
                .expression_attribute_values(":v", n(version));
            Ok(TransactWriteItem::builder()
                .delete(built(delete.build())?)
                .build())
        })
        .collect()
}

/// Sets (or, with `None`, removes) one item's entry in every row of the space: an item
/// write never needs the space's other items.
pub(super) fn item_row_updates(
    table: &str,
    space: &Space,
    item_id: &str,
    summary: Option<&ItemSummary>,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let value: Option<aws_sdk_dynamodb::types::AttributeValue> = match summary {
        Some(sum) => Some(
            serde_dynamo::to_attribute_value(sum).map_err(|e| StoreError::Other(Box::new(e)))?,
        ),
        None => None,
    };
    row_pks(space)
        .iter()
        .map(|pk| {
            let mut update = Update::builder()
                .table_name(table)
                .key("PK", s(pk))
                .key("SK", s(keys::space(&space.id)))
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_names("#items", "items")
                .expression_attribute_names("#id", item_id)
                .expression_attribute_values(":one", n(1));
            update = match &value {
                Some(v) => update
                    .update_expression("SET #items.#id = :item ADD row_version :one")
                    .expression_attribute_values(":item", v.clone()),
                None => update.update_expression("REMOVE #items.#id ADD row_version :one"),
            };
            Ok(TransactWriteItem::builder()
                .update(built(update.build())?)
                .build())
        })
        .collect()
}

impl DynamoStore {
    /// The space's current row and its version (read from its first partition).
    pub(super) async fn current_row(
        &self,
        space: &Space,
    ) -> Result<Option<(SearchRow, u64)>, StoreError> {
        let Some(pk) = row_pks(space).into_iter().next() else {
            return Ok(None);
        };
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(pk))
            .key("SK", s(keys::space(&space.id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        let Some(item) = out.item else {
            return Ok(None);
        };
        let version = item
            .get("row_version")
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        Ok(Some((from_item(item)?, version)))
    }
}

impl DynamoStore {
    /// A space's rating aggregate `(sum, count)` (none yet: zeros).
    pub(super) async fn rating_of(&self, space_id: &str) -> Result<(u64, u64), StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::space(space_id)))
            .key("SK", s(keys::RATING))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        let num = |k: &str| {
            out.item
                .as_ref()
                .and_then(|i| i.get(k))
                .and_then(|v| v.as_n().ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        Ok((num("rating_sum"), num("rating_count")))
    }
}

fn partition_key(p: &SearchPartition) -> String {
    match p {
        SearchPartition::Cell { resolution, cell } => keys::geo(*resolution, cell),
        SearchPartition::City { city } => keys::city(city),
    }
}

impl SearchStore for DynamoStore {
    async fn search_partitions(
        &self,
        partitions: &[SearchPartition],
    ) -> Result<SearchRead, StoreError> {
        let mut tasks = tokio::task::JoinSet::new();
        for p in partitions {
            let (client, table, pk) = (self.client.clone(), self.table.clone(), partition_key(p));
            tasks.spawn(crate::telemetry::context::inherit(async move {
                let (mut rows, mut queries, mut capacity) = (Vec::new(), 0usize, 0f64);
                let mut start = None;
                loop {
                    let out = client
                        .query()
                        .table_name(&table)
                        .key_condition_expression("PK = :pk")
                        .expression_attribute_values(":pk", s(&pk))
                        .set_exclusive_start_key(start)
                        .return_consumed_capacity(ReturnConsumedCapacity::Total)
                        .send()
                        .await
                        .map_err(store_error)?;
                    let units = out.consumed_capacity().and_then(|c| c.capacity_units);
                    crate::metrics::record("search_partition", units);
                    queries += 1;
                    capacity += units.unwrap_or(0.0);
                    for item in out.items.unwrap_or_default() {
                        rows.push(from_item::<SearchRow>(item)?);
                    }
                    start = out.last_evaluated_key;
                    if start.is_none() {
                        return Ok::<_, StoreError>((rows, queries, capacity));
                    }
                }
            }));
        }
        let mut read = SearchRead {
            partitions: partitions.len(),
            ..SearchRead::default()
        };
        while let Some(done) = tasks.join_next().await {
            let (rows, queries, capacity) = done.map_err(|e| StoreError::Other(Box::new(e)))??;
            read.rows.extend(rows);
            read.queries += queries;
            read.capacity_units += capacity;
        }
        Ok(read)
    }
}
