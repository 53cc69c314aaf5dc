//! Spaces and their bookable items.

use std::future::Future;

use jiff::Timestamp;

use crate::ports::store::StoreError;
use domain::audit::AuditEntry;
use domain::space::{BookableItem, Space};

/// Every write carries the audit entry of the operator's or admin's change; it is written
/// in the same transaction as the change.
pub trait SpaceStore: Send + Sync + 'static {
    /// Creates a space and its first items in one transaction (all or nothing).
    fn create_space(
        &self,
        space: &Space,
        items: &[BookableItem],
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The space and its items, in one query.
    fn get_space(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<(Space, Vec<BookableItem>)>, StoreError>> + Send;
    /// Every space `owner_id` owns, deleted ones included (one indexed query per page of
    /// the index; an operator owns tens of spaces, not thousands).
    fn list_owned_spaces(
        &self,
        owner_id: &str,
    ) -> impl Future<Output = Result<Vec<Space>, StoreError>> + Send;
    /// The space alone (one item read).
    fn get_space_profile(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<Space>, StoreError>> + Send;
    /// Replaces `old` by `new` if it is still at `old.version` (`new.version` is one
    /// more); `Conflict` otherwise. The search rows move with it (or go, when deleted).
    fn update_space(
        &self,
        old: &Space,
        new: &Space,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Adds an item to an active space; `Conflict` if its identifier is taken there,
    /// `NotFound` if the space is gone.
    fn create_item(
        &self,
        space: &Space,
        item: &BookableItem,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn get_item(
        &self,
        space_id: &str,
        item_id: &str,
    ) -> impl Future<Output = Result<Option<BookableItem>, StoreError>> + Send;
    /// Replaces `old` by `new` (same id) if `old` is still current, keeping identifiers unique.
    fn update_item(
        &self,
        space: &Space,
        old: &BookableItem,
        new: &BookableItem,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn delete_item(
        &self,
        space: &Space,
        item: &BookableItem,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Marks the item retiring (`Some(now)`: it takes no new bookings; bookings planned
    /// against its old version fail) or active again (`None`). Returns the item as stored.
    fn set_item_retired(
        &self,
        item: &BookableItem,
        retired_at: Option<Timestamp>,
    ) -> impl Future<Output = Result<BookableItem, StoreError>> + Send;
}
