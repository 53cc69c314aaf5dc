//! Open-ended rentals: one item per rental, replaced under its version.

use aws_sdk_dynamodb::types::ReturnConsumedCapacity;

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};

use super::writes::{built, event_put, n, s};
use super::{
    DynamoStore, TxnFailure, from_item, is_condition_failure, keys, store_error, to_item,
    txn_failure,
};
use app::ports::rentals::RentalStore;
use app::ports::store::StoreError;
use domain::events::DomainEvent;
use domain::rental::Rental;

impl DynamoStore {
    /// Puts the rental if `condition` holds: true when written.
    async fn put_rental_if(
        &self,
        rental: &Rental,
        condition: &str,
        previous: Option<u64>,
        op: &'static str,
    ) -> Result<bool, StoreError> {
        let item = to_item(
            keys::rental(&rental.id),
            keys::RENTAL.into(),
            "Rental",
            rental,
        )?;
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .return_consumed_capacity(ReturnConsumedCapacity::Total);
        if let Some(v) = previous {
            put = put.expression_attribute_values(":prev", n(v));
        }
        match put.send().await {
            Ok(out) => {
                crate::metrics::record(op, out.consumed_capacity().and_then(|c| c.capacity_units));
                Ok(true)
            }
            Err(e) if is_condition_failure(&e) => Ok(false),
            Err(e) => Err(store_error(e)),
        }
    }
}

impl RentalStore for DynamoStore {
    async fn put_rental(&self, rental: &Rental) -> Result<bool, StoreError> {
        self.put_rental_if(rental, "attribute_not_exists(PK)", None, "put_rental")
            .await
    }

    async fn get_rental(&self, id: &str) -> Result<Option<Rental>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::rental(id)))
            .key("SK", s(keys::RENTAL))
            .consistent_read(true)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(store_error)?;
        crate::metrics::record(
            "get_rental",
            out.consumed_capacity().and_then(|c| c.capacity_units),
        );
        out.item.map(from_item).transpose()
    }

    async fn save_rental(
        &self,
        rental: &Rental,
        event: Option<&DomainEvent>,
    ) -> Result<bool, StoreError> {
        let previous = Some(rental.version.saturating_sub(1));
        let Some(event) = event else {
            return self
                .put_rental_if(rental, "version = :prev", previous, "save_rental")
                .await;
        };
        // With its event: one transaction, so the news leaves only with the change.
        let item = to_item(
            keys::rental(&rental.id),
            keys::RENTAL.into(),
            "Rental",
            rental,
        )?;
        let put = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("version = :prev")
                .expression_attribute_values(":prev", n(rental.version.saturating_sub(1)))
                .build(),
        )?;
        let actions = vec![
            TransactWriteItem::builder().put(put).build(),
            event_put(&self.table, event)?,
        ];
        match self.transact("save_rental", actions).await {
            Ok(()) => Ok(true),
            Err(e) => match txn_failure(e) {
                TxnFailure::Condition(_) => Ok(false),
                TxnFailure::Other(e) => Err(e),
            },
        }
    }
}
