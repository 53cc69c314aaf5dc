//! Structured JSON logs (one object per line, as CloudWatch's JSON log format expects).
//!
//! Rule for every log line in this code base: ids and outcomes only. Never a request body,
//! a token, an email, a name, a phone number or anything from a payment.

use tracing_subscriber::EnvFilter;

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
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_writer(writer)
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_env_filter(filter)
        .try_init();
}
