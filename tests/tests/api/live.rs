//! Live availability over the WebSocket API, end to end: booking -> outbox -> stream ->
//! relay -> EventBridge -> realtime queue -> realtime worker -> management API -> the
//! gateway's `/live` socket -> the client.

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use domain::role::Role;
use futures_util::{SinkExt, StreamExt};
use integration_tests::fixtures::*;
use integration_tests::*;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open() -> Socket {
    let url = format!("{}/live", env().base.replace("http://", "ws://"));
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

/// The next JSON text frame within `wait`, or `None`.
async fn next(socket: &mut Socket, wait: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let frame = tokio::time::timeout_at(deadline, socket.next())
            .await
            .ok()??;
        if let Message::Text(text) = frame.unwrap() {
            return Some(serde_json::from_str(text.as_str()).unwrap());
        }
    }
}

async fn send(socket: &mut Socket, message: Value) -> Value {
    socket
        .send(Message::text(message.to_string()))
        .await
        .unwrap();
    next(socket, Duration::from_secs(5))
        .await
        .expect("the route answers")
}

async fn subscribe(socket: &mut Socket, space_id: &str) -> Value {
    send(socket, json!({"action": "subscribe", "space_id": space_id})).await
}

async fn followers(space_id: &str) -> Vec<String> {
    let ctx = aws().await;
    let out = ctx
        .dynamodb()
        .query()
        .table_name(&ctx.config().table_name)
        .key_condition_expression("PK = :pk")
        .expression_attribute_values(":pk", AttributeValue::S(format!("LIVE#{space_id}")))
        .send()
        .await
        .unwrap();
    out.items()
        .iter()
        .filter_map(|i| i.get("connection_id")?.as_s().ok().cloned())
        .collect()
}

#[tokio::test]
async fn a_subscriber_hears_of_a_booking_in_its_space_within_two_seconds_and_others_do_not() {
    let a = fixture("Etc/UTC", &[0]).await;
    let b = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[Role::Member]).await;
    let mut follows_a = open().await;
    let mut follows_b = open().await;
    let ack = subscribe(&mut follows_a, &a.space_id).await;
    assert_eq!(ack, json!({"type": "subscribed", "space_id": a.space_id}));
    let ack = subscribe(&mut follows_b, &b.space_id).await;
    assert_eq!(ack["type"], "subscribed");

    let date = day(40);
    let (start, end) = (at(&date, "13:00"), at(&date, "14:00"));
    let res = book(&member.access_token, &a.items[0], &start, &end).await;
    assert_eq!(res.status(), 201);
    let booked = Instant::now();
    let booking: Value = res.json().await.unwrap();

    let notice = next(&mut follows_a, Duration::from_secs(2))
        .await
        .expect("the subscriber of space A hears of the booking within 2 s");
    let a_notice = notice.clone();
    eprintln!("live notice after {:?}", booked.elapsed());
    assert_eq!(notice["type"], "availability.changed");
    assert_eq!(notice["space_id"], a.space_id.as_str());
    assert_eq!(notice["item_id"], a.items[0].as_str());
    assert_eq!(notice["reason"], "BookingCreated");
    assert_eq!(ts(notice["start_time"].as_str().unwrap()), ts(&start));
    assert_eq!(ts(notice["end_time"].as_str().unwrap()), ts(&end));
    assert!(notice["event_id"].as_str().is_some_and(|id| !id.is_empty()));
    let text = notice.to_string();
    assert!(
        !text.contains(&member.id) && !text.contains(booking["id"].as_str().unwrap()),
        "no member or booking ids go to other clients: {text}"
    );

    // The follower of B heard nothing of A (given the time A's notice took, and more).
    assert_eq!(next(&mut follows_b, Duration::from_secs(2)).await, None);
    // ...and its socket works: a booking in B reaches it within 2 s, and A's follower
    // hears nothing of B. (Delivery is at least once, and other tests on this stack may
    // replay the stream or expire holds: A may hear of A again, never of B.)
    let res = book(&member.access_token, &b.items[0], &start, &end).await;
    assert_eq!(res.status(), 201);
    let notice = next(&mut follows_b, Duration::from_secs(2))
        .await
        .expect("B's follower hears of B");
    assert_eq!(notice["space_id"], b.space_id.as_str());
    while let Some(later) = next(&mut follows_a, Duration::from_secs(1)).await {
        assert_eq!(
            later["space_id"], a_notice["space_id"],
            "A hears only of A: {later}"
        );
    }
}

