//! Structured JSON logs (one object per line, as CloudWatch's JSON log format expects).
//!
//! Every line carries the invocation it belongs to (`function`, `request_id`,
//! `correlation_id`, and `trace_id` when X-Ray is on: `aws::telemetry::context`), so one
//! Logs Insights query follows a booking across the API, the outbox relay, EventBridge and
//! the consumers. Metric lines (`aws::telemetry::emf`) go through the same writer as
//! they are, with the same invocation fields added.
//!
//! Rule for every log line in this code base: ids and outcomes only. Never a request body,
//! a token, an email, a name, a phone number or anything from a payment.

use std::fmt;

use aws::telemetry::{context, emf};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::{self, FormatEvent, FormatFields, Writer};
use tracing_subscriber::fmt::{FmtContext, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

/// Installs the JSON subscriber once; later calls (tests, the local gateway) are no-ops.
pub fn init() {
    init_with_writer(std::io::stdout);
}

/// The same subscriber writing elsewhere (a test run's log file, so a 500 in a test
/// comes with the error that caused it).
pub fn init_with_writer<W>(writer: W)
where
    W: for<'a> tracing_subscriber::fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    use tracing_subscriber::util::SubscriberInitExt;
    let _ = subscriber(writer).try_init();
}

/// The subscriber `init` installs (public so `make bench` can time building it and a line).
pub fn subscriber<W>(writer: W) -> impl Subscriber + Send + Sync + 'static
where
    W: for<'a> tracing_subscriber::fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    let base = std::env::var(EnvFilter::DEFAULT_ENV).unwrap_or_else(|_| "info".to_string());
    let filter = filter_for(&base);
    let json = format()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false);
    tracing_subscriber::fmt()
        .with_writer(writer)
        .json()
        .event_format(WithInvocation(json))
        .with_env_filter(filter)
        .finish()
}

/// The level filter for `RUST_LOG` = `base`: metric lines pass whatever the level, so a
/// quiet stage still has its metrics.
fn filter_for(base: &str) -> EnvFilter {
    EnvFilter::try_new(format!("{base},{}=info", emf::TARGET))
        .unwrap_or_else(|_| EnvFilter::new(format!("info,{}=info", emf::TARGET)))
}

fn format() -> format::Format {
    format::format()
}

/// Wraps the JSON formatter: adds the invocation's fields at the front of each object,
/// and writes metric events as their EMF document.
struct WithInvocation<F>(F);

impl<S, N, F> FormatEvent<S, N> for WithInvocation<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
    FormattedFields<N>: 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut object = String::new();
        if event.metadata().target() == emf::TARGET {
            let mut visitor = EmfField(None);
            event.record(&mut visitor);
            let Some(line) = visitor.0 else {
                return Ok(());
            };
            object = line;
            object.push('\n');
        } else {
            self.0.format_event(ctx, Writer::new(&mut object), event)?;
        }
        let Some(rest) = object.strip_prefix('{') else {
            return writer.write_str(&object);
        };
        writer.write_char('{')?;
        context::with_current(|invocation| {
            if let Some(inv) = invocation {
                write_field(&mut writer, "function", inv.function)?;
                write_field(&mut writer, "request_id", &inv.request_id)?;
                write_field(&mut writer, "correlation_id", &inv.correlation_id)?;
                if let Some(trace) = &inv.trace_id {
                    write_field(&mut writer, "trace_id", trace)?;
                }
            }
            Ok(())
        })?;
        writer.write_str(rest)
    }
}

fn write_field(writer: &mut Writer<'_>, key: &str, value: &str) -> fmt::Result {
    write!(writer, "\"{key}\":{},", serde_json::Value::from(value))
}

/// The `emf` field of a metric event: the EMF document as text.
struct EmfField(Option<String>);

impl Visit for EmfField {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "emf" {
            self.0 = Some(value.to_string());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "emf" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);

    impl Write for Capture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn every_line_names_its_invocation_and_metrics_are_emf_documents() {
        let capture = Capture::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .json()
            .event_format(WithInvocation(
                format().json().flatten_event(true).with_target(false),
            ))
            // As a stage that logs warnings only: metric lines must still pass.
            .with_env_filter(filter_for("warn"))
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let inv = context::Invocation::new("create-booking", Some("req-9".into()), None);
        context::run(inv, async {
            context::correlate(Some("bk_7"), async {
                tracing::warn!(booking_id = "bk_7", "booked");
                tracing::info!("below the level: dropped");
                emf::count_by("Conflicts", ("Kind", "slot-taken"), 1.0);
            })
            .await;
        })
        .await;
        tracing::warn!("outside");
        let text = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect(l))
            .collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert_eq!(lines[0]["message"], "booked");
        for line in &lines[..2] {
            assert_eq!(line["function"], "create-booking");
            assert_eq!(line["request_id"], "req-9");
            assert_eq!(line["correlation_id"], "bk_7");
        }
        assert_eq!(lines[1]["Conflicts"], 1.0);
        assert_eq!(
            lines[1]["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"],
            "Conflicts"
        );
        assert!(lines[2].get("correlation_id").is_none());
    }
}
