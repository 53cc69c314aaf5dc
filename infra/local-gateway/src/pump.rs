//! The local stand-in for Lambda's event source mappings: reads the table's stream and the
//! queues named by template.yaml's function events, and calls those functions in-process
//! with the payloads Lambda would send, honouring their partial batch failure answers.
//!
//! Stream: records are read in order; when the relay reports a failure, reading resumes
//! at that record after a pause (as Lambda does, retrying until it succeeds). Queue:
//! messages the function did not report as failed are deleted; failed ones come back
//! after the queue's visibility timeout (and go to its DLQ after `maxReceiveCount`).

use std::collections::HashMap;
use std::time::Duration;

use aws::AppContext;
use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use edge::events::BatchResponse;
use edge::runtime::BoxedEventFunction;
use serde_json::{Value, json};

use crate::stack::StackInfo;
use crate::template::{Template, TriggerSource};

const IDLE: Duration = Duration::from_millis(150);
const RETRY: Duration = Duration::from_millis(1000);

/// Starts one task per trigger of the template; they run until the process exits.
pub fn start(template: &Template, stack: &StackInfo, ctx: &AppContext) {
    let handlers = crate::registry::event_handlers(ctx);
    for trigger in &template.triggers {
        let Some(handler) = handlers.get(trigger.crate_name.as_str()).cloned() else {
            eprintln!("local-gateway: no event handler for {}", trigger.crate_name);
            continue;
        };
        match &trigger.source {
            TriggerSource::Stream { table } => {
                let table = stack.resources.get(table).cloned().unwrap_or_default();
                tokio::spawn(stream_pump(ctx.clone(), table, handler, trigger.batch_size));
            }
            TriggerSource::Queue { queue } => {
                let url = stack.resources.get(queue).cloned().unwrap_or_default();
                tokio::spawn(queue_pump(ctx.clone(), url, handler, trigger.batch_size));
            }
            TriggerSource::Schedule { expression } => match rate(expression) {
                Some(every) => {
                    tokio::spawn(schedule_pump(handler, every));
                }
                None => eprintln!("local-gateway: schedule {expression} not understood"),
            },
        }
    }
}

/// DynamoDB JSON of a stream record, as Lambda passes it.
fn record_json(r: &aws_sdk_dynamodbstreams::types::Record) -> Option<(String, Value)> {
    let change = r.dynamodb()?;
    let seq = change.sequence_number()?.to_string();
    let image = change.new_image().map(|img| {
        img.iter()
            .map(|(k, v)| (k.clone(), attr_json(v)))
            .collect::<serde_json::Map<String, Value>>()
    });
    let mut dynamodb = json!({ "SequenceNumber": seq });
    if let Some(img) = image {
        dynamodb["NewImage"] = Value::Object(img);
    }
    let name = r
        .event_name()
        .map(|n| n.as_str().to_string())
        .unwrap_or_default();
    Some((seq, json!({ "eventName": name, "dynamodb": dynamodb })))
}

fn attr_json(v: &aws_sdk_dynamodbstreams::types::AttributeValue) -> Value {
    use aws_sdk_dynamodbstreams::types::AttributeValue as A;
    match v {
        A::S(s) => json!({ "S": s }),
        A::N(n) => json!({ "N": n }),
        A::Bool(b) => json!({ "BOOL": b }),
        A::Null(_) => json!({ "NULL": true }),
        A::L(l) => json!({ "L": l.iter().map(attr_json).collect::<Vec<_>>() }),
        A::M(m) => {
            json!({ "M": m.iter().map(|(k, v)| (k.clone(), attr_json(v))).collect::<serde_json::Map<_, _>>() })
        }
        A::Ss(ss) => json!({ "SS": ss }),
        A::Ns(ns) => json!({ "NS": ns }),
        _ => Value::Null,
    }
}

