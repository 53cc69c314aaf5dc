//! Outbox relay: the table's stream (outbox items only, by the event source filter) to the
//! EventBridge bus. See `shared::usecase::relay` for the retry and poison-record rules.

use shared::AppContext;
use shared::adapters::eventbridge::EventBridgeBus;
use shared::events_lambda::{BatchResponse, StreamEvent};
use shared::ports::events::EventBus;
use shared::runtime::{Error, EventFunction};
use shared::usecase::relay::relay;

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
