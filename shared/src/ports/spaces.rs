//! Spaces and their bookable items.

use std::future::Future;

use crate::domain::space::{BookableItem, Space};
use crate::ports::store::StoreError;

pub trait SpaceStore: Send + Sync + 'static {
    /// Creates a space and its items in one transaction (all or nothing).
    fn create_space(
        &self,
        space: &Space,
        items: &[BookableItem],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The space and its items, in one query.
    fn get_space(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<(Space, Vec<BookableItem>)>, StoreError>> + Send;
}
