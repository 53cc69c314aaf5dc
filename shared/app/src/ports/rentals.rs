//! Open-ended rentals (`domain::rental::Rental`): one record per rental, changed only
//! under its version.

use std::future::Future;

use crate::ports::store::StoreError;
use domain::events::DomainEvent;
use domain::rental::Rental;

pub trait RentalStore: Send + Sync + 'static {
    /// Stores a new rental; false when one with its id exists.
    fn put_rental(&self, rental: &Rental) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// A rental, read consistently.
    fn get_rental(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<Rental>, StoreError>> + Send;
    /// Replaces the rental if it is still at `rental.version - 1`, with `event` in the
    /// same transaction (the outbox); false when another change came first (read again
    /// and decide again).
    fn save_rental(
        &self,
        rental: &Rental,
        event: Option<&DomainEvent>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
