//! Recurring series (`domain::series::Series`): written once, read by id.

use std::future::Future;

use crate::ports::store::StoreError;
use domain::series::Series;

pub trait SeriesStore: Send + Sync + 'static {
    /// Stores a series answered for the first time; false when one with its id exists.
    fn put_series(&self, series: &Series) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// A series, read consistently.
    fn get_series(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<Series>, StoreError>> + Send;
}
