//! The `subscribe` and `unsubscribe` routes of the live availability WebSocket API:
//! `{"action": "subscribe", "space_id": "..."}` follows a space's availability changes,
//! `{"action": "unsubscribe", ...}` stops. The answer goes back on the socket:
//! `{"type": "subscribed", "space_id": ...}`, or `{"type": "error", ...}` with the
//! problem+json fields (400 naming the field, 404 unknown space, 409 too many spaces).

use app::AppError;
use app::ports::live::LiveConnections;
use app::ports::spaces::SpaceStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::live::SubscriptionRequest;
use domain::space::SpaceStatus;
use edge::events::{WebSocketEvent, WebSocketResponse};
use edge::runtime::{Error, EventFunction};

pub struct LiveSubscriptions<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> LiveSubscriptions<DynamoStore> {
    LiveSubscriptions {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: LiveConnections + SpaceStore> LiveSubscriptions<S> {
    async fn apply(&self, event: &WebSocketEvent) -> Result<serde_json::Value, AppError> {
        let request = SubscriptionRequest::parse(event.body.as_deref())?;
        let connection = &event.request_context.connection_id;
        let space_id = request.space_id.as_str();
        if event.request_context.route_key == "unsubscribe" {
            self.store.unsubscribe(connection, space_id).await?;
            return Ok(serde_json::json!({"type": "unsubscribed", "space_id": space_id}));
        }
        // Only spaces members can see: an unknown or unpublished one is not followed.
        let visible = self
            .store
            .get_space_profile(space_id)
            .await?
            .is_some_and(|space| space.status == SpaceStatus::Active);
        if !visible {
            return Err(AppError::NotFound(format!("no space {space_id}")));
        }
        self.store
            .subscribe(connection, space_id, jiff::Timestamp::now())
            .await?;
        Ok(serde_json::json!({"type": "subscribed", "space_id": space_id}))
    }
}

impl<S: LiveConnections + SpaceStore> EventFunction for LiveSubscriptions<S> {
    type Input = WebSocketEvent;
    type Output = WebSocketResponse;

    async fn handle(&self, event: WebSocketEvent) -> Result<WebSocketResponse, Error> {
        Ok(match self.apply(&event).await {
            Ok(body) => WebSocketResponse::json(200, &body),
            // Server-side failures are the function's error (API Gateway answers 500 and
            // the log has the cause); the client's mistakes are answered on the socket.
            Err(err @ (AppError::Internal(_) | AppError::Unavailable(_))) => {
                return Err(err.into());
            }
            Err(err) => WebSocketResponse::problem(&err),
        })
    }
}
