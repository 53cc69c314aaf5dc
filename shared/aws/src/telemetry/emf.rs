//! Metrics as CloudWatch Embedded Metric Format (EMF) log lines.
//!
//! A line like `{"_aws":{"Timestamp":..,"CloudWatchMetrics":[{"Namespace":..,
//! "Dimensions":[["Service"],["Service","Kind"]],"Metrics":[{"Name":"Conflicts",
//! "Unit":"Count"}]}]},"Service":"coworking","Kind":"slot-taken","Conflicts":1}` is turned
//! into a metric by CloudWatch Logs when it is ingested: nothing is sent from the request
//! path. Lines go out through `tracing` (target `emf`), so they reach the same writer as
//! the logs (stdout on Lambda, the test's log file in tests) and carry the invocation's
//! function and correlation id like every other line (`edge::logging`).
//!
//! Why not a crate: the EMF crates keep one global metrics context per process; the local
//! gateway runs every function in one process, and each line must name its own function
//! and correlation id. The format itself is a dozen lines (`line` below, tested).

use std::fmt::Write as _;
use std::sync::LazyLock;

/// The target of the `tracing` events that carry an EMF line; `edge::logging` writes them
/// as they are and always lets them through its level filter.
pub const TARGET: &str = "emf";
/// Every metric has this dimension (one value): the totals the alarms watch.
pub const SERVICE: &str = "coworking";
/// Set per stage by template.yaml (`coworking-<stage>`).
pub const NAMESPACE_ENV: &str = "METRICS_NAMESPACE";

/// The metric names (template.yaml's alarms and dashboard use the same strings; a test
/// checks that every name an alarm watches is one of these or an event type).
pub mod names {
    /// A 409 answer of any route; dimension `Kind` says what conflicted.
    pub const CONFLICTS: &str = "Conflicts";
    /// A booking attempt answered 409 (the `ConflictRate` alarm's numerator).
    pub const BOOKING_CONFLICTS: &str = "BookingConflicts";
    /// A 5xx answer (always a bug); dimension `Function`.
    pub const SERVER_ERRORS: &str = "ServerErrors";
    /// A Stripe webhook call whose signature did not verify.
    pub const WEBHOOK_SIGNATURE_FAILURES: &str = "WebhookSignatureFailures";
    /// Rows a search page read from the table (the cost of a page).
    pub const SEARCH_ROWS_READ: &str = "SearchRowsRead";
    /// A notification delivered; dimension `Channel` (email, sms, inbox).
    pub const NOTIFICATIONS_SENT: &str = "NotificationsSent";
    /// From an outbox event's commit to its publication on the bus.
    pub const RELAY_LAG: &str = "RelayLag";
    /// Messages a consumer handed back for another try; dimension `Function`.
    pub const CONSUMER_RETRIES: &str = "ConsumerRetries";
    // Besides these, every committed domain event is counted under its type
    // (`BookingCreated`, `BookingConfirmed`, `BookingCancelled`, `BookingExpired`,
    // `PaymentFailed`, `PaymentRefunded`, ...) by the store adapter when its transaction
    // commits: `dynamo::DynamoStore::transact`.
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Count,
    Milliseconds,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
        }
    }
}

static NAMESPACE: LazyLock<String> = LazyLock::new(|| {
    std::env::var(NAMESPACE_ENV).unwrap_or_else(|_| "coworking-local".to_string())
});

/// `name` += 1.
pub fn count(name: &str) {
    emit(None, &[(name, 1.0, Unit::Count)]);
}

/// Counts a booking conflict (a 409) answered by a function that makes bookings.
pub fn count_booking_conflict(e: &app::AppError) {
    if matches!(e, app::AppError::Conflict { .. }) {
        count(names::BOOKING_CONFLICTS);
    }
}

/// `name` += `value`, in total and per `dimension` value (e.g. `Kind` = `slot-taken`).
pub fn count_by(name: &str, dimension: (&str, &str), value: f64) {
    emit(Some(dimension), &[(name, value, Unit::Count)]);
}

/// One line with `metrics`, under `Service` and, if given, `Service` + `dimension`.
pub fn emit(dimension: Option<(&str, &str)>, metrics: &[(&str, f64, Unit)]) {
    let now = jiff::Timestamp::now().as_millisecond();
    let line = line(&NAMESPACE, now, dimension, metrics);
    tracing::info!(target: TARGET, emf = %line);
}

fn json_str(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// The EMF document (pure, so it is tested byte for byte).
pub fn line(
    namespace: &str,
    timestamp_ms: i64,
    dimension: Option<(&str, &str)>,
    metrics: &[(&str, f64, Unit)],
) -> String {
    let mut sets = String::from(r#"[["Service"]"#);
    if let Some((key, _)) = dimension {
        let _ = write!(sets, r#",["Service",{}]"#, json_str(key));
    }
    sets.push(']');
    let definitions: Vec<String> = metrics
        .iter()
        .map(|(name, _, unit)| {
            format!(
                r#"{{"Name":{},"Unit":"{}"}}"#,
                json_str(name),
                unit.as_str()
            )
        })
        .collect();
    let mut out = format!(
        r#"{{"_aws":{{"Timestamp":{timestamp_ms},"CloudWatchMetrics":[{{"Namespace":{},"Dimensions":{sets},"Metrics":[{}]}}]}},"Service":"{SERVICE}""#,
        json_str(namespace),
        definitions.join(",")
    );
    if let Some((key, value)) = dimension {
        let _ = write!(out, ",{}:{}", json_str(key), json_str(value));
    }
    for (name, value, _) in metrics {
        let value = if value.is_finite() { *value } else { 0.0 };
        let _ = write!(
            out,
            ",{}:{}",
            json_str(name),
            serde_json::Value::from(value)
        );
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_an_emf_document_with_the_values_at_the_root() {
        let l = line(
            "coworking-test",
            1_700_000_000_123,
            Some(("Kind", "slot-taken")),
            &[
                ("Conflicts", 1.0, Unit::Count),
                ("RelayLag", 250.0, Unit::Milliseconds),
            ],
        );
        let v: serde_json::Value = serde_json::from_str(&l).unwrap();
        let directive = &v["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(v["_aws"]["Timestamp"], 1_700_000_000_123i64);
        assert_eq!(directive["Namespace"], "coworking-test");
        assert_eq!(
            directive["Dimensions"],
            serde_json::json!([["Service"], ["Service", "Kind"]])
        );
        assert_eq!(
            directive["Metrics"],
            serde_json::json!([{"Name": "Conflicts", "Unit": "Count"}, {"Name": "RelayLag", "Unit": "Milliseconds"}])
        );
        assert_eq!(v["Service"], SERVICE);
        assert_eq!(v["Kind"], "slot-taken");
        assert_eq!(v["Conflicts"], 1.0);
        assert_eq!(v["RelayLag"], 250.0);
    }

    #[test]
    fn names_and_values_are_escaped_and_finite() {
        let l = line(
            "ns",
            0,
            Some(("K\"", "v\n")),
            &[("M", f64::NAN, Unit::Count)],
        );
        let v: serde_json::Value = serde_json::from_str(&l).unwrap();
        assert_eq!(v["K\""], "v\n");
        assert_eq!(v["M"], 0.0);
    }
}
