//! The Lambda payloads of event-driven functions, with only the fields we use: DynamoDB
//! stream batches (outbox relay), SQS batches (consumers), and the partial batch failure
//! answers both accept (`ReportBatchItemFailures`).

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