#[tokio::test]
async fn subscriptions_are_checked_bounded_and_cleaned_up() {
    let f = fixture("Etc/UTC", &[0]).await;
    let mut socket = open().await;

    let bad = subscribe(&mut socket, "not a space id").await;
    assert_eq!(bad["type"], "error");
    assert_eq!(bad["status"], 400);
    assert_eq!(bad["errors"][0]["field"], "space_id");
    let unknown = subscribe(&mut socket, &uuid::Uuid::new_v4().to_string()).await;
    assert_eq!(unknown["status"], 404);
    let no_route = send(&mut socket, json!({"action": "dance"})).await;
    assert_eq!(no_route["message"], "Forbidden");

    // Following the same space twice is one follower; unsubscribing stops the notices.
    assert_eq!(
        subscribe(&mut socket, &f.space_id).await["type"],
        "subscribed"
    );
    assert_eq!(
        subscribe(&mut socket, &f.space_id).await["type"],
        "subscribed"
    );
    assert_eq!(followers(&f.space_id).await.len(), 1);
    let off = send(
        &mut socket,
        json!({"action": "unsubscribe", "space_id": f.space_id}),
    )
    .await;
    assert_eq!(off, json!({"type": "unsubscribed", "space_id": f.space_id}));
    assert!(followers(&f.space_id).await.is_empty());

    // A connection follows at most 20 spaces (the 21st is refused, changes nothing).
    let mut spaces = vec![f.space_id.clone()];
    let operator = &f.operator;
    for _ in 1..21 {
        let res = call(
            "POST",
            "/spaces",
            Some(&operator.access_token),
            Some(&open_space("Etc/UTC")),
        )
        .await;
        assert_eq!(res.status(), 201);
        spaces.push(
            res.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    for space in &spaces[..20] {
        assert_eq!(subscribe(&mut socket, space).await["type"], "subscribed");
    }
    let refused = subscribe(&mut socket, &spaces[20]).await;
    assert_eq!(refused["status"], 409, "{refused}");
    assert!(followers(&spaces[20]).await.is_empty());

    // Closing the socket runs $disconnect: every follower row goes.
    socket.close(None).await.unwrap();
    wait_until("the followers are removed", 10, || async {
        followers(&spaces[0]).await.is_empty() && followers(&spaces[19]).await.is_empty()
    })
    .await;
}

/// A follower whose connection API Gateway no longer knows (closed without `$disconnect`,
/// which is best effort) answers 410 to the push: the realtime worker drops it from the
/// space's followers (with its own role's DeleteItem), and the live ones still hear.
#[tokio::test]
async fn a_gone_connection_is_dropped_from_the_followers_on_the_next_change() {
    let f = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[Role::Member]).await;
    let mut live = open().await;
    assert_eq!(
        subscribe(&mut live, &f.space_id).await["type"],
        "subscribed"
    );
    // A follower row left by a connection that is gone.
    let ghost = format!("gone{}", uuid::Uuid::new_v4().simple());
    let ctx = aws().await;
    ctx.dynamodb()
        .put_item()
        .table_name(&ctx.config().table_name)
        .item("PK", AttributeValue::S(format!("LIVE#{}", f.space_id)))
        .item("SK", AttributeValue::S(format!("C#{ghost}")))
        .item("connection_id", AttributeValue::S(ghost.clone()))
        .send()
        .await
        .unwrap();
    assert!(followers(&f.space_id).await.contains(&ghost));

    let date = day(41);
    let res = book(
        &member.access_token,
        &f.items[0],
        &at(&date, "09:00"),
        &at(&date, "10:00"),
    )
    .await;
    assert_eq!(res.status(), 201);
    assert!(
        next(&mut live, Duration::from_secs(5)).await.is_some(),
        "the live follower hears"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while followers(&f.space_id).await.contains(&ghost) {
        assert!(
            Instant::now() < deadline,
            "the gone connection is still a follower"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        !followers(&f.space_id).await.is_empty(),
        "the live follower stays"
    );
}
