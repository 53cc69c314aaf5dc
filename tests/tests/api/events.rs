//! Events end to end: a confirmed booking goes outbox -> stream -> relay -> EventBridge ->
//! SQS -> workers (the local gateway's event pump plays Lambda's event source mappings),
//! and produces exactly one notification per channel and one analytics count, even when
//! the relay publishes twice and a consumer runs twice on the same message.

use std::time::Duration;

use app::ports::events::EventBus;
use aws::eventbridge::{EventBridgeBus, bridge_detail};
use aws_sdk_dynamodb::types::AttributeValue;
use domain::events::DomainEvent;
use integration_tests::fixtures::*;
use integration_tests::*;
use jiff::Timestamp;
use serde_json::{Value, json};

/// SMS about the booking (the phone's verification code came before).
async fn booking_sms(phone: &str) -> usize {
    sms_to(phone)
        .await
        .iter()
        .filter(|m| m.contains("is yours on"))
        .count()
}

/// The outbox item of the booking's `detail_type` event, read from the table.
async fn outbox_event(booking_id: &str, detail_type: &str) -> DomainEvent {
    let aws = aws().await;
    let out = aws
        .dynamodb()
        .scan()
        .table_name(&aws.config().table_name)
        .filter_expression("begins_with(PK, :e) AND detail_type = :t AND detail.booking_id = :b")
        .expression_attribute_values(":e", AttributeValue::S("EVENT#".into()))
        .expression_attribute_values(":t", AttributeValue::S(detail_type.into()))
        .expression_attribute_values(":b", AttributeValue::S(booking_id.into()))
        .send()
        .await
        .unwrap();
    let items = out.items.unwrap_or_default();
    assert_eq!(items.len(), 1, "one {detail_type} outbox event");
    serde_dynamo::from_item(items[0].clone()).unwrap()
}

