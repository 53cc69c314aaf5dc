//! `$disconnect` of the live availability WebSocket API: forgets the connection and the
//! spaces it followed. API Gateway sends it on a best-effort basis; rows of a connection
//! whose `$disconnect` never came expire, and a push to it (410) removes its follower row.

use app::ports::live::LiveConnections;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::events::{WebSocketEvent, WebSocketResponse};
use edge::runtime::{Error, EventFunction};

pub struct LiveDisconnect<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> LiveDisconnect<DynamoStore> {
    LiveDisconnect {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: LiveConnections> EventFunction for LiveDisconnect<S> {
    type Input = WebSocketEvent;
    type Output = WebSocketResponse;

    async fn handle(&self, event: WebSocketEvent) -> Result<WebSocketResponse, Error> {
        let connection = &event.request_context.connection_id;
        self.store.disconnect(connection).await?;
        tracing::info!(connection, "disconnected");
        Ok(WebSocketResponse::ok())
    }
}
