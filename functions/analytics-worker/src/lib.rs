//! Analytics worker (analytics queue): per space, item and local day, booked minutes,
//! revenue, bookings and cancellations as atomic counters, each event counted once (a
//! marker of the event id is written in the same transaction as the counters).

use app::ports::analytics::AnalyticsStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::analytics::changes;
use edge::events::{BatchResponse, BridgeEvent, SqsEvent};
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
    async fn count(&self, body: &str) -> Result<(), String> {
        let event: BridgeEvent = serde_json::from_str(body).map_err(|e| e.to_string())?;
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
        let mut failed = Vec::new();
        for msg in input.records {
            if let Err(e) = self.count(&msg.body).await {
                tracing::warn!(message_id = %msg.message_id, error = %e, "not counted");
                failed.push(msg.message_id);
            }
        }
        Ok(BatchResponse::failed(failed))
    }
}
