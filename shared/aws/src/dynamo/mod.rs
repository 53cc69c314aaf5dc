//! The DynamoDB single-table store. One [`DynamoStore`] implements every store port; each
//! entity's reads and writes live in its own file, its key shapes in [`keys`].

mod analytics;
mod audit;
mod booking_txn;
mod bookings;
mod calendar;
mod invoices;
pub mod keys;
mod live;
mod memberships;
mod notifications;
mod phone;
mod plans;
mod privacy;
mod promos;
mod rentals;
pub mod retry;
mod reviews;
mod schedule;
mod search;
mod series;
mod spaces;
mod users;
mod waitlist;
mod writes;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use serde::Serialize;

use crate::aws_error::classify;
use crate::context::AppContext;
use app::ports::store::StoreError;

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn from_context(ctx: &AppContext) -> Self {
        Self::new(ctx.dynamodb().clone(), ctx.config().table_name.clone())
    }
}

/// An entity as stored: its keys and type beside its own fields.
#[derive(Serialize)]
struct Keyed<'a, T> {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "GSI1PK", skip_serializing_if = "Option::is_none")]
    gsi1pk: Option<String>,
    #[serde(rename = "GSI1SK", skip_serializing_if = "Option::is_none")]
    gsi1sk: Option<String>,
    #[serde(rename = "GSI2PK", skip_serializing_if = "Option::is_none")]
    gsi2pk: Option<String>,
    #[serde(rename = "GSI2SK", skip_serializing_if = "Option::is_none")]
    gsi2sk: Option<String>,
    entity: &'static str,
    #[serde(flatten)]
    data: &'a T,
}

type Item = std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>;

fn to_item<T: Serialize>(
    pk: String,
    sk: String,
    entity: &'static str,
    data: &T,
) -> Result<Item, StoreError> {
    to_indexed_item(pk, sk, None, entity, data)
}

/// An item that is also listed in GSI1 under `(gsi1pk, gsi1sk)`.
fn to_indexed_item<T: Serialize>(
    pk: String,
    sk: String,
    gsi1: Option<(String, String)>,
    entity: &'static str,
    data: &T,
) -> Result<Item, StoreError> {
    to_item_with_indexes(pk, sk, gsi1, None, entity, data)
}

/// An item listed in GSI1 and GSI2.
fn to_item_with_indexes<T: Serialize>(
    pk: String,
    sk: String,
    gsi1: Option<(String, String)>,
    gsi2: Option<(String, String)>,
    entity: &'static str,
    data: &T,
) -> Result<Item, StoreError> {
    let (gsi1pk, gsi1sk) = gsi1.unzip();
    let (gsi2pk, gsi2sk) = gsi2.unzip();
    serde_dynamo::to_item(Keyed {
        pk,
        sk,
        gsi1pk,
        gsi1sk,
        gsi2pk,
        gsi2sk,
        entity,
        data,
    })
    .map_err(|e| StoreError::Other(Box::new(e)))
}

fn from_item<T: serde::de::DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::Other(Box::new(e)))
}

fn store_error<E, R>(err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match classify(err) {
        (true, source) => StoreError::Unavailable(source),
        (false, source) => StoreError::Other(source),
    }
}

/// Why a TransactWriteItems failed: the index of the first action whose condition did not
/// hold, or the error itself.
enum TxnFailure {
    Condition(usize),
    Other(StoreError),
}

fn txn_failure<R>(
    err: SdkError<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError, R>,
) -> TxnFailure
where
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if let Some(aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(e)) =
        err.as_service_error()
    {
        let failed = e
            .cancellation_reasons()
            .iter()
            .position(|r| r.code() == Some("ConditionalCheckFailed"));
        if let Some(i) = failed {
            return TxnFailure::Condition(i);
        }
    }
    TxnFailure::Other(store_error(err))
}

fn is_condition_failure<E, R>(err: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    err.code() == Some("ConditionalCheckFailedException")
}

type TxnError = SdkError<
    aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
    aws_sdk_dynamodb::config::http::HttpResponse,
>;

fn lost_race(err: &TxnError) -> bool {
    match err.as_service_error() {
        Some(aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(e)) => {
            retry::is_conflict_only(e.cancellation_reasons().iter().map(|r| r.code()))
        }
        _ => false,
    }
}

