//! Per-day counters of spaces and items.

use std::collections::BTreeMap;
use std::future::Future;

use crate::ports::store::StoreError;
use domain::analytics::{Change, Counters};

/// A day's counters: the space's total and each item's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DayCounters {
    pub total: Counters,
    pub items: BTreeMap<String, Counters>,
}

pub trait AnalyticsStore: Send + Sync + 'static {
    /// Applies the changes of event `event_id` once (atomic counters, and a marker of the
    /// event in the same transaction); false when it was applied before.
    fn apply_counters(
        &self,
        space_id: &str,
        event_id: &str,
        changes: &[Change],
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Local dates `from..=to` (`YYYY-MM-DD`) that have counters.
    fn day_counters(
        &self,
        space_id: &str,
        from: &str,
        to: &str,
    ) -> impl Future<Output = Result<BTreeMap<String, DayCounters>, StoreError>> + Send;
}
