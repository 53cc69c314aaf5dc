//! The audit log (written by the store inside the change's own transaction where the
//! change is a table write; recorded on its own after a Cognito change).

use std::future::Future;

use crate::ports::bookings::Page;
use crate::ports::store::StoreError;
use domain::audit::AuditEntry;

pub trait AuditStore: Send + Sync + 'static {
    /// Records an entry for a change made outside the table (Cognito, exports).
    fn record(&self, entry: &AuditEntry) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// A month's entries, newest first.
    fn list_audit(
        &self,
        month: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> impl Future<Output = Result<Page<AuditEntry>, StoreError>> + Send;
}
