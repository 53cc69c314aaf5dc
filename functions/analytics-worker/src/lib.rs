//! Analytics worker (analytics queue): per space, item and local day, booked minutes,
//! revenue, bookings and cancellations as atomic counters, each event counted once (a
//! marker of the event id is written in the same transaction as the counters).

use app::ports::analytics::AnalyticsStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::analytics::changes;
use edge::events::{BatchResponse, BridgeEvent, SqsEvent, each_bridge_event};
use edge::runtime::{Error, EventFunction};

pub struct AnalyticsWorker<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> AnalyticsWorker<DynamoStore> {
    AnalyticsWorker {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: AnalyticsStore> AnalyticsWorker<S> {
    async fn count(&self, event: BridgeEvent) -> Result<(), String> {
        let changes = changes(&event.detail_type, &event.detail);
        if changes.is_empty() {
            return Ok(());
        }
        let text = |k: &str| event.detail.get(k).and_then(|v| v.as_str());
        let (Some(space_id), Some(event_id)) = (text("space_id"), text("event_id")) else {
            return Err("no space_id or event_id".into());
        };
        let applied = self
            .store
            .apply_counters(space_id, event_id, &changes)
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!(event_id, applied, kind = %event.detail_type, "counted");
        Ok(())
    }
}

impl<S: AnalyticsStore> EventFunction for AnalyticsWorker<S> {
    type Input = SqsEvent;
    type Output = BatchResponse;

    async fn handle(&self, input: SqsEvent) -> Result<BatchResponse, Error> {
        Ok(each_bridge_event(input, |event| self.count(event)).await)
    }
}