async fn stream_pump(ctx: AppContext, table: String, handler: BoxedEventFunction, batch: usize) {
    let streams = aws_sdk_dynamodbstreams::Client::new(ctx.sdk_config());
    let arn = loop {
        match ctx
            .dynamodb()
            .describe_table()
            .table_name(&table)
            .send()
            .await
        {
            Ok(out) => match out.table().and_then(|t| t.latest_stream_arn()) {
                Some(arn) => break arn.to_string(),
                None => return,
            },
            Err(_) => tokio::time::sleep(RETRY).await,
        }
    };
    // Shard id -> iterator; new shards start at their beginning, the first ones at "now".
    let mut iterators: HashMap<String, Option<String>> = HashMap::new();
    let mut first = true;
    loop {
        if let Ok(desc) = streams.describe_stream().stream_arn(&arn).send().await {
            for shard in desc
                .stream_description()
                .map(|d| d.shards())
                .unwrap_or_default()
            {
                let Some(id) = shard.shard_id() else { continue };
                if iterators.contains_key(id) {
                    continue;
                }
                let kind = if first {
                    ShardIteratorType::Latest
                } else {
                    ShardIteratorType::TrimHorizon
                };
                let it = streams
                    .get_shard_iterator()
                    .stream_arn(&arn)
                    .shard_id(id)
                    .shard_iterator_type(kind)
                    .send()
                    .await
                    .ok()
                    .and_then(|o| o.shard_iterator().map(str::to_owned));
                iterators.insert(id.to_string(), it);
            }
        }
        first = false;
        let mut busy = false;
        for (shard, iterator) in iterators.iter_mut() {
            let Some(it) = iterator.clone() else { continue };
            let Ok(out) = streams
                .get_records()
                .shard_iterator(&it)
                .limit(batch as i32)
                .send()
                .await
            else {
                tokio::time::sleep(RETRY).await;
                continue;
            };
            let records: Vec<(String, Value)> =
                out.records().iter().filter_map(record_json).collect();
            *iterator = out.next_shard_iterator().map(str::to_owned);
            if records.is_empty() {
                continue;
            }
            busy = true;
            let payload =
                json!({ "Records": records.iter().map(|(_, r)| r.clone()).collect::<Vec<_>>() });
            let failed_at = match handler(payload).await {
                Ok(answer) => serde_json::from_value::<BatchResponse>(answer)
                    .ok()
                    .and_then(|b| {
                        b.batch_item_failures
                            .first()
                            .map(|f| f.item_identifier.clone())
                    }),
                // A function error retries the whole batch.
                Err(_) => records.first().map(|(seq, _)| seq.clone()),
            };
            if let Some(seq) = failed_at {
                tokio::time::sleep(RETRY).await;
                *iterator = streams
                    .get_shard_iterator()
                    .stream_arn(&arn)
                    .shard_id(shard.clone())
                    .shard_iterator_type(ShardIteratorType::AtSequenceNumber)
                    .sequence_number(seq)
                    .send()
                    .await
                    .ok()
                    .and_then(|o| o.shard_iterator().map(str::to_owned));
            }
        }
        if !busy {
            tokio::time::sleep(IDLE).await;
        }
    }
}

async fn queue_pump(ctx: AppContext, url: String, handler: BoxedEventFunction, batch: usize) {
    let sqs = aws_sdk_sqs::Client::new(ctx.sdk_config());
    loop {
        let out = match sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(batch.min(10) as i32)
            .wait_time_seconds(1)
            .send()
            .await
        {
            Ok(out) => out,
            Err(_) => {
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        let messages = out.messages();
        if messages.is_empty() {
            continue;
        }
        let records: Vec<Value> = messages
            .iter()
            .map(|m| json!({ "messageId": m.message_id().unwrap_or_default(), "body": m.body().unwrap_or_default() }))
            .collect();
        let failed: Vec<String> = match handler(json!({ "Records": records })).await {
            Ok(answer) => serde_json::from_value::<BatchResponse>(answer)
                .map(|b| {
                    b.batch_item_failures
                        .into_iter()
                        .map(|f| f.item_identifier)
                        .collect()
                })
                .unwrap_or_default(),
            Err(_) => messages
                .iter()
                .filter_map(|m| m.message_id().map(str::to_owned))
                .collect(),
        };
        for m in messages {
            if failed.iter().any(|f| Some(f.as_str()) == m.message_id()) {
                continue;
            }
            if let Some(handle) = m.receipt_handle() {
                let _ = sqs
                    .delete_message()
                    .queue_url(&url)
                    .receipt_handle(handle)
                    .send()
                    .await;
            }
        }
    }
}

/// `rate(N minute|minutes|hour|hours)`.
fn rate(expression: &str) -> Option<Duration> {
    let inner = expression.strip_prefix("rate(")?.strip_suffix(')')?;
    let (n, unit) = inner.split_once(' ')?;
    let n: u64 = n.parse().ok()?;
    match unit.trim_end_matches('s') {
        "minute" => Some(Duration::from_secs(60 * n)),
        "hour" => Some(Duration::from_secs(3600 * n)),
        _ => None,
    }
}

/// Calls the function with a scheduled event every `every`, as EventBridge Scheduler would.
async fn schedule_pump(handler: BoxedEventFunction, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let event = json!({
            "source": "aws.events",
            "detail-type": "Scheduled Event",
            "time": jiff::Timestamp::now().to_string(),
            "detail": {},
        });
        if let Err(e) = handler(event).await {
            eprintln!("local-gateway: scheduled run failed: {e}");
        }
    }
}
