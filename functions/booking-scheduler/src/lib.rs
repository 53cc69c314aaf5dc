//! Booking scheduler (EventBridge schedule, every minute): expired holds released with
//! BookingExpired, reminders sent once. See `app::usecase::scheduler`. The run's "now"
//! is the scheduled event's `time`, so a late or replayed run acts as of its schedule.

use app::ports::bookings::BookingStore;
use app::ports::payments::Payments;
use app::ports::schedule::ScheduleStore;
use app::usecase::scheduler::{RunReport, run};
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::stripe::StripePayments;
use edge::runtime::{Error, EventFunction};
use jiff::Timestamp;

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
