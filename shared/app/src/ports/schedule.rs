//! Timed actions on bookings, kept in hour buckets so a run reads a few small partitions.

use std::future::Future;

use jiff::Timestamp;

use crate::ports::store::StoreError;
use domain::events::DomainEvent;
use domain::schedule::DueKind;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueAction {
    pub kind: DueKind,
    pub booking_id: String,
    pub at: Timestamp,
    /// Where it is stored (opaque to callers).
    pub key: (String, String),
}

pub trait ScheduleStore: Send + Sync + 'static {
    /// Actions due at or before `now`, from the last `lookback_hours` hour buckets.
    fn due_actions(
        &self,
        now: Timestamp,
        lookback_hours: i64,
    ) -> impl Future<Output = Result<Vec<DueAction>, StoreError>> + Send;
    /// When the last run that finished started (None before the first). A run looks back
    /// at least to it, so actions due while the scheduler was stopped are never skipped.
    fn last_run(&self) -> impl Future<Output = Result<Option<Timestamp>, StoreError>> + Send;
    /// Records a finished run of `at` (never moves back: runs may overlap).
    fn record_run(&self, at: Timestamp) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Removes an action that needs nothing more.
    fn finish_due(&self, action: &DueAction)
    -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Moves an action that could not be done yet to `to` (one transaction: it never
    /// ages out of the scheduler's look-back, and never runs twice).
    fn postpone(
        &self,
        action: &DueAction,
        to: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Removes the action and writes `event` in one transaction; false if another run
    /// already did (so the event is written once).
    fn finish_due_with_event(
        &self,
        action: &DueAction,
        event: &DomainEvent,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
