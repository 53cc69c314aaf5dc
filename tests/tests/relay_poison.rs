//! A poison outbox record (one the relay can never read) does not block its shard: its
//! retries are bounded (template.yaml's `MaximumRetryAttempts`, bisected down to it), it is
//! reported to OutboxRelayDLQ, and the record after it is delivered. Its own binary: the
//! local event source mapping retries at a test's pace here (`LOCAL_ESM_RETRY_MS`).

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use integration_tests::fixtures::*;
use integration_tests::*;
use serde_json::{Value, json};

fn outbox_item(
    id: &str,
    fields: &[(&str, AttributeValue)],
) -> std::collections::HashMap<String, AttributeValue> {
    let mut item = std::collections::HashMap::from([
        ("PK".to_string(), AttributeValue::S(format!("EVENT#{id}"))),
        ("SK".to_string(), AttributeValue::S("EVENT".into())),
        (
            "entity".to_string(),
            AttributeValue::S("DomainEvent".into()),
        ),
    ]);
    for (k, v) in fields {
        item.insert(k.to_string(), v.clone());
    }
    item
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poison_record_goes_to_the_dlq_and_the_next_is_delivered() {
    override_function_env("LOCAL_ESM_RETRY_MS", "50");
    let member = user_with_roles(&[]).await;
    let aws = aws().await;
    let table = aws.config().table_name.clone();
    // A record the relay cannot read: no detail type, no detail.
    let poison = uuid::Uuid::now_v7().to_string();
    aws.dynamodb()
        .put_item()
        .table_name(&table)
        .set_item(Some(outbox_item(
            &poison,
            &[("id", AttributeValue::S(poison.clone()))],
        )))
        .send()
        .await
        .unwrap();
    // Then a good one: the member's booking is confirmed (a notification follows).
    let booking_id = uuid::Uuid::new_v4().to_string();
    let event = domain::events::DomainEvent::new(
        domain::events::BOOKINGS_SOURCE,
        "BookingConfirmed",
        jiff::Timestamp::now(),
        json!({"booking_id": booking_id, "user_id": member.id, "space_id": "s", "bookable_item_id": "i",
               "item_identifier": "Room 1", "time_zone": "Europe/Berlin",
               "start_time": "2027-06-01T08:00:00Z", "end_time": "2027-06-01T09:00:00Z",
               "status": "confirmed", "total": {"amount": 0, "currency": "EUR"}}),
    );
    let mut item: std::collections::HashMap<String, AttributeValue> =
        serde_dynamo::to_item(&event).unwrap();
    item.extend(outbox_item(&event.id, &[]));
    aws.dynamodb()
        .put_item()
        .table_name(&table)
        .set_item(Some(item))
        .send()
        .await
        .unwrap();

    // The next record gets through: its notification arrives.
    wait_until("the record after the poison one", 60, || async {
        notifications_about(&member.access_token, "BookingConfirmed", &booking_id).await == 1
    })
    .await;
    // And the poison one was reported to the relay's DLQ, with where it is in the stream.
    let dlq = env().stack.resources["OutboxRelayDLQ"].clone();
    let deadline = Instant::now() + Duration::from_secs(30);
    let report: Value = loop {
        let out = aws_sdk_sqs_receive(&dlq).await;
        if let Some(body) = out {
            break serde_json::from_str(&body).unwrap();
        }
        assert!(Instant::now() < deadline, "nothing reached OutboxRelayDLQ");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(
        report["requestContext"]["condition"],
        "RetryAttemptsExhausted"
    );
    assert_eq!(report["DDBStreamBatchInfo"]["batchSize"], 1);
    let attempts = report["requestContext"]["approximateInvokeCount"]
        .as_u64()
        .unwrap();
    assert_eq!(
        attempts, 11,
        "ten retries after the first attempt, as the template says"
    );
}

/// One message body from the queue, if any.
async fn aws_sdk_sqs_receive(url: &str) -> Option<String> {
    let aws = aws().await;
    let sqs = aws_sdk_sqs::Client::new(aws.sdk_config());
    let out = sqs
        .receive_message()
        .queue_url(url)
        .wait_time_seconds(1)
        .send()
        .await
        .unwrap();
    out.messages()
        .first()
        .and_then(|m| m.body().map(str::to_owned))
}
