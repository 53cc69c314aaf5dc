//! Recurring series: one item per series, written once when its request is answered.

use aws_sdk_dynamodb::types::ReturnConsumedCapacity;

use super::{DynamoStore, from_item, is_condition_failure, keys, store_error, to_item};
use app::ports::series::SeriesStore;
use app::ports::store::StoreError;
use domain::series::Series;

impl SeriesStore for DynamoStore {
    async fn put_series(&self, series: &Series) -> Result<bool, StoreError> {
        let item = to_item(
            keys::series(&series.id),
            keys::SERIES.into(),
            "Series",
            series,
        )?;
        let out = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await;
        match out {
            Ok(out) => {
                crate::metrics::record(
                    "put_series",
                    out.consumed_capacity().and_then(|c| c.capacity_units),
                );
                Ok(true)
            }
            Err(e) if is_condition_failure(&e) => Ok(false),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn get_series(&self, id: &str) -> Result<Option<Series>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", super::writes::s(keys::series(id)))
            .key("SK", super::writes::s(keys::SERIES))
            .consistent_read(true)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(store_error)?;
        crate::metrics::record(
            "get_series",
            out.consumed_capacity().and_then(|c| c.capacity_units),
        );
        out.item.map(from_item).transpose()
    }
}
