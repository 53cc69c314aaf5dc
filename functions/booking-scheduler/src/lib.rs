//! Booking scheduler (EventBridge schedule, every minute): expired holds released with
//! BookingExpired, reminders sent once. See `shared::usecase::scheduler`. The run's "now"
//! is the scheduled event's `time`, so a late or replayed run acts as of its schedule.

use jiff::Timestamp;
use shared::AppContext;
use shared::adapters::dynamo::DynamoStore;
use shared::adapters::stripe::StripePayments;
use shared::ports::bookings::BookingStore;
use shared::ports::payments::Payments;
use shared::ports::schedule::ScheduleStore;
use shared::runtime::{Error, EventFunction};
use shared::usecase::scheduler::{RunReport, run};

pub struct BookingScheduler<S, P> {
    store: S,
    payments: P,
}

pub fn build(ctx: &AppContext) -> BookingScheduler<DynamoStore, StripePayments> {
    BookingScheduler {
        store: DynamoStore::from_context(ctx),
        payments: StripePayments::from_context(ctx),
    }
}

impl<S: BookingStore + ScheduleStore, P: Payments> EventFunction for BookingScheduler<S, P> {
    type Input = serde_json::Value;
    type Output = RunReport;

    async fn handle(&self, input: serde_json::Value) -> Result<RunReport, Error> {
        let now = input
            .get("time")
            .and_then(|t| t.as_str())
            .and_then(|t| t.parse::<Timestamp>().ok())
            .unwrap_or_else(Timestamp::now);
        let report = run(&self.store, &self.payments, now)
            .await
            .map_err(|e| Error::from(e.to_string()))?;
        tracing::info!(
            expired = report.expired,
            reminded = report.reminded,
            "scheduler run"
        );
        Ok(report)
    }
}
