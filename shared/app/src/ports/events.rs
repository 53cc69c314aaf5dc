//! The event bus (EventBridge): where outbox events go.

use std::future::Future;

use domain::events::DomainEvent;

#[derive(Debug, thiserror::Error)]
#[error("event bus unavailable: {0}")]
pub struct BusError(pub String);

pub trait EventBus: Send + Sync + 'static {
    /// Publishes `events` in order; returns how many of the first ones were accepted
    /// (all of them on success). Entries after the first failure are not counted even if
    /// accepted: the caller retries from there, and consumers deduplicate by event id.
    fn publish(
        &self,
        events: &[DomainEvent],
    ) -> impl Future<Output = Result<usize, BusError>> + Send;
}
