//! `LivePush` on API Gateway's management API (`POST @connections/{id}`).

use aws_sdk_apigatewaymanagement::primitives::Blob;
use aws_smithy_types::error::display::DisplayErrorContext;

use app::ports::live::{Delivery, LivePush};
use app::ports::notifications::ChannelError;

#[derive(Clone)]
pub struct ApiGatewayPush {
    client: aws_sdk_apigatewaymanagement::Client,
}

impl ApiGatewayPush {
    /// `None` when the WebSocket API's endpoint (`LIVE_CONNECTIONS_URL`) is not configured.
    pub fn from_context(ctx: &crate::AppContext) -> Option<Self> {
        ctx.live_connections().map(|client| Self {
            client: client.clone(),
        })
    }
}

impl LivePush for ApiGatewayPush {
    async fn push(&self, connection_id: &str, message: &[u8]) -> Result<Delivery, ChannelError> {
        match self
            .client
            .post_to_connection()
            .connection_id(connection_id)
            .data(Blob::new(message))
            .send()
            .await
        {
            Ok(_) => Ok(Delivery::Delivered),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_gone_exception()) => {
                Ok(Delivery::Gone)
            }
            Err(e) => Err(ChannelError(DisplayErrorContext(&e).to_string())),
        }
    }
}
