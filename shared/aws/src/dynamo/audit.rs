//! Audit entries: `AUDIT#<YYYY-MM>` / `<at>#<id>`, newest first per month.

use super::writes::audit_item;
use super::{DynamoStore, Item};
use app::ports::audit::AuditStore;
use app::ports::bookings::Page;
use app::ports::store::StoreError;
use domain::audit::AuditEntry;

impl AuditStore for DynamoStore {
    async fn record(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let item: Item = audit_item(entry)?;
        self.put_new(item).await
    }

    async fn list_audit(
        &self,
        month: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<AuditEntry>, StoreError> {
        // Sort keys start with the entry's instant, so the month is also their prefix.
        self.newest_first(
            "list_audit",
            &super::keys::audit(month),
            month,
            limit,
            cursor,
        )
        .await
    }
}