#[tokio::test]
async fn a_confirmed_booking_notifies_once_per_channel_and_counts_once() {
    let f = fixture("Europe/Berlin", &[0]).await;
    let member = user_with_roles(&[]).await;
    let phone = verified_phone(&member.access_token).await;
    let date = day(20);
    let b: Value = book(
        &member.access_token,
        &f.items[0],
        &at(&date, "12:00"),
        &at(&date, "13:00"),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = b["id"].as_str().unwrap().to_string();
    assert_eq!(
        pay(
            b["payment"]["stripe_payment_intent_id"].as_str().unwrap(),
            CARD_OK
        )
        .await,
        200
    );

    let confirmed = |n: &Value| n["kind"] == "BookingConfirmed" && n["booking_id"] == id.as_str();
    wait_until("the in-app notification", 20, || async {
        notifications(&member.access_token)
            .await
            .iter()
            .any(confirmed)
    })
    .await;
    wait_until("the email and the SMS", 20, || async {
        emails(&member.email, "is yours on").await >= 1 && booking_sms(&phone).await >= 1
    })
    .await;
    let report_path = format!("/spaces/{}/reports?from={date}&to={date}", f.space_id);
    let op = f.operator.access_token.clone();
    wait_until("the analytics count", 20, || async {
        let r: Value = get_with_token(&report_path, &op)
            .await
            .json()
            .await
            .unwrap();
        r["totals"]["bookings"] == 1
    })
    .await;

    // The relay publishes the same event again, and a consumer gets the same message twice.
    let event = outbox_event(&id, "BookingConfirmed").await;
    let ctx = aws().await;
    assert_eq!(
        EventBridgeBus::from_context(&ctx)
            .publish(std::slice::from_ref(&event))
            .await
            .unwrap(),
        1
    );
    let body = json!({"detail-type": event.detail_type, "source": event.source, "detail": bridge_detail(&event)});
    let batch = json!({"Records": [{"messageId": "dup-1", "body": body.to_string()}, {"messageId": "dup-2", "body": body.to_string()}]});
    let contexts = function_contexts().await;
    let handlers = local_gateway::registry::event_handlers(&|name| contexts.of(name));
    for worker in ["notifications-worker", "analytics-worker"] {
        let answer = handlers[worker](batch.clone()).await.unwrap();
        assert_eq!(answer, json!({"batchItemFailures": []}), "{worker}");
    }
    tokio::time::sleep(Duration::from_secs(4)).await; // let the duplicate through the pump too

    let list = notifications(&member.access_token).await;
    assert_eq!(list.iter().filter(|n| confirmed(n)).count(), 1, "{list:?}");
    assert_eq!(emails(&member.email, "is yours on").await, 1);
    assert_eq!(booking_sms(&phone).await, 1);
    let r: Value = get_with_token(&report_path, &op)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["totals"]["bookings"], 1);
    assert_eq!(r["totals"]["booked_minutes"], 60);
    assert_eq!(r["totals"]["revenue"]["EUR"], b["price"]["total"]);

    // Mark read: once, for its owner only.
    let nid = list.iter().find(|n| confirmed(n)).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = call(
        "PUT",
        &format!("/users/me/notifications/{nid}/read"),
        Some(&member.access_token),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(res.json::<Value>().await.unwrap()["read_at"].is_string());
    let stranger = user_with_roles(&[]).await;
    let res = call(
        "PUT",
        &format!("/users/me/notifications/{nid}/read"),
        Some(&stranger.access_token),
        None,
    )
    .await;
    expect_problem(res, 404).await;
    let _ = Timestamp::now();
}

#[tokio::test]
async fn reports_for_a_week_match_the_bookings_themselves() {
    let f = fixture("Europe/Berlin", &[0, 0]).await;
    let member = user_with_roles(&[]).await;
    let (first, last) = (day(30), day(36));
    // Paid bookings over the week on both items, one later cancelled (refunded in full),
    // and one never paid (a hold only: it must not count).
    let plan = [
        (0, 0, "09:00", "11:00", true),
        (1, 1, "13:00", "14:30", true),
        (3, 0, "10:00", "12:00", true),
        (3, 1, "18:00", "20:00", true),
        (5, 0, "09:30", "10:30", true),
        (6, 1, "12:00", "13:00", false),
    ];
    let mut ids = Vec::new();
    for (offset, item, from, to, paid) in plan {
        let date = day(30 + offset);
        let b: Value = book(
            &member.access_token,
            &f.items[item],
            &at(&date, from),
            &at(&date, to),
        )
        .await
        .json()
        .await
        .unwrap();
        let id = b["id"].as_str().unwrap().to_string();
        if paid {
            assert_eq!(
                pay(
                    b["payment"]["stripe_payment_intent_id"].as_str().unwrap(),
                    CARD_OK
                )
                .await,
                200
            );
            wait_for_status(&id, &member.access_token, "confirmed").await;
        }
        ids.push(id);
    }
    let res = call(
        "PUT",
        &format!("/bookings/{}/cancel", ids[2]),
        Some(&member.access_token),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);

    // The independent computation: from each booking as the API shows it.
    let mut expected: std::collections::BTreeMap<String, (i64, i64, i64, i64)> = Default::default();
    for id in &ids {
        let b: Value = get_with_token(&format!("/bookings/{id}"), &member.access_token)
            .await
            .json()
            .await
            .unwrap();
        let start: Timestamp = b["start_time"].as_str().unwrap().parse().unwrap();
        let end: Timestamp = b["end_time"].as_str().unwrap().parse().unwrap();
        let local = start
            .to_zoned_datetime(jiff::tz::TimeZone::get("Europe/Berlin").unwrap())
            .date()
            .to_string();
        let minutes = end.duration_since(start).as_mins();
        let total = b["price"]["total"].as_i64().unwrap();
        let e = expected.entry(local).or_default();
        match b["status"].as_str().unwrap() {
            "confirmed" => {
                e.0 += minutes;
                e.1 += total;
                e.2 += 1;
            }
            "cancelled" if b["payment"]["status"] != "canceled" => {
                let refunded = b["payment"]["refunded_amount"].as_i64().unwrap();
                e.1 += total - refunded;
                e.2 += 1;
                e.3 += 1;
            }
            _ => {}
        }
    }
    let path = format!("/spaces/{}/reports?from={first}&to={last}", f.space_id);
    let op = f.operator.access_token.clone();
    let want_bookings: i64 = expected.values().map(|e| e.2).sum();
    wait_until("all counts", 30, || async {
        let r: Value = get_with_token(&path, &op).await.json().await.unwrap();
        r["totals"]["bookings"] == want_bookings && r["totals"]["cancellations"] == 1
    })
    .await;
    let r: Value = get_with_token(&path, &op).await.json().await.unwrap();
    assert_eq!(r["days"].as_array().unwrap().len(), 7);
    for d in r["days"].as_array().unwrap() {
        let (m, rev, n, c) = expected
            .get(d["date"].as_str().unwrap())
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            (
                d["booked_minutes"].as_i64().unwrap(),
                d["revenue"]["EUR"].as_i64().unwrap_or(0),
                d["bookings"].as_i64().unwrap(),
                d["cancellations"].as_i64().unwrap()
            ),
            (m, rev, n, c),
            "{}",
            d["date"]
        );
        // Open all day (24 h) on each of the two items.
        assert_eq!(d["open_minutes"].as_i64().unwrap() % 60, 0);
        let items: i64 = d["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["booked_minutes"].as_i64().unwrap())
            .sum();
        assert_eq!(items, m);
    }
    // Only the space's operator (and admins) see it.
    let stranger = user_with_roles(&[domain::role::Role::Operator]).await;
    expect_problem(get_with_token(&path, &stranger.access_token).await, 403).await;
}
