//! Outbox relay: the table's stream (outbox items only, by the event source filter) to the
//! EventBridge bus. See `relay` for the retry and poison-record rules.

mod relay;

use crate::relay::relay;
use app::ports::events::EventBus;
use aws::AppContext;
use aws::eventbridge::EventBridgeBus;
use edge::events::{BatchResponse, StreamEvent};
use edge::runtime::{Error, EventFunction};

pub struct OutboxRelay<B> {
    bus: B,
}

pub fn build(ctx: &AppContext) -> OutboxRelay<EventBridgeBus> {
    OutboxRelay {
        bus: EventBridgeBus::from_context(ctx),
    }
}

impl<B: EventBus> EventFunction for OutboxRelay<B> {
    type Input = StreamEvent;
    type Output = BatchResponse;

    async fn handle(&self, input: StreamEvent) -> Result<BatchResponse, Error> {
        Ok(relay(&self.bus, input).await)
    }
}
