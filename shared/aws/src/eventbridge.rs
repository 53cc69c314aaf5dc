//! `EventBus` on EventBridge: `PutEvents` in batches of 10 (its limit).

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use aws_smithy_types::error::display::DisplayErrorContext;

use app::ports::events::{BusError, EventBus};
use domain::events::DomainEvent;

const BATCH: usize = 10;

#[derive(Clone)]
pub struct EventBridgeBus {
    client: aws_sdk_eventbridge::Client,
    bus: String,
}

impl EventBridgeBus {
    pub fn new(client: aws_sdk_eventbridge::Client, bus: String) -> Self {
        Self { client, bus }
    }

    pub fn from_context(ctx: &crate::AppContext) -> Self {
        Self::new(
            ctx.eventbridge().clone(),
            ctx.config().event_bus_name.clone(),
        )
    }
}

/// The EventBridge `detail`: the event's own detail plus its id, version and time, so a
/// consumer can deduplicate on `event_id` (EventBridge's envelope id differs per publish),
/// and its `correlation_id`, which each consumer's log lines carry.
pub fn bridge_detail(e: &DomainEvent) -> serde_json::Value {
    let mut detail = e.detail.clone();
    if let Some(map) = detail.as_object_mut() {
        map.insert("event_id".into(), e.id.clone().into());
        map.insert("event_version".into(), e.version.into());
        map.insert("occurred_at".into(), e.occurred_at.to_string().into());
        if let Some(id) = &e.correlation_id {
            map.insert("correlation_id".into(), id.clone().into());
        }
    }
    detail
}

impl EventBus for EventBridgeBus {
    async fn publish(&self, events: &[DomainEvent]) -> Result<usize, BusError> {
        let mut accepted = 0;
        for chunk in events.chunks(BATCH) {
            let entries: Vec<PutEventsRequestEntry> = chunk
                .iter()
                .map(|e| {
                    PutEventsRequestEntry::builder()
                        .event_bus_name(&self.bus)
                        .source(&e.source)
                        .detail_type(&e.detail_type)
                        .detail(bridge_detail(e).to_string())
                        .time(aws_smithy_types::DateTime::from_secs(
                            e.occurred_at.as_second(),
                        ))
                        .build()
                })
                .collect();
            let out = self
                .client
                .put_events()
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| BusError(DisplayErrorContext(&e).to_string()))?;
            // Entries come back in request order; the first one with an error code stops us.
            let results = out.entries();
            for (i, r) in results.iter().enumerate() {
                if r.error_code().is_some() {
                    tracing::warn!(code = ?r.error_code(), event_id = %chunk[i].id, "event not accepted");
                    return Ok(accepted + i);
                }
            }
            if out.failed_entry_count() > 0 {
                return Ok(accepted);
            }
            accepted += chunk.len();
        }
        Ok(accepted)
    }
}
