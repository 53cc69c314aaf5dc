//! The outbox relay: stream records of outbox items become EventBridge events, in order.
//!
//! A record that cannot be published (bus missing, throttled) is reported as the batch's
//! first failure, so Lambda retries from it and nothing after it is skipped; the outbox
//! item itself stays in the table meanwhile. A record that can never be read (poison) is
//! reported too: after the retries the event source mapping sends it to the relay's DLQ.
//! Publishing twice is harmless: every consumer deduplicates on the event id.

use app::ports::events::EventBus;
use aws::telemetry::{context, emf};
use domain::events::DomainEvent;
use edge::events::{BatchResponse, StreamEvent};

pub async fn relay<B: EventBus>(bus: &B, batch: StreamEvent) -> BatchResponse {
    let mut events: Vec<(String, DomainEvent)> = Vec::new();
    for record in batch.records {
        let seq = record.dynamodb.sequence_number.clone();
        if record.event_name != "INSERT" {
            continue;
        }
        let Some(image) = record.dynamodb.new_image else {
            continue;
        };
        let is_outbox = matches!(
            image.get("entity"),
            Some(serde_dynamo::AttributeValue::S(e)) if e == "DomainEvent"
        );
        if !is_outbox {
            continue;
        }
        match serde_dynamo::from_item::<_, DomainEvent>(image) {
            Ok(event) => events.push((seq, event)),
            Err(e) => {
                tracing::error!(sequence_number = %seq, error = %e, "unreadable outbox record");
                // Publish what came before it, then stop here (it goes to the DLQ).
                return publish(bus, events, Some(seq)).await;
            }
        }
    }
    publish(bus, events, None).await
}

async fn publish<B: EventBus>(
    bus: &B,
    events: Vec<(String, DomainEvent)>,
    poison: Option<String>,
) -> BatchResponse {
    let list: Vec<DomainEvent> = events.iter().map(|(_, e)| e.clone()).collect();
    let accepted = match bus.publish(&list).await {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "event bus unavailable; the batch will be retried");
            0
        }
    };
    let now = jiff::Timestamp::now();
    for (_, event) in &events[..accepted] {
        relayed(event, now).await;
    }
    if accepted < events.len() {
        let first = &events[accepted].1;
        context::correlate(first.correlation_id.as_deref(), async {
            tracing::warn!(
                event_id = %first.id,
                published = accepted,
                pending = events.len() - accepted,
                "relay incomplete; retried from this event"
            );
        })
        .await;
        return BatchResponse::failed([events[accepted].0.clone()]);
    }
    BatchResponse::failed(poison)
}

/// One line and one `RelayLag` metric per published event, in the event's flow.
async fn relayed(event: &DomainEvent, now: jiff::Timestamp) {
    let lag_ms = (now.as_millisecond() - event.occurred_at.as_millisecond()).max(0);
    context::correlate(event.correlation_id.as_deref(), async {
        emf::emit(
            None,
            &[(
                emf::names::RELAY_LAG,
                lag_ms as f64,
                emf::Unit::Milliseconds,
            )],
        );
        tracing::info!(event_id = %event.id, kind = %event.detail_type, lag_ms, "event relayed");
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::ports::events::BusError;
    use edge::events::{StreamChange, StreamRecord};
    use std::sync::Mutex;

    /// Accepts the first `capacity` events, then fails (or is down entirely).
    struct Bus {
        capacity: Option<usize>,
        seen: Mutex<Vec<String>>,
    }

    impl EventBus for Bus {
        async fn publish(&self, events: &[DomainEvent]) -> Result<usize, BusError> {
            let Some(cap) = self.capacity else {
                return Err(BusError("no bus".into()));
            };
            let n = events.len().min(cap);
            self.seen
                .lock()
                .unwrap()
                .extend(events[..n].iter().map(|e| e.id.clone()));
            Ok(n)
        }
    }

    fn record(seq: u32, entity: &str) -> StreamRecord {
        let event = DomainEvent::new(
            "s",
            "T",
            jiff::Timestamp::UNIX_EPOCH,
            serde_json::json!({"n": seq}),
        );
        let mut item: serde_dynamo::Item = serde_dynamo::to_item(&event).unwrap();
        let mut map: std::collections::HashMap<String, serde_dynamo::AttributeValue> = item.into();
        map.insert(
            "entity".into(),
            serde_dynamo::AttributeValue::S(entity.into()),
        );
        item = map.into();
        StreamRecord {
            event_name: "INSERT".into(),
            dynamodb: StreamChange {
                new_image: Some(item),
                sequence_number: format!("{seq:05}"),
            },
        }
    }

    fn batch(records: Vec<StreamRecord>) -> StreamEvent {
        StreamEvent { records }
    }

    #[tokio::test]
    async fn publishes_outbox_inserts_only_and_reports_nothing() {
        let bus = Bus {
            capacity: Some(100),
            seen: Mutex::new(vec![]),
        };
        let out = relay(
            &bus,
            batch(vec![
                record(1, "DomainEvent"),
                record(2, "Booking"),
                record(3, "DomainEvent"),
            ]),
        )
        .await;
        assert_eq!(out, BatchResponse::default());
        assert_eq!(bus.seen.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn a_partial_publish_fails_from_the_first_unpublished_record() {
        let bus = Bus {
            capacity: Some(1),
            seen: Mutex::new(vec![]),
        };
        let out = relay(
            &bus,
            batch(vec![
                record(1, "DomainEvent"),
                record(2, "DomainEvent"),
                record(3, "DomainEvent"),
            ]),
        )
        .await;
        assert_eq!(out, BatchResponse::failed(["00002".to_string()]));
        let down = Bus {
            capacity: None,
            seen: Mutex::new(vec![]),
        };
        let out = relay(&down, batch(vec![record(7, "DomainEvent")])).await;
        assert_eq!(out, BatchResponse::failed(["00007".to_string()]));
    }

    #[tokio::test]
    async fn a_poison_record_stops_the_batch_there() {
        let bus = Bus {
            capacity: Some(100),
            seen: Mutex::new(vec![]),
        };
        let mut bad = record(2, "DomainEvent");
        let mut map: std::collections::HashMap<String, serde_dynamo::AttributeValue> =
            bad.dynamodb.new_image.take().unwrap().into();
        map.remove("detail_type");
        bad.dynamodb.new_image = Some(map.into());
        let out = relay(
            &bus,
            batch(vec![
                record(1, "DomainEvent"),
                bad,
                record(3, "DomainEvent"),
            ]),
        )
        .await;
        assert_eq!(out, BatchResponse::failed(["00002".to_string()]));
        assert_eq!(
            bus.seen.lock().unwrap().len(),
            1,
            "the record before it went out"
        );
    }
}
