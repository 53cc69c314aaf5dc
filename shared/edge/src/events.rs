//! The Lambda payloads of event-driven functions, with only the fields we use: DynamoDB
//! stream batches (outbox relay), SQS batches (consumers), and the partial batch failure
//! answers both accept (`ReportBatchItemFailures`).

use aws::telemetry::{context, emf};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct StreamEvent {
    #[serde(rename = "Records", default)]
    pub records: Vec<StreamRecord>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct StreamRecord {
    #[serde(rename = "eventName")]
    pub event_name: String,
    pub dynamodb: StreamChange,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct StreamChange {
    #[serde(rename = "NewImage", default, skip_serializing_if = "Option::is_none")]
    pub new_image: Option<serde_dynamo::Item>,
    #[serde(rename = "SequenceNumber")]
    pub sequence_number: String,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct SqsEvent {
    #[serde(rename = "Records", default)]
    pub records: Vec<SqsMessage>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct SqsMessage {
    #[serde(rename = "messageId")]
    pub message_id: String,
    pub body: String,
}

/// `{"batchItemFailures": [{"itemIdentifier": ...}]}`: a stream's sequence number (the
/// first failed record: Lambda retries from it) or an SQS message id (each failed one).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct BatchResponse {
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<ItemFailure>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct ItemFailure {
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}

impl BatchResponse {
    pub fn failed(ids: impl IntoIterator<Item = String>) -> Self {
        Self {
            batch_item_failures: ids
                .into_iter()
                .map(|item_identifier| ItemFailure { item_identifier })
                .collect(),
        }
    }
}

/// What EventBridge puts in an SQS message body (the fields consumers read).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct BridgeEvent {
    #[serde(rename = "detail-type")]
    pub detail_type: String,
    pub source: String,
    pub detail: serde_json::Value,
}

impl BridgeEvent {
    /// The flow the event belongs to (`aws::eventbridge::bridge_detail` puts it there).
    pub fn correlation_id(&self) -> Option<&str> {
        self.detail.get("correlation_id").and_then(|c| c.as_str())
    }
}

/// A queue consumer's loop, shared by every consumer: each message's EventBridge event is
/// handed to `work` correlated with its flow (so every line it logs carries the flow's
/// id); a message that is unreadable or whose work fails is logged, counted
/// (`ConsumerRetries`) and reported for another delivery (after the queue's
/// `maxReceiveCount` it goes to the dead-letter queue). Work must be idempotent: a message
/// can come twice.
pub async fn each_bridge_event<W, Fut, E>(batch: SqsEvent, mut work: W) -> BatchResponse
where
    W: FnMut(BridgeEvent) -> Fut,
    Fut: std::future::Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    let mut failed = Vec::new();
    for msg in batch.records {
        let done = match serde_json::from_str::<BridgeEvent>(&msg.body) {
            Ok(event) => {
                let correlation = event.correlation_id().map(str::to_owned);
                context::correlate(correlation.as_deref(), async {
                    let kind = event.detail_type.clone();
                    let result = work(event).await;
                    if let Err(e) = &result {
                        tracing::warn!(message_id = %msg.message_id, kind = %kind, error = %e, "message not done; it will be retried");
                    }
                    result.is_ok()
                })
                .await
            }
            Err(e) => {
                tracing::warn!(message_id = %msg.message_id, error = %e, "unreadable message; it will be retried");
                false
            }
        };
        if !done {
            failed.push(msg.message_id);
        }
    }
    if !failed.is_empty() {
        let function = context::current().map_or("unknown", |inv| inv.function);
        emf::count_by(
            emf::names::CONSUMER_RETRIES,
            ("Function", function),
            failed.len() as f64,
        );
    }
    BatchResponse::failed(failed)
}

/// What API Gateway's WebSocket API sends a route's function (`$connect`, `$disconnect`
/// and the `action` routes), with the fields we use.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct WebSocketEvent {
    #[serde(rename = "requestContext")]
    pub request_context: WebSocketContext,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct WebSocketContext {
    #[serde(rename = "routeKey")]
    pub route_key: String,
    #[serde(rename = "connectionId")]
    pub connection_id: String,
    /// `CONNECT`, `MESSAGE` or `DISCONNECT`.
    #[serde(rename = "eventType")]
    pub event_type: String,
}

/// A route's answer. On `$connect` a status other than 2xx refuses the connection; on a
/// message route with a route response, `body` goes back to the client.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct WebSocketResponse {
    #[serde(rename = "statusCode")]
    pub status_code: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl WebSocketResponse {
    pub fn ok() -> Self {
        Self {
            status_code: 200,
            body: None,
        }
    }

    pub fn json(status_code: u16, body: &serde_json::Value) -> Self {
        Self {
            status_code,
            body: Some(body.to_string()),
        }
    }

    /// An error as the client sees it on the socket: the problem+json fields plus
    /// `"type": "error"`, so a client tells it apart from the notices it follows.
    pub fn problem(err: &app::AppError) -> Self {
        let problem = crate::http::Problem::from(err);
        let mut body = serde_json::to_value(&problem).unwrap_or_default();
        if let Some(map) = body.as_object_mut() {
            let kind = map.get("type").cloned().unwrap_or_default();
            map.insert("problem_type".into(), kind);
            map.insert("type".into(), "error".into());
        }
        Self::json(problem.status, &body)
    }
}
