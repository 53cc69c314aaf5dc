use aws_sdk_dynamodb::types::{Put, ReturnConsumedCapacity, TransactWriteItem, Update};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

use super::search::row_pks;
use super::writes::{built, event_put, n, s};
use super::{DynamoStore, TxnFailure, from_item, keys, store_error, to_item, txn_failure};
use crate::domain::events::DomainEvent;
use crate::domain::instant::sortable_nanos;
use crate::domain::review::Review;
use crate::domain::space::Space;
use crate::ports::bookings::Page;
use crate::ports::reviews::ReviewStore;
use crate::ports::store::StoreError;

fn add_rating(
    table: &str,
    pk: String,
    sk: String,
    rating: u8,
    row: bool,
) -> Result<TransactWriteItem, StoreError> {
    let mut update = Update::builder()
        .table_name(table)
        .key("PK", s(pk))
        .key("SK", s(sk))
        .expression_attribute_values(":r", n(rating))
        .expression_attribute_values(":one", n(1));
    update = if row {
        // A search row exists while the space is active; bumping its version makes a
        // concurrent space edit (which rewrites rows) retry instead of losing the count.
        update
            .update_expression("ADD rating_sum :r, rating_count :one, row_version :one")
            .condition_expression("attribute_exists(PK)")
    } else {
        update.update_expression("ADD rating_sum :r, rating_count :one")
    };
    Ok(TransactWriteItem::builder()
        .update(built(update.build())?)
        .build())
}

impl ReviewStore for DynamoStore {
    async fn post_review(
        &self,
        space: &Space,
        review: &Review,
        event: &DomainEvent,
    ) -> Result<(), StoreError> {
        let table = &self.table;
        let guard = to_item(
            keys::reviews(&review.space_id),
            keys::reviewed_booking(&review.booking_id),
            "ReviewGuard",
            &serde_json::json!({ "review_id": review.id }),
        )?;
        let item = to_item(
            keys::reviews(&review.space_id),
            keys::review(&sortable_nanos(review.created_at), &review.id),
            "Review",
            review,
        )?;
        let mut actions = vec![
            TransactWriteItem::builder()
                .put(built(
                    Put::builder()
                        .table_name(table)
                        .set_item(Some(guard))
                        .condition_expression("attribute_not_exists(PK)")
                        .build(),
                )?)
                .build(),
            TransactWriteItem::builder()
                .put(built(
                    Put::builder()
                        .table_name(table)
                        .set_item(Some(item))
                        .build(),
                )?)
                .build(),
            add_rating(
                table,
                keys::space(&space.id),
                keys::RATING.into(),
                review.rating,
                false,
            )?,
        ];
        for pk in row_pks(space) {
            actions.push(add_rating(
                table,
                pk,
                keys::space(&space.id),
                review.rating,
                true,
            )?);
        }
        actions.push(event_put(table, event)?);
        match self.transact("post_review", actions).await {
            Ok(()) => Ok(()),
            Err(e) => Err(match txn_failure(e) {
                TxnFailure::Condition(0) => StoreError::AlreadyExists,
                TxnFailure::Condition(_) => {
                    StoreError::NotFound(format!("no active space {}", space.id))
                }
                TxnFailure::Other(e) => e,
            }),
        }
    }

    async fn list_reviews(
        &self,
        space_id: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<Review>, StoreError> {
        let pk = keys::reviews(space_id);
        let start = match cursor {
            None => None,
            Some(c) => {
                let sk = B64
                    .decode(c)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .filter(|sk| sk.starts_with("R#"))
                    .ok_or(StoreError::BadCursor)?;
                Some(std::collections::HashMap::from([
                    ("PK".to_string(), s(&pk)),
                    ("SK".to_string(), s(sk)),
                ]))
            }
        };
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :r)")
            .expression_attribute_values(":pk", s(&pk))
            .expression_attribute_values(":r", s("R#"))
            .scan_index_forward(false)
            .limit(limit as i32)
            .set_exclusive_start_key(start)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(store_error)?;
        crate::metrics::record(
            "list_reviews",
            out.consumed_capacity().and_then(|c| c.capacity_units),
        );
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
            .map(from_item::<Review>)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page { items, next_cursor })
    }

    async fn rating(&self, space_id: &str) -> Result<(u64, u64), StoreError> {
        self.rating_of(space_id).await
    }
}
