//! DynamoDB round trips and consumed capacity per operation, for this process.
//!
//! The store adapter records every call it makes (with `ReturnConsumedCapacity=TOTAL`);
//! `make bench` reads the totals to report cost per API operation, and each call is also
//! logged at debug level for CloudWatch metric filters.

use std::collections::BTreeMap;
use std::sync::{LazyLock, Mutex};

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct OpStats {
    pub calls: u64,
    pub capacity_units: f64,
}

static METER: LazyLock<Mutex<BTreeMap<&'static str, OpStats>>> =
    LazyLock::new(|| Mutex::new(BTreeMap::new()));

pub fn record(op: &'static str, capacity_units: Option<f64>) {
    let units = capacity_units.unwrap_or(0.0);
    tracing::debug!(op, capacity_units = units, "dynamodb");
    let mut meter = METER.lock().unwrap();
    let entry = meter.entry(op).or_default();
    entry.calls += 1;
    entry.capacity_units += units;
}

pub fn snapshot() -> BTreeMap<&'static str, OpStats> {
    METER.lock().unwrap().clone()
}

/// Calls and units between two snapshots, summed over every operation.
pub fn delta(
    before: &BTreeMap<&'static str, OpStats>,
    after: &BTreeMap<&'static str, OpStats>,
) -> OpStats {
    let mut total = OpStats::default();
    for (op, a) in after {
        let b = before.get(op).copied().unwrap_or_default();
        total.calls += a.calls - b.calls;
        total.capacity_units += a.capacity_units - b.capacity_units;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_calls_and_units() {
        let before = snapshot();
        record("test_op", Some(2.5));
        record("test_op", None);
        let d = delta(&before, &snapshot());
        assert!(d.calls >= 2);
        assert!(d.capacity_units >= 2.5);
    }
}
