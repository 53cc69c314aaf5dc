//! Memberships end to end: subscribe with a card through localstripe, benefits priced
//! into bookings (included hours first, then the discount), Stripe's subscription news
//! applied once and never backwards, cancellation at period end.

use integration_tests::fixtures::*;
use integration_tests::*;

use crate::payments::{post_webhook, webhook_secret};
use domain::role::Role;
use jiff::Timestamp;
use serde_json::{Value, json};

/// A plan (by a new admin): 1 included hour a month and 10 % off the rest.
pub(crate) async fn plan() -> String {
    let admin = user_with_roles(&[Role::Admin]).await;
    let body = json!({"name": "Flex", "description": "One hour a month, 10 % off",
        "monthly_price": {"amount": 4900, "currency": "EUR"},
        "benefits": {"discount_percent": 10, "included_hours_per_month": 1, "space_ids": []}});
    let res = call(
        "POST",
        "/membership-plans",
        Some(&admin.access_token),
        Some(&body),
    )
    .await;
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

pub(crate) async fn subscribe(token: &str, plan_id: &str, card: &str) -> reqwest::Response {
    let pm = payment_method(card).await;
    call(
        "POST",
        "/memberships",
        Some(token),
        Some(&json!({"plan_id": plan_id, "payment_method_id": pm})),
    )
    .await
}

/// A subscription event as Stripe sends it, signed with the endpoint secret.
async fn subscription_event(kind: &str, sub: &Value, created: i64) -> Value {
    let body = json!({
        "id": format!("evt_sub_{}", uuid::Uuid::new_v4().simple()),
        "object": "event", "type": kind, "created": created,
        "data": {"object": sub},
    });
    let res = post_webhook(
        &body.to_string(),
        webhook_secret(),
        Timestamp::now().as_second(),
    )
    .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn membership(token: &str) -> Value {
    get_with_token("/users/me/membership", token)
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn benefits_price_bookings_and_stripe_news_keeps_status_in_sync() {
    let plan_id = plan().await;
    let f = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[]).await;
    // Inside the month the first payment covers (benefits end with the paid period).
    let date = soon(2);
    // Before subscribing: full price (and the container now caches "no membership").
    let b: Value = book(
        &member.access_token,
        &f.items[0],
        &at(&date, "13:00"),
        &at(&date, "14:00"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(b["price"]["total"], 2000);

    assert_eq!(
        get_with_token("/users/me/membership", &member.access_token)
            .await
            .status(),
        404
    );
    let res = subscribe(&member.access_token, &plan_id, CARD_OK).await;
    assert_eq!(res.status(), 201);
    let m: Value = res.json().await.unwrap();
    assert_eq!(m["status"], "active");
    assert_eq!(m["plan_id"], plan_id.as_str());
    assert!(m.get("client_secret").is_none());
    let sub_id = m["stripe_subscription_id"].as_str().unwrap().to_string();
    let (_, sub) = stripe(
        reqwest::Method::GET,
        &format!("/v1/subscriptions/{sub_id}"),
        &[],
    )
    .await;
    assert_eq!(sub["status"], "active");
    assert_eq!(sub["metadata"]["user_id"], member.id.as_str());
    // One membership at a time.
    let p = expect_problem(
        subscribe(&member.access_token, &plan_id, CARD_OK).await,
        409,
    )
    .await;
    assert_eq!(p["conflict"]["status"], "active");

    // The included hour makes the next booking free: confirmed at once, no payment.
    let res = book(
        &member.access_token,
        &f.items[0],
        &at(&date, "15:00"),
        &at(&date, "16:00"),
    )
    .await;
    assert_eq!(res.status(), 201);
    let free: Value = res.json().await.unwrap();
    assert_eq!(free["price"]["included_minutes_applied"], 60);
    assert_eq!(free["price"]["total"], 0);
    assert_eq!(free["status"], "confirmed");
    assert!(free.get("payment").is_none());
    // The hour is used up: now 10 % off.
    let res = book(
        &member.access_token,
        &f.items[0],
        &at(&date, "17:00"),
        &at(&date, "18:00"),
    )
    .await;
    let paid: Value = res.json().await.unwrap();
    assert_eq!(paid["price"]["included_minutes_applied"], 0);
    assert_eq!(paid["price"]["discount_amount"], 200);
    assert_eq!(paid["price"]["total"], 1800);
    assert_eq!(paid["payment"]["amount"], 1800);

    // Stripe says the renewal failed: no benefits while past due.
    let now = Timestamp::now().as_second();
    let mut past_due = sub.clone();
    past_due["status"] = json!("past_due");
    let ack = subscription_event("customer.subscription.updated", &past_due, now + 1).await;
    assert_eq!(ack["outcome"], "Recorded");
    assert_eq!(membership(&member.access_token).await["status"], "past_due");
    let res = book(
        &member.access_token,
        &f.items[0],
        &at(&date, "19:00"),
        &at(&date, "20:00"),
    )
    .await;
    assert_eq!(res.json::<Value>().await.unwrap()["price"]["total"], 2000);
    // Older news arriving late changes nothing.
    let ack = subscription_event("customer.subscription.updated", &sub, now - 60).await;
    assert!(ack["outcome"].as_str().unwrap().contains("older"), "{ack}");
    assert_eq!(membership(&member.access_token).await["status"], "past_due");
    // Paid again.
    let ack = subscription_event("customer.subscription.updated", &sub, now + 2).await;
    assert_eq!(ack["outcome"], "Recorded");
    assert_eq!(membership(&member.access_token).await["status"], "active");

    // Cancel: at period end, at Stripe too; benefits last until Stripe ends it.
    let res = call(
        "DELETE",
        "/users/me/membership",
        Some(&member.access_token),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let c: Value = res.json().await.unwrap();
    assert_eq!(c["cancel_at_period_end"], true);
    assert_eq!(c["status"], "active");
    let (_, at_stripe) = stripe(
        reqwest::Method::GET,
        &format!("/v1/subscriptions/{sub_id}"),
        &[],
    )
    .await;
    assert_eq!(at_stripe["cancel_at_period_end"], true);
    let mut ended = sub.clone();
    ended["status"] = json!("canceled");
    let ack = subscription_event("customer.subscription.deleted", &ended, now + 3).await;
    assert_eq!(ack["outcome"], "Recorded");
    assert_eq!(membership(&member.access_token).await["status"], "canceled");
    // And a new subscription is possible again.
    assert_eq!(
        subscribe(&member.access_token, &plan_id, CARD_OK)
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn declined_first_payment_leaves_an_incomplete_membership_without_benefits() {
    let plan_id = plan().await;
    let member = user_with_roles(&[]).await;
    let res = subscribe(&member.access_token, &plan_id, CARD_DECLINED).await;
    assert_eq!(res.status(), 201);
    let m: Value = res.json().await.unwrap();
    assert_eq!(m["status"], "incomplete");
    let f = fixture("Etc/UTC", &[0]).await;
    let date = soon(3);
    let b: Value = book(
        &member.access_token,
        &f.items[0],
        &at(&date, "13:00"),
        &at(&date, "14:00"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(b["price"]["total"], 2000);
}

#[tokio::test]
async fn subscribe_input_is_checked() {
    let member = user_with_roles(&[]).await;
    let res = call(
        "POST",
        "/memberships",
        Some(&member.access_token),
        Some(&json!({"plan_id": "x", "payment_method_id": "4242424242424242"})),
    )
    .await;
    let p = expect_problem(res, 400).await;
    assert_eq!(p["errors"][0]["field"], "payment_method_id");
    let res = call(
        "POST",
        "/memberships",
        Some(&member.access_token),
        Some(&json!({"plan_id": "no-such-plan", "payment_method_id": "pm_123"})),
    )
    .await;
    expect_problem(res, 404).await;
    let res = call("POST", "/memberships", None, Some(&json!({}))).await;
    expect_problem(res, 401).await;
}

#[tokio::test]
async fn benefits_past_the_paid_period_are_not_free() {
    let plan_id = plan().await;
    let f = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[]).await;
    let m: Value = subscribe(&member.access_token, &plan_id, CARD_OK)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(m["status"], "active");
    let paid_until: Timestamp = m["current_period_end"].as_str().unwrap().parse().unwrap();
    // One, two and three months past the paid period: the full price, nothing included,
    // even though each is a calendar month whose included hour is untouched.
    for months in [1, 2, 3] {
        let date = (paid_until + jiff::SignedDuration::from_hours(24 * 31 * months - 24 * 15))
            .strftime("%Y-%m-%d")
            .to_string();
        let res = book(
            &member.access_token,
            &f.items[0],
            &at(&date, "13:00"),
            &at(&date, "14:00"),
        )
        .await;
        assert_eq!(res.status(), 201);
        let b: Value = res.json().await.unwrap();
        assert_eq!(b["price"]["included_minutes_applied"], 0, "{date}");
        assert_eq!(b["price"]["discount_amount"], 0, "{date}");
        assert_eq!(b["price"]["total"], 2000, "{date}");
        assert_eq!(b["status"], "pending");
    }
    // Inside it, the included hour applies.
    let date = soon(2);
    let b: Value = book(
        &member.access_token,
        &f.items[0],
        &at(&date, "13:00"),
        &at(&date, "14:00"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(b["price"]["total"], 0);
    assert_eq!(b["status"], "confirmed");
}

/// Every subscription at Stripe that names `user_id`, with its status.
async fn subscriptions_at_stripe(user_id: &str) -> Vec<Value> {
    let (status, list) = stripe(
        reqwest::Method::GET,
        "/v1/subscriptions?status=all&limit=100",
        &[],
    )
    .await;
    assert_eq!(status, 200, "{list}");
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["metadata"]["user_id"] == user_id)
        .cloned()
        .collect()
}

#[tokio::test]
async fn ten_concurrent_subscribes_leave_exactly_one_live_subscription() {
    let plan_id = plan().await;
    let member = user_with_roles(&[]).await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (token, plan_id) = (member.access_token.clone(), plan_id.clone());
        tasks.spawn(async move { subscribe(&token, &plan_id, CARD_OK).await.status().as_u16() });
    }
    let mut statuses = Vec::new();
    while let Some(s) = tasks.join_next().await {
        statuses.push(s.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    let stored = membership(&member.access_token).await;
    let subs = subscriptions_at_stripe(&member.id).await;
    let live: Vec<&Value> = subs.iter().filter(|s| s["status"] != "canceled").collect();
    assert_eq!(live.len(), 1, "{subs:?}");
    assert_eq!(live[0]["id"], stored["stripe_subscription_id"]);
}
