//! Realtime worker (realtime queue): tells every WebSocket connection following a space
//! that a booking changed its availability there. A connection that is gone (410) is
//! dropped from the space's followers; a push that fails otherwise fails the message, so
//! SQS delivers it again (connections that already had it get it twice and drop it by its
//! `event_id`; a notice carries no state that a repeat could corrupt).

use app::ports::live::{Delivery, LiveConnections, LivePush};
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::live_push::ApiGatewayPush;
use domain::live::availability_changed;
use edge::events::{BatchResponse, BridgeEvent, SqsEvent, each_bridge_event};
use edge::runtime::{Error, EventFunction};

pub struct RealtimeWorker<S, P> {
    store: S,
    push: P,
}

pub fn build(ctx: &AppContext) -> RealtimeWorker<DynamoStore, ApiGatewayPush> {
    RealtimeWorker {
        store: DynamoStore::from_context(ctx),
        push: ApiGatewayPush::from_context(ctx)
            .expect("LIVE_CONNECTIONS_URL (the WebSocket API's endpoint) must be set"),
    }
}

impl<S: LiveConnections, P: LivePush> RealtimeWorker<S, P> {
    async fn fan_out(&self, event: BridgeEvent) -> Result<(), String> {
        let Some(notice) = availability_changed(&event.detail_type, &event.detail) else {
            return Ok(());
        };
        let followers = self
            .store
            .subscribers(&notice.space_id)
            .await
            .map_err(|e| e.to_string())?;
        let message = serde_json::to_vec(&notice).map_err(|e| e.to_string())?;
        let mut failed = 0;
        for connection in &followers {
            match self.push.push(connection, &message).await {
                Ok(Delivery::Delivered) => {}
                Ok(Delivery::Gone) => {
                    if let Err(e) = self.store.forget(&notice.space_id, connection).await {
                        tracing::warn!(error = %e, "gone follower not removed");
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "push failed");
                    failed += 1;
                }
            }
        }
        tracing::info!(event_id = %notice.event_id, followers = followers.len(), failed, "pushed");
        if failed > 0 {
            return Err(format!("{failed} of {} pushes failed", followers.len()));
        }
        Ok(())
    }
}

impl<S: LiveConnections, P: LivePush> EventFunction for RealtimeWorker<S, P> {
    type Input = SqsEvent;
    type Output = BatchResponse;

    async fn handle(&self, input: SqsEvent) -> Result<BatchResponse, Error> {
        Ok(each_bridge_event(input, |event| self.fan_out(event)).await)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};
    use std::sync::Mutex;

    use app::ports::notifications::ChannelError;
    use app::ports::store::StoreError;
    use edge::events::SqsMessage;
    use jiff::Timestamp;

    use super::*;

    #[derive(Default)]
    struct Followers(Mutex<HashMap<String, HashSet<String>>>);

    impl LiveConnections for Followers {
        async fn connect(&self, _: &str, _: Timestamp) -> Result<(), StoreError> {
            Ok(())
        }
        async fn subscribe(&self, c: &str, space: &str, _: Timestamp) -> Result<(), StoreError> {
            let mut map = self.0.lock().unwrap();
            map.entry(space.into()).or_default().insert(c.into());
            Ok(())
        }
        async fn unsubscribe(&self, c: &str, space: &str) -> Result<(), StoreError> {
            self.forget(space, c).await
        }
        async fn disconnect(&self, _: &str) -> Result<(), StoreError> {
            Ok(())
        }
        async fn subscribers(&self, space: &str) -> Result<Vec<String>, StoreError> {
            let map = self.0.lock().unwrap();
            let mut ids: Vec<String> = map.get(space).into_iter().flatten().cloned().collect();
            ids.sort();
            Ok(ids)
        }
        async fn forget(&self, space: &str, c: &str) -> Result<(), StoreError> {
            if let Some(set) = self.0.lock().unwrap().get_mut(space) {
                set.remove(c);
            }
            Ok(())
        }
    }

    /// Records deliveries; `gone` connections answer 410, `broken` ones fail.
    #[derive(Default)]
    struct Sockets {
        sent: Mutex<Vec<(String, serde_json::Value)>>,
        gone: HashSet<String>,
        broken: HashSet<String>,
    }

    impl LivePush for Sockets {
        async fn push(&self, c: &str, message: &[u8]) -> Result<Delivery, ChannelError> {
            if self.gone.contains(c) {
                return Ok(Delivery::Gone);
            }
            if self.broken.contains(c) {
                return Err(ChannelError("timeout".into()));
            }
            let json = serde_json::from_slice(message).unwrap();
            self.sent.lock().unwrap().push((c.into(), json));
            Ok(Delivery::Delivered)
        }
    }

    fn message(id: &str, kind: &str, space: &str) -> SqsMessage {
        let body = serde_json::json!({
            "detail-type": kind, "source": "coworking.bookings",
            "detail": {"event_id": format!("ev-{id}"), "space_id": space, "bookable_item_id": "i1",
                       "start_time": "2026-12-01T09:00:00Z", "end_time": "2026-12-01T10:00:00Z",
                       "user_id": "secret-member"}
        });
        SqsMessage {
            message_id: id.into(),
            body: body.to_string(),
        }
    }

    async fn worker(sockets: Sockets) -> RealtimeWorker<Followers, Sockets> {
        let store = Followers::default();
        for (c, space) in [("a1", "A"), ("a2", "A"), ("b1", "B"), ("gone", "A")] {
            store.subscribe(c, space, Timestamp::now()).await.unwrap();
        }
        RealtimeWorker {
            store,
            push: sockets,
        }
    }

    #[tokio::test]
    async fn only_the_spaces_followers_hear_of_a_change() {
        let w = worker(Sockets {
            gone: HashSet::from(["gone".to_string()]),
            ..Default::default()
        })
        .await;
        let out = w
            .handle(SqsEvent {
                records: vec![
                    message("m1", "BookingCreated", "A"),
                    message("m2", "BookingReminder", "B"),
                ],
            })
            .await
            .unwrap();
        assert_eq!(out, BatchResponse::default());
        let sent = w.push.sent.lock().unwrap().clone();
        let to: Vec<&str> = sent.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(
            to,
            ["a1", "a2"],
            "B's follower hears nothing, reminders change nothing"
        );
        assert_eq!(sent[0].1["space_id"], "A");
        assert_eq!(sent[0].1["event_id"], "ev-m1");
        assert!(!sent[0].1.to_string().contains("secret-member"));
        // The gone connection no longer follows A.
        assert_eq!(w.store.subscribers("A").await.unwrap(), ["a1", "a2"]);
    }

    #[tokio::test]
    async fn a_failed_push_fails_only_its_message() {
        let w = worker(Sockets {
            broken: HashSet::from(["a2".to_string()]),
            ..Default::default()
        })
        .await;
        let out = w
            .handle(SqsEvent {
                records: vec![
                    message("m1", "BookingCancelled", "A"),
                    message("m2", "BookingExpired", "B"),
                    SqsMessage {
                        message_id: "m3".into(),
                        body: "not json".into(),
                    },
                ],
            })
            .await
            .unwrap();
        assert_eq!(
            out,
            BatchResponse::failed(["m1".to_string(), "m3".to_string()])
        );
        let sent = w.push.sent.lock().unwrap().clone();
        let to: Vec<&str> = sent.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(to, ["a1", "gone", "b1"]);
    }
}
