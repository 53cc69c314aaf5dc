//! `make dev`'s live view of the metrics: the same EMF lines CloudWatch would turn into
//! metrics, read back from the functions' log and summed, so a developer trying the
//! product sees the booking funnel, conflicts, failures and the event pipeline move.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Sums (and, for durations, the observed values) per metric and dimension value.
#[derive(Debug, Default, PartialEq)]
pub struct Summary {
    /// `metric` or `metric{Dimension=value}` -> sum.
    pub counts: BTreeMap<String, f64>,
    /// Millisecond metrics -> every value seen (for percentiles).
    pub durations: BTreeMap<String, Vec<f64>>,
}

/// The funnel's steps, in order (the rest is listed after them).
const FUNNEL: [&str; 6] = [
    "BookingCreated",
    "BookingConfirmed",
    "BookingCancelled",
    "BookingExpired",
    "PaymentFailed",
    "PaymentRefunded",
];

impl Summary {
    /// Adds one log line; lines that are not EMF documents are ignored.
    pub fn add_line(&mut self, line: &str) {
        if !line.contains("\"_aws\"") {
            return;
        }
        let Ok(doc) = serde_json::from_str::<serde_json::Value>(line) else {
            return;
        };
        let Some(directives) = doc["_aws"]["CloudWatchMetrics"].as_array() else {
            return;
        };
        for directive in directives {
            // The extra dimension of a metric (e.g. Kind), if its line has one.
            let extra = directive["Dimensions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|set| set.as_array())
                .flat_map(|set| set.iter().filter_map(|d| d.as_str()))
                .find(|d| *d != "Service")
                .and_then(|d| doc[d].as_str().map(|v| format!("{{{d}={v}}}")));
            for metric in directive["Metrics"].as_array().into_iter().flatten() {
                let Some(name) = metric["Name"].as_str() else {
                    continue;
                };
                let Some(value) = doc[name].as_f64() else {
                    continue;
                };
                if metric["Unit"] == "Milliseconds" {
                    self.durations.entry(name.into()).or_default().push(value);
                    continue;
                }
                *self.counts.entry(name.into()).or_default() += value;
                if let Some(extra) = &extra {
                    *self.counts.entry(format!("{name}{extra}")).or_default() += value;
                }
            }
        }
    }

    /// A few lines for a terminal.
    pub fn render(&self) -> String {
        let count = |k: &str| self.counts.get(k).copied().unwrap_or(0.0);
        let mut out = String::from("metrics (from the EMF lines)\n  funnel:");
        for step in FUNNEL {
            let _ = write!(out, " {step} {}", count(step));
        }
        let mut others: Vec<String> = self
            .counts
            .iter()
            .filter(|(k, _)| !FUNNEL.contains(&k.as_str()))
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        if others.is_empty() {
            others.push("none yet".into());
        }
        let _ = write!(out, "\n  other: {}", others.join(", "));
        for (name, values) in &self.durations {
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
            let _ = write!(
                out,
                "\n  {name}: n {} p50 {:.0} ms p99 {:.0} ms max {:.0} ms",
                sorted.len(),
                at(0.5),
                at(0.99),
                at(1.0)
            );
        }
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws::telemetry::emf::{Unit, line};

    #[test]
    fn sums_counts_per_dimension_and_keeps_durations() {
        let mut s = Summary::default();
        s.add_line(&line(
            "ns",
            0,
            None,
            &[("BookingCreated", 1.0, Unit::Count)],
        ));
        s.add_line(&line(
            "ns",
            0,
            None,
            &[("BookingCreated", 1.0, Unit::Count)],
        ));
        s.add_line(&line(
            "ns",
            0,
            Some(("Kind", "slot-booking")),
            &[("Conflicts", 1.0, Unit::Count)],
        ));
        s.add_line(&line(
            "ns",
            0,
            None,
            &[("RelayLag", 120.0, Unit::Milliseconds)],
        ));
        s.add_line(r#"{"message":"booking created"}"#);
        s.add_line("not json \"_aws\"");
        assert_eq!(s.counts["BookingCreated"], 2.0);
        assert_eq!(s.counts["Conflicts"], 1.0);
        assert_eq!(s.counts["Conflicts{Kind=slot-booking}"], 1.0);
        assert_eq!(s.durations["RelayLag"], vec![120.0]);
        let text = s.render();
        assert!(text.contains("BookingCreated 2"), "{text}");
        assert!(text.contains("Conflicts{Kind=slot-booking} 1"), "{text}");
        assert!(text.contains("RelayLag: n 1 p50 120 ms"), "{text}");
    }
}
