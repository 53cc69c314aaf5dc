use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};

use super::search::row_pks;
use super::writes::{built, event_put, n, s};
use super::{DynamoStore, TxnFailure, keys, to_indexed_item, to_item, txn_failure};
use app::ports::bookings::Page;
use app::ports::reviews::ReviewStore;
use app::ports::store::StoreError;
use domain::events::DomainEvent;
use domain::instant::sortable_nanos;
use domain::review::Review;
use domain::space::Space;

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
        // Also listed under its author (GSI1), for the author's data export and erasure.
        let created = sortable_nanos(review.created_at);
        let item = to_indexed_item(
            keys::reviews(&review.space_id),
            keys::review(&created, &review.id),
            Some((keys::user_reviews(&review.user_id), created.clone())),
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
        self.newest_first(
            "list_reviews",
            &keys::reviews(space_id),
            "R#",
            limit,
            cursor,
        )
        .await
    }

    async fn rating(&self, space_id: &str) -> Result<(u64, u64), StoreError> {
        self.rating_of(space_id).await
    }
}
