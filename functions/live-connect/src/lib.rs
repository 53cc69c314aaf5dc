//! `$connect` of the live availability WebSocket API: records the connection. Anyone may
//! connect: availability is public (as `GET /spaces/{id}/availability` is), and what a
//! connection may do is bounded (it follows at most a few spaces; the stage throttles).

use app::ports::live::LiveConnections;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::events::{WebSocketEvent, WebSocketResponse};
use edge::runtime::{Error, EventFunction};

pub struct LiveConnect<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> LiveConnect<DynamoStore> {
    LiveConnect {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: LiveConnections> EventFunction for LiveConnect<S> {
    type Input = WebSocketEvent;
    type Output = WebSocketResponse;

    async fn handle(&self, event: WebSocketEvent) -> Result<WebSocketResponse, Error> {
        let connection = &event.request_context.connection_id;
        self.store
            .connect(connection, jiff::Timestamp::now())
            .await?;
        tracing::info!(connection, "connected");
        Ok(WebSocketResponse::ok())
    }
}
