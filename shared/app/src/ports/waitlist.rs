//! Waitlists (`domain::waitlist`): an item's line in join order, a member's entries.

use std::future::Future;

use crate::ports::store::StoreError;
use domain::events::DomainEvent;
use domain::waitlist::WaitlistEntry;

pub trait WaitlistStore: Send + Sync + 'static {
    /// Adds a new entry to its item's line.
    fn join_line(
        &self,
        entry: &WaitlistEntry,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// An item's line (every entry, oldest first), read consistently.
    fn line(
        &self,
        item_id: &str,
    ) -> impl Future<Output = Result<Vec<WaitlistEntry>, StoreError>> + Send;
    /// A member's entries (oldest first).
    fn entries_of(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Vec<WaitlistEntry>, StoreError>> + Send;
    /// Writes `entry` if it is still at `entry.version - 1`, with `event` in the same
    /// transaction; false when it changed meanwhile.
    fn update_entry(
        &self,
        entry: &WaitlistEntry,
        event: Option<&DomainEvent>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
