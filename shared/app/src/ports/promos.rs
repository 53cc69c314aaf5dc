//! Promo codes (`domain::promo::PromoCode`): created and edited by their owners under
//! their version, each with an audit entry in the same transaction; redeemed and given
//! back only by bookings, in the booking's own transaction (`BookingStore`).

use std::future::Future;

use crate::ports::store::StoreError;
use domain::audit::AuditEntry;
use domain::promo::PromoCode;

pub trait PromoStore: Send + Sync + 'static {
    /// Stores a new code with its audit entry; false when the code exists.
    fn create_promo(
        &self,
        code: &PromoCode,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// A code as stored (read consistently), and how often `user_id` redeemed it.
    fn promo_for(
        &self,
        code: &str,
        user_id: &str,
    ) -> impl Future<Output = Result<Option<(PromoCode, u32)>, StoreError>> + Send;
    /// Writes an edit of the code's own terms (never its redemption count, which bookings
    /// move meanwhile) if it is still at `edited.version - 1` and its count still within
    /// the new limit; false when either changed (read again, decide again).
    fn save_promo(
        &self,
        edited: &PromoCode,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// The codes `created_by` created (every code when None: for admins), newest first.
    fn list_promos(
        &self,
        created_by: Option<&str>,
    ) -> impl Future<Output = Result<Vec<PromoCode>, StoreError>> + Send;
}
