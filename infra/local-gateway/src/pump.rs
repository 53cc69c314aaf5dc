//! The local stand-in for Lambda's event source mappings: reads the table's stream and the
//! queues named by template.yaml's function events, and calls those functions in-process
//! with the payloads Lambda would send, honouring their partial batch failure answers.
//!
//! Stream: records are read in order; when the relay reports a failure, reading resumes
//! at that record after a pause; a batch whose invocation fails is bisected; a record that
//! fails more often than the trigger's `MaximumRetryAttempts` is reported to its
//! on-failure destination and passed, so the shard moves on (as Lambda does). Queue:
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
/// Lambda backs off exponentially between retries of a stream record; so does this, up to
/// this pause.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Starts one task per trigger of the template; they run until the process exits. `ctx`
/// reads the stream and queues (Lambda's pollers); `handlers` carry their functions' roles,
/// and `context_of` gives a function's context for what Lambda does with its role.
pub fn start(
    template: &Template,
    stack: &StackInfo,
    ctx: &AppContext,
    handlers: &HashMap<&'static str, BoxedEventFunction>,
    context_of: &dyn Fn(&str) -> AppContext,
) {
    for trigger in &template.triggers {
        let Some(handler) = handlers.get(trigger.crate_name.as_str()).cloned() else {
            eprintln!("local-gateway: no event handler for {}", trigger.crate_name);
            continue;
        };
        match &trigger.source {
            TriggerSource::Stream { table } => {
                let policy = StreamPolicy {
                    table: stack.resources.get(table).cloned().unwrap_or_default(),
                    batch: trigger.batch_size,
                    max_retries: trigger.max_retries,
                    on_failure: trigger
                        .on_failure
                        .as_ref()
                        .and_then(|q| stack.resources.get(q).cloned()),
                    function: context_of(&trigger.crate_name),
                    // The emulator's pace (not the product's): tests shorten it.
                    retry: stack
                        .env
                        .get("LOCAL_ESM_RETRY_MS")
                        .and_then(|v| v.parse().ok())
                        .map(Duration::from_millis),
                };
                tokio::spawn(stream_pump(ctx.clone(), policy, handler));
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

/// How an event source mapping reads a stream and gives up on a record.
struct StreamPolicy {
    table: String,
    batch: usize,
    max_retries: Option<u32>,
    /// The queue URL of the on-failure destination.
    on_failure: Option<String>,
    /// Lambda sends the failure report with the function's own role: so does this.
    function: AppContext,
    /// A fixed pause between retries instead of Lambda's backoff.
    retry: Option<Duration>,
}

impl StreamPolicy {
    fn backoff(&self, attempt: u32) -> Duration {
        self.retry
            .unwrap_or_else(|| (RETRY * 2u32.saturating_pow(attempt.min(8))).min(MAX_BACKOFF))
    }
}

/// A shard's reading state: where it is, how big a batch it asks for (halved when an
/// invocation fails: bisection), and how often the record in front failed.
struct Shard {
    iterator: Option<String>,
    limit: usize,
    failing: Option<(String, u32)>,
}

async fn stream_pump(ctx: AppContext, policy: StreamPolicy, handler: BoxedEventFunction) {
    let streams = aws_sdk_dynamodbstreams::Client::new(ctx.sdk_config());
    let sqs = {
        let mut conf = aws_sdk_sqs::config::Builder::from(policy.function.sdk_config());
        conf.set_interceptors(policy.function.observer());
        aws_sdk_sqs::Client::from_conf(conf.build())
    };
    let arn = loop {
        match ctx
            .dynamodb()
            .describe_table()
            .table_name(&policy.table)
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
    let iterator_at = |shard: String, kind: ShardIteratorType, seq: Option<String>| {
        let streams = streams.clone();
        let arn = arn.clone();
        async move {
            streams
                .get_shard_iterator()
                .stream_arn(&arn)
                .shard_id(shard)
                .shard_iterator_type(kind)
                .set_sequence_number(seq)
                .send()
                .await
                .ok()
                .and_then(|o| o.shard_iterator().map(str::to_owned))
        }
    };
    // New shards start at their beginning, the first ones at "now".
    let mut shards: HashMap<String, Shard> = HashMap::new();
    let mut first = true;
    loop {
        if let Ok(desc) = streams.describe_stream().stream_arn(&arn).send().await {
            for shard in desc
                .stream_description()
                .map(|d| d.shards())
                .unwrap_or_default()
            {
                let Some(id) = shard.shard_id() else { continue };
                if shards.contains_key(id) {
                    continue;
                }
                let kind = if first {
                    ShardIteratorType::Latest
                } else {
                    ShardIteratorType::TrimHorizon
                };
                let iterator = iterator_at(id.to_string(), kind, None).await;
                shards.insert(
                    id.to_string(),
                    Shard {
                        iterator,
                        limit: policy.batch,
                        failing: None,
                    },
                );
            }
        }
        first = false;
        let mut busy = false;
        for (shard_id, shard) in shards.iter_mut() {
            let Some(it) = shard.iterator.clone() else {
                continue;
            };
            let Ok(out) = streams
                .get_records()
                .shard_iterator(&it)
                .limit(shard.limit as i32)
                .send()
                .await
            else {
                tokio::time::sleep(RETRY).await;
                continue;
            };
            let records: Vec<(String, Value)> =
                out.records().iter().filter_map(record_json).collect();
            shard.iterator = out.next_shard_iterator().map(str::to_owned);
            if records.is_empty() {
                continue;
            }
            busy = true;
            let payload =
                json!({ "Records": records.iter().map(|(_, r)| r.clone()).collect::<Vec<_>>() });
            // The failing record, and whether the function named it (a partial batch
            // response) or the whole invocation failed.
            let (failed_at, named) = match handler(payload).await {
                Ok(answer) => {
                    shard.limit = policy.batch;
                    let first = serde_json::from_value::<BatchResponse>(answer)
                        .ok()
                        .and_then(|b| {
                            b.batch_item_failures
                                .first()
                                .map(|f| f.item_identifier.clone())
                        });
                    (first, true)
                }
                // The invocation failed: the batch is bisected and retried from its start.
                Err(_) => {
                    shard.limit = (records.len() / 2).max(1);
                    (
                        records.first().map(|(seq, _)| seq.clone()),
                        records.len() == 1,
                    )
                }
            };
            let Some(seq) = failed_at else {
                shard.failing = None;
                continue;
            };
            let attempts = match &shard.failing {
                Some((s, n)) if *s == seq => n + 1,
                _ => 1,
            };
            let exhausted = policy.max_retries.is_some_and(|max| attempts > max);
            if exhausted && named {
                // Given up: reported to the on-failure destination, then passed.
                if let Some(url) = &policy.on_failure {
                    let report = json!({
                        "requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": attempts},
                        "DDBStreamBatchInfo": {"shardId": shard_id, "startSequenceNumber": seq,
                            "endSequenceNumber": seq, "batchSize": 1, "streamArn": arn},
                    });
                    if let Err(e) = sqs
                        .send_message()
                        .queue_url(url)
                        .message_body(report.to_string())
                        .send()
                        .await
                    {
                        eprintln!("local-gateway: on-failure destination unreachable: {e}");
                    }
                }
                shard.failing = None;
                shard.limit = policy.batch;
                shard.iterator = iterator_at(
                    shard_id.clone(),
                    ShardIteratorType::AfterSequenceNumber,
                    Some(seq),
                )
                .await;
                continue;
            }
            shard.failing = Some((seq.clone(), attempts));
            tokio::time::sleep(policy.backoff(attempts)).await;
            shard.iterator = iterator_at(
                shard_id.clone(),
                ShardIteratorType::AtSequenceNumber,
                Some(seq),
            )
            .await;
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