impl DynamoStore {
    /// Every TransactWriteItems goes through here: capacity is metered under `op`, and a
    /// transaction that only lost a race (`TransactionConflict`) is tried again.
    async fn transact(
        &self,
        op: &'static str,
        actions: Vec<aws_sdk_dynamodb::types::TransactWriteItem>,
    ) -> Result<(), TxnError> {
        let out = retry::with_conflict_retry(
            || {
                self.client
                    .transact_write_items()
                    .set_transact_items(Some(actions.clone()))
                    .return_consumed_capacity(
                        aws_sdk_dynamodb::types::ReturnConsumedCapacity::Total,
                    )
                    .send()
            },
            lost_race,
        )
        .await?;
        let units = out
            .consumed_capacity()
            .iter()
            .filter_map(|c| c.capacity_units)
            .sum();
        crate::metrics::record(op, Some(units));
        count_committed_events(&actions);
        Ok(())
    }
}

/// One EMF count per domain event the transaction just committed, under its type
/// (`BookingCreated`, `PaymentRefunded`, ...): exactly once per change, since a replayed
/// request's transaction does not commit again.
fn count_committed_events(actions: &[aws_sdk_dynamodb::types::TransactWriteItem]) {
    use aws_sdk_dynamodb::types::AttributeValue;
    for put in actions.iter().filter_map(|a| a.put()) {
        let item = put.item();
        if item.get("entity") != Some(&AttributeValue::S("DomainEvent".into())) {
            continue;
        }
        if let Some(AttributeValue::S(kind)) = item.get("detail_type") {
            crate::telemetry::emf::count(kind);
        }
    }
}

/// Every page of a query, metered under `op`.
async fn query_all(
    op: &'static str,
    query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
) -> Result<Vec<Item>, StoreError> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let out = query
            .clone()
            .set_exclusive_start_key(start)
            .return_consumed_capacity(aws_sdk_dynamodb::types::ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(store_error)?;
        crate::metrics::record(op, out.consumed_capacity().and_then(|c| c.capacity_units));
        items.extend(out.items.unwrap_or_default());
        start = out.last_evaluated_key;
        if start.is_none() {
            return Ok(items);
        }
    }
}

impl DynamoStore {
    /// One page of the items of partition `pk` whose sort key starts with `prefix`,
    /// newest (greatest key) first. The cursor is the last sort key, accepted only with
    /// that prefix, so it cannot reach outside the list it came from.
    async fn newest_first<T: serde::de::DeserializeOwned>(
        &self,
        op: &'static str,
        pk: &str,
        prefix: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<app::ports::bookings::Page<T>, StoreError> {
        use base64::Engine;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
        let start = match cursor {
            None => None,
            Some(c) => {
                let sk = B64
                    .decode(c)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .filter(|sk| sk.starts_with(prefix))
                    .ok_or(StoreError::BadCursor)?;
                Some(Item::from([
                    (
                        "PK".to_string(),
                        aws_sdk_dynamodb::types::AttributeValue::S(pk.to_string()),
                    ),
                    (
                        "SK".to_string(),
                        aws_sdk_dynamodb::types::AttributeValue::S(sk),
                    ),
                ]))
            }
        };
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
            .expression_attribute_values(
                ":pk",
                aws_sdk_dynamodb::types::AttributeValue::S(pk.to_string()),
            )
            .expression_attribute_values(
                ":prefix",
                aws_sdk_dynamodb::types::AttributeValue::S(prefix.to_string()),
            )
            .scan_index_forward(false)
            .limit(limit as i32)
            .set_exclusive_start_key(start)
            .return_consumed_capacity(aws_sdk_dynamodb::types::ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(store_error)?;
        crate::metrics::record(op, out.consumed_capacity().and_then(|c| c.capacity_units));
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
            .map(from_item::<T>)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(app::ports::bookings::Page { items, next_cursor })
    }

    /// Creates `item`; `AlreadyExists` if its key is taken.
    async fn put_new(&self, item: Item) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(|e| {
                if is_condition_failure(&e) {
                    StoreError::AlreadyExists
                } else {
                    store_error(e)
                }
            })?;
        Ok(())
    }
}
