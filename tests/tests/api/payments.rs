//! Payments end to end: the gateway, the payments webhook and localstripe (which confirms
//! PaymentIntents with test cards and delivers signed webhooks to the gateway, like
//! Stripe). Nothing here fakes Stripe's side: the client steps are the ones Stripe.js
//! performs (attach a card to the intent, confirm it).

use aws_sdk_dynamodb::types::AttributeValue;
use integration_tests::fixtures::*;
use integration_tests::*;

use crate::bookings::{assert_nothing_claimed, claimed_minutes, stored_slots, text};
use domain::instant::sortable;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

/// Posts `body` to the webhook with a signature made from `secret` at `t`.
pub(crate) async fn post_webhook(body: &str, secret: &str, t: i64) -> reqwest::Response {
    let header = aws::stripe::signature::sign(body.as_bytes(), secret, t);
    http()
        .post(format!("{}/payments/webhook", env().base))
        .header("content-type", "application/json")
        .header("stripe-signature", header)
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

pub(crate) fn webhook_secret() -> &'static str {
    &env().stack.stripe.webhook_secret
}

/// The stored booking item, read from the table (never through the API).
async fn stored_booking(id: &str) -> std::collections::HashMap<String, AttributeValue> {
    let aws = aws().await;
    aws.dynamodb()
        .get_item()
        .table_name(&aws.config().table_name)
        .key("PK", AttributeValue::S(format!("BOOKING#{id}")))
        .key("SK", AttributeValue::S("BOOKING".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap()
}

/// The `payment_intent.succeeded` event Stripe sent for `intent`, paging through the
/// events (newest first; other tests pay meanwhile).
async fn succeeded_event(intent: &str) -> Value {
    let mut after: Option<String> = None;
    loop {
        let mut path = "/v1/events?type=payment_intent.succeeded&limit=100".to_string();
        if let Some(id) = &after {
            path.push_str(&format!("&starting_after={id}"));
        }
        let (status, page) = stripe(reqwest::Method::GET, &path, &[]).await;
        assert_eq!(status, 200, "{page}");
        let events = page["data"].as_array().cloned().unwrap_or_default();
        if let Some(e) = events.iter().find(|e| e["data"]["object"]["id"] == intent) {
            return e.clone();
        }
        assert!(page["has_more"] == true, "the succeeded event of {intent}");
        after = events
            .last()
            .and_then(|e| e["id"].as_str())
            .map(str::to_owned);
    }
}

pub(crate) async fn refunds_at_stripe(intent_id: &str) -> Vec<i64> {
    let (status, list) = stripe(
        reqwest::Method::GET,
        &format!("/v1/refunds?payment_intent={intent_id}"),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{list}");
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["amount"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn book_pay_webhook_confirms_and_replays_change_nothing() {
    let f = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[]).await;
    let date = day(40);
    let res = book(
        &member.access_token,
        &f.items[0],
        &at(&date, "13:00"),
        &at(&date, "14:00"),
    )
    .await;
    assert_eq!(res.status(), 201);
    let b: Value = res.json().await.unwrap();
    let id = b["id"].as_str().unwrap();
    assert_eq!(b["status"], "pending");
    assert_eq!(b["payment"]["status"], "requires_payment");
    assert_eq!(b["payment"]["amount"], 2000);
    assert_eq!(b["payment"]["amount"], b["price"]["total"]);
    assert_eq!(b["payment"]["currency"], "EUR");
    let intent = b["payment"]["stripe_payment_intent_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        b["payment"]["client_secret"]
            .as_str()
            .unwrap()
            .starts_with(&intent)
    );
    // The intent at Stripe carries the amount and our booking id.
    let (_, pi) = stripe(
        reqwest::Method::GET,
        &format!("/v1/payment_intents/{intent}"),
        &[],
    )
    .await;
    assert_eq!(pi["amount"], 2000);
    assert_eq!(pi["metadata"]["booking_id"], id);

    assert_eq!(pay(&intent, CARD_OK).await, 200);
    let view = wait_for_status(id, &member.access_token, "confirmed").await;
    assert_eq!(view["payment"]["status"], "succeeded");
    assert!(
        view["payment"].get("client_secret").is_none(),
        "secret only while payment is due"
    );
    // An hour claimed whole (one block of the UTC lattice).
    let slots = stored_slots(&f.space_id).await;
    assert_eq!(claimed_minutes(&slots), 60);
    assert!(
        slots
            .iter()
            .all(|s| text(s, "state") == "booked" && text(s, "booking_id") == id)
    );

    // The event Stripe sent, replayed byte for byte (same id, freshly signed): no effect.
    let event = succeeded_event(&intent).await;
    let before = stored_booking(id).await;
    let res = post_webhook(
        &event.to_string(),
        webhook_secret(),
        Timestamp::now().as_second(),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["outcome"], "Duplicate");
    // The same news under a new event id (Stripe never does this, but nothing relies on it).
    let mut again = event.clone();
    again["id"] = json!(format!("evt_again_{}", uuid::Uuid::new_v4().simple()));
    let res = post_webhook(
        &again.to_string(),
        webhook_secret(),
        Timestamp::now().as_second(),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        stored_booking(id).await,
        before,
        "a replay changed the booking"
    );

    // Forged, stale, missing signature: 400, nothing changes.
    let mut forged = event.clone();
    forged["id"] = json!("evt_forged");
    let now = Timestamp::now().as_second();
    let problem = expect_problem(
        post_webhook(&forged.to_string(), "whsec_not_ours", now).await,
        400,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "Stripe-Signature");
    expect_problem(
        post_webhook(&forged.to_string(), webhook_secret(), now - 301).await,
        400,
    )
    .await;
    let res = http()
        .post(format!("{}/payments/webhook", env().base))
        .body(forged.to_string())
        .send()
        .await
        .unwrap();
    expect_problem(res, 400).await;
    assert_eq!(stored_booking(id).await, before);
}

#[tokio::test]
async fn declined_card_releases_the_hold() {
    let f = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[]).await;
    let other = user_with_roles(&[]).await;
    let date = day(41);
    let (start, end) = (at(&date, "15:00"), at(&date, "16:00"));
    let b: Value = book(&member.access_token, &f.items[0], &start, &end)
        .await
        .json()
        .await
        .unwrap();
    let id = b["id"].as_str().unwrap();
    let intent = b["payment"]["stripe_payment_intent_id"].as_str().unwrap();
    // While pending the slot is held.
    assert_eq!(
        book(&other.access_token, &f.items[0], &start, &end)
            .await
            .status(),
        409
    );
    assert_eq!(pay(intent, CARD_DECLINED).await, 402);
    let view = wait_for_status(id, &member.access_token, "failed").await;
    assert_eq!(view["payment"]["status"], "failed");
    assert_nothing_claimed(&f.space_id, "the hold is released").await;
    assert_eq!(
        book(&other.access_token, &f.items[0], &start, &end)
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn webhook_for_an_unknown_booking_is_acknowledged_and_ignored() {
    let body = json!({
        "id": format!("evt_unknown_{}", uuid::Uuid::new_v4().simple()),
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": Timestamp::now().as_second(),
        "data": {"object": {"id": "pi_unknown", "object": "payment_intent", "amount": 100,
                            "currency": "eur", "metadata": {"booking_id": uuid::Uuid::new_v4().to_string()}}}
    })
    .to_string();
    let res = post_webhook(&body, webhook_secret(), Timestamp::now().as_second()).await;
    assert_eq!(res.status(), 200);
    let ack: Value = res.json().await.unwrap();
    assert!(
        ack["outcome"].as_str().unwrap().contains("unknown booking"),
        "{ack}"
    );
    // An event type we do not handle: 200 too (Stripe must not retry it for days).
    let body = json!({"id": "evt_other", "type": "balance.available", "created": 1, "data": {"object": {}}})
        .to_string();
    assert_eq!(
        post_webhook(&body, webhook_secret(), Timestamp::now().as_second())
            .await
            .status(),
        200
    );
}

/// The next half hour at least `ahead` from now, as an RFC 3339 instant.
fn slot_after(ahead: SignedDuration) -> Timestamp {
    let t = (Timestamp::now() + ahead).as_second();
    Timestamp::from_second((t / 1800 + 1) * 1800).unwrap()
}

#[tokio::test]
async fn cancellation_refunds_what_the_policy_says_at_three_points_in_time() {
    // Open around the clock so bookings can start 1, 6 and 72 hours from now.
    let mut space = open_around_the_clock("Etc/UTC");
    // 24 h before: everything back; 2 h before: 40 %; after: nothing.
    space["cancellation_policy"] =
        json!({"full_refund_hours": 24, "partial_refund_hours": 2, "partial_refund_percent": 40});
    let f = fixture_for(&space, &[0, 0, 0]).await;
    let member = user_with_roles(&[]).await;
    let cases = [
        (SignedDuration::from_hours(72), 100, 2000),
        (SignedDuration::from_hours(6), 40, 800),
        (SignedDuration::from_mins(60), 0, 0),
    ];
    for (i, (ahead, percent, refund)) in cases.into_iter().enumerate() {
        let start = slot_after(ahead);
        let end = start + SignedDuration::from_hours(1);
        let res = book(
            &member.access_token,
            &f.items[i],
            &start.to_string(),
            &end.to_string(),
        )
        .await;
        assert_eq!(res.status(), 201);
        let b: Value = res.json().await.unwrap();
        let id = b["id"].as_str().unwrap();
        assert_eq!(b["payment"]["amount"], 2000);
        let intent = b["payment"]["stripe_payment_intent_id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(pay(&intent, CARD_OK).await, 200);
        wait_for_status(id, &member.access_token, "confirmed").await;
        // What the member is shown before confirming is what the cancellation gives.
        let shown: Value = call(
            "GET",
            &format!("/bookings/{id}"),
            Some(&member.access_token),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(
            shown["refund_if_cancelled"],
            json!({"percent": percent, "amount": refund}),
            "{ahead:?}"
        );

        let res = call(
            "PUT",
            &format!("/bookings/{id}/cancel"),
            Some(&member.access_token),
            None,
        )
        .await;
        assert_eq!(res.status(), 200);
        let c: Value = res.json().await.unwrap();
        assert_eq!(c["status"], "cancelled");
        assert_eq!(c["refund"]["percent"], percent, "{ahead:?}: {c}");
        assert_eq!(c["refund"]["amount"], refund, "{ahead:?}: {c}");
        assert_eq!(c["payment"]["refunded_amount"], refund);
        let expected = match refund {
            0 => "succeeded",
            2000 => "refunded",
            _ => "partially_refunded",
        };
        assert_eq!(c["payment"]["status"], expected);
        // Stripe holds exactly that refund, and a second cancel refunds nothing more.
        let at_stripe = refunds_at_stripe(&intent).await;
        assert_eq!(at_stripe.iter().sum::<i64>(), refund, "{at_stripe:?}");
        let res = call(
            "PUT",
            &format!("/bookings/{id}/cancel"),
            Some(&member.access_token),
            None,
        )
        .await;
        assert_eq!(res.status(), 200);
        assert_eq!(refunds_at_stripe(&intent).await.iter().sum::<i64>(), refund);
    }
    assert_nothing_claimed(&f.space_id, "every slot released").await;
}

/// Moves a booking's hold (and its claims') into the past: what 15 minutes of waiting do.
pub(crate) async fn expire_hold(booking_id: &str, space_id: &str) {
    let aws = aws().await;
    let past = sortable(Timestamp::now() - SignedDuration::from_mins(1));
    let table = &aws.config().table_name;
    aws.dynamodb()
        .update_item()
        .table_name(table)
        .key("PK", AttributeValue::S(format!("BOOKING#{booking_id}")))
        .key("SK", AttributeValue::S("BOOKING".into()))
        .update_expression("SET hold_expires_at = :past")
        .expression_attribute_values(":past", AttributeValue::S(past.clone()))
        .send()
        .await
        .unwrap();
    for slot in stored_slots(space_id).await {
        if text(&slot, "booking_id") == booking_id {
            aws.dynamodb()
                .update_item()
                .table_name(table)
                .key("PK", slot["PK"].clone())
                .key("SK", slot["SK"].clone())
                .update_expression("SET hold_expires_at = :past")
                .expression_attribute_values(":past", AttributeValue::S(past.clone()))
                .send()
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn paid_after_the_hold_expired_and_the_slot_was_taken_ends_refunded() {
    let f = fixture("Etc/UTC", &[0]).await;
    let late = user_with_roles(&[]).await;
    let quick = user_with_roles(&[]).await;
    let date = day(42);
    let (start, end) = (at(&date, "13:00"), at(&date, "14:00"));
    let b: Value = book(&late.access_token, &f.items[0], &start, &end)
        .await
        .json()
        .await
        .unwrap();
    let late_id = b["id"].as_str().unwrap().to_string();
    let intent = b["payment"]["stripe_payment_intent_id"]
        .as_str()
        .unwrap()
        .to_string();
    expire_hold(&late_id, &f.space_id).await;
    // Someone else takes the slot, and pays.
    let res = book(&quick.access_token, &f.items[0], &start, &end).await;
    assert_eq!(res.status(), 201);
    let q: Value = res.json().await.unwrap();
    let quick_id = q["id"].as_str().unwrap().to_string();
    assert_eq!(
        pay(
            q["payment"]["stripe_payment_intent_id"].as_str().unwrap(),
            CARD_OK
        )
        .await,
        200
    );
    wait_for_status(&quick_id, &quick.access_token, "confirmed").await;
    // Now the late payer's card goes through: refunded in full, booking failed.
    assert_eq!(pay(&intent, CARD_OK).await, 200);
    wait_for_status(&late_id, &late.access_token, "failed").await;
    // The refund is recorded as owed with the failure, then confirmed by Stripe.
    wait_until("the refund", 15, || async {
        booking_view(&late_id, &late.access_token).await["payment"]["status"] == "refunded"
    })
    .await;
    let view = booking_view(&late_id, &late.access_token).await;
    assert_eq!(view["payment"]["refunded_amount"], 2000);
    assert_eq!(refunds_at_stripe(&intent).await, vec![2000]);
    // The slot's new owner keeps it.
    assert_eq!(
        booking_view(&quick_id, &quick.access_token).await["status"],
        "confirmed"
    );
    // An hour claimed whole (one block of the UTC lattice).
    let slots = stored_slots(&f.space_id).await;
    assert_eq!(claimed_minutes(&slots), 60);
    assert!(
        slots
            .iter()
            .all(|s| text(s, "booking_id") == quick_id && text(s, "state") == "booked")
    );
}

#[tokio::test]
async fn paid_after_the_hold_expired_with_the_slot_still_free_is_booked() {
    let f = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[]).await;
    let date = day(43);
    let b: Value = book(
        &member.access_token,
        &f.items[0],
        &at(&date, "10:00"),
        &at(&date, "11:00"),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = b["id"].as_str().unwrap();
    expire_hold(id, &f.space_id).await;
    assert_eq!(
        booking_view(id, &member.access_token).await["status"],
        "expired"
    );
    assert_eq!(
        pay(
            b["payment"]["stripe_payment_intent_id"].as_str().unwrap(),
            CARD_OK
        )
        .await,
        200
    );
    let view = wait_for_status(id, &member.access_token, "confirmed").await;
    assert_eq!(view["payment"]["status"], "succeeded");
    let slots = stored_slots(&f.space_id).await;
    assert!(
        slots
            .iter()
            .all(|s| text(s, "booking_id") == id && text(s, "state") == "booked")
    );
}
