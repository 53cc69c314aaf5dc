//! Open-ended office rent through the gateway against the real stand-ins: the first
//! invoice (localstripe's own webhook) confirms month 0 and holds month 1; each renewal
//! (a signed `invoice.paid` as Stripe sends it) confirms its month and holds the next,
//! only for the rent's amount and only once per invoice; ending releases the held month
//! and cancels the subscription at Stripe; Stripe giving up releases it too; a next month
//! someone else took ends the rental after the paid one. The held and booked time is
//! checked by booking it as another member.

use aws_sdk_dynamodb::types::AttributeValue;
use integration_tests::fixtures::*;
use integration_tests::*;
use jiff::civil::Date;
use serde_json::{Value, json};

use crate::payments::{post_webhook, webhook_secret};

const ZONE: &str = "Europe/Berlin";
const RENT: i64 = 120_000;

/// A room in `ZONE` also rented open-ended at `RENT` a month.
async fn office() -> Fixture {
    let f = fixture(ZONE, &[0]).await;
    let res = call(
        "PATCH",
        &format!("/spaces/{}/items/{}", f.space_id, f.items[0]),
        Some(&f.operator.access_token),
        Some(&json!({"stay_rates": {"month": RENT, "open_ended": true}})),
    )
    .await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    f
}

/// The first day on or after `offset` days from today that a rental may start on.
fn start_day(offset: i64) -> Date {
    let mut d: Date = soon(offset).parse().unwrap();
    while d.day() > 28 {
        d = d.tomorrow().unwrap();
    }
    d
}

/// `k` months after `start`, at local `hh:mm` in `ZONE`, as a UTC instant.
fn in_month(start: Date, k: i64, hhmm: &str) -> String {
    let d = start.checked_add(jiff::Span::new().months(k)).unwrap();
    let t: jiff::civil::Time = format!("{hhmm}:00").parse().unwrap();
    jiff::tz::TimeZone::get(ZONE)
        .unwrap()
        .to_ambiguous_timestamp(d.to_datetime(t))
        .compatible()
        .unwrap()
        .to_string()
}

async fn start_rental(token: &str, item: &str, start: Date, key: &str) -> reqwest::Response {
    start_rental_with(token, item, start, key, CARD_OK).await
}

async fn start_rental_with(
    token: &str,
    item: &str,
    start: Date,
    key: &str,
    card: &str,
) -> reqwest::Response {
    let pm = payment_method(card).await;
    http()
        .post(format!("{}/rentals", env().base))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&json!({"bookable_item_id": item, "start_date": start.to_string(), "payment_method_id": pm}))
        .send()
        .await
        .unwrap()
}

async fn rental(id: &str, token: &str) -> Value {
    let res = get_with_token(&format!("/rentals/{id}"), token).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn wait_for_rental(id: &str, token: &str, status: &str) -> Value {
    let mut last = Value::Null;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while std::time::Instant::now() < deadline {
        last = rental(id, token).await;
        if last["status"] == status {
            return last;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("rental {id} never became {status}: {last}");
}

/// A rental started with the good card and active (its first invoice paid): its id.
async fn active_rental(token: &str, item: &str, start: Date) -> String {
    let res = start_rental(token, item, start, &uuid::Uuid::new_v4().to_string()).await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    wait_for_rental(&id, token, "active").await;
    id
}

/// Each month's (index, status) as the rental shows them.
fn months(r: &Value) -> Vec<(u64, String)> {
    r["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["rental"]["index"].as_u64().unwrap(),
                m["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A signed Stripe event about `object`.
async fn stripe_event(kind: &str, object: Value) -> Value {
    let body = json!({
        "id": format!("evt_rent_{}", uuid::Uuid::new_v4().simple()),
        "object": "event", "type": kind, "created": jiff::Timestamp::now().as_second(),
        "data": {"object": object},
    });
    let res = post_webhook(
        &body.to_string(),
        webhook_secret(),
        jiff::Timestamp::now().as_second(),
    )
    .await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    res.json().await.unwrap()
}

/// A renewal invoice of `subscription` as Stripe sends it when the card paid `amount`.
fn renewal(subscription: &str, id: &str, amount: i64, currency: &str) -> Value {
    json!({"id": id, "object": "invoice", "subscription": subscription, "status": "paid",
           "billing_reason": "subscription_cycle", "amount_paid": amount, "currency": currency,
           "payment_intent": null})
}

async fn subscription_at_stripe(id: &str) -> Value {
    let (status, sub) = stripe(
        reqwest::Method::GET,
        &format!("/v1/subscriptions/{id}"),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{sub}");
    sub
}

/// The rental as the table holds it.
async fn stored_rental(rental_id: &str) -> std::collections::HashMap<String, AttributeValue> {
    let aws = aws().await;
    let out = aws
        .dynamodb()
        .get_item()
        .table_name(&aws.config().table_name)
        .key("PK", AttributeValue::S(format!("RENTAL#{rental_id}")))
        .key("SK", AttributeValue::S("RENTAL".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    out.item.expect("the rental is stored")
}

/// The subscription the rental is billed by, as the table holds it.
async fn subscription_of(rental_id: &str) -> String {
    stored_rental(rental_id).await["stripe_subscription_id"]
        .as_s()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_declined_card_leaves_the_rental_starting_and_an_ended_one_is_erased_with_its_member() {
    let f = office().await;
    let member = user_with_roles(&[]).await;
    let res = start_rental_with(
        &member.access_token,
        &f.items[0],
        start_day(6),
        &uuid::Uuid::new_v4().to_string(),
        CARD_DECLINED,
    )
    .await;
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    let started: Value = res.json().await.unwrap();
    let id = started["id"].as_str().unwrap().to_string();
    // The member can still pay the first invoice while month 0 is held.
    assert_eq!(started["status"], "starting");
    assert!(started["client_secret"].as_str().is_some(), "{started}");
    assert_eq!(months(&started), vec![(0, "pending".into())]);
    // Ending it releases month 0; with nothing upcoming, erasure goes through.
    let res = call(
        "PUT",
        &format!("/rentals/{id}/end"),
        Some(&member.access_token),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        months(&res.json().await.unwrap()),
        vec![(0, "cancelled".into())]
    );
    let res = call("DELETE", "/users/me", Some(&member.access_token), None).await;
    assert_eq!(res.status(), 204, "{:?}", res.text().await);
    let kept = stored_rental(&id).await;
    let owner = kept["user_id"].as_s().unwrap();
    assert!(owner.starts_with("erased-"), "{owner}");
    assert_ne!(owner, &member.id);
    // Stripe forgot them: no user id on the subscription.
    let sub = subscription_at_stripe(kept["stripe_subscription_id"].as_s().unwrap()).await;
    assert!(
        sub["metadata"].get("user_id").is_none_or(|u| u == ""),
        "{sub}"
    );
}

#[tokio::test]
async fn an_open_ended_rental_is_paid_month_by_month_and_always_holds_the_next_month() {
    let f = office().await;
    let member = user_with_roles(&[]).await;
    let other = user_with_roles(&[]).await;
    let start = start_day(3);
    let key = uuid::Uuid::new_v4().to_string();
    let res = start_rental(&member.access_token, &f.items[0], start, &key).await;
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let started: Value = res.json().await.unwrap();
    let id = started["id"].as_str().unwrap().to_string();
    assert_eq!(location, format!("/rentals/{id}"));
    assert_eq!(started["rent"], json!({"amount": RENT, "currency": "EUR"}));
    // The same key answers the same rental; another request under it is 422.
    let again: Value = start_rental(&member.access_token, &f.items[0], start, &key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["id"], id.as_str());
    let other_start = start.tomorrow().unwrap();
    expect_problem(
        start_rental(&member.access_token, &f.items[0], other_start, &key).await,
        422,
    )
    .await;

    // localstripe's invoice news confirms month 0 and holds month 1.
    let active = wait_for_rental(&id, &member.access_token, "active").await;
    assert_eq!(active["months_paid"], 1);
    assert_eq!(
        months(&active),
        vec![(0, "confirmed".into()), (1, "pending".into())]
    );
    for m in active["months"].as_array().unwrap() {
        assert_eq!(m["price"]["total"], RENT);
        assert_eq!(m["unit"], "month");
        assert!(m["payment"].get("client_secret").is_none(), "{m}");
    }
    // The months lie end to end in the space's local days.
    let ms = active["months"].as_array().unwrap();
    assert_eq!(ms[0]["end_time"], ms[1]["start_time"]);
    assert_eq!(ms[0]["start_time"], in_month(start, 0, "00:00").as_str());
    assert_eq!(ms[1]["end_time"], in_month(start, 2, "00:00").as_str());
    // Month 1 is held: nobody else gets an hour of it.
    let taken = book(
        &other.access_token,
        &f.items[0],
        &in_month(start, 1, "10:00"),
        &in_month(start, 1, "11:00"),
    )
    .await;
    assert_eq!(taken.status(), 409);
    // A month is left by ending the rental, not on its own.
    let month0 = ms[0]["id"].as_str().unwrap();
    let p = expect_problem(
        call(
            "PUT",
            &format!("/bookings/{month0}/cancel"),
            Some(&member.access_token),
            None,
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p["conflict"]["rental_id"], id.as_str());
    // Only its member, the space's operator and admins see it.
    assert_eq!(
        get_with_token(&format!("/rentals/{id}"), &other.access_token)
            .await
            .status(),
        404
    );
    assert_eq!(
        rental(&id, &f.operator.access_token).await["id"],
        id.as_str()
    );
    // Erasure waits for the rental to end (its months are not cancelled one by one), and
    // the export lists it.
    let p = expect_problem(
        call("DELETE", "/users/me", Some(&member.access_token), None).await,
        409,
    )
    .await;
    assert_eq!(p["conflict"]["rentals"][0], id.as_str(), "{p}");
    let export: Value = get_with_token("/users/me/export", &member.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        export["rentals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == id.as_str()),
        "{export}"
    );

    // Renewals: another amount or currency confirms nothing.
    let sub = subscription_of(&id).await;
    for (amount, currency) in [(RENT - 1, "eur"), (RENT + 100, "eur"), (RENT, "usd")] {
        let ack = stripe_event(
            "invoice.paid",
            renewal(
                &sub,
                &format!("in_{}", uuid::Uuid::new_v4().simple()),
                amount,
                currency,
            ),
        )
        .await;
        assert!(
            ack["outcome"].as_str().unwrap().contains("not the rent"),
            "{ack}"
        );
    }
    assert_eq!(rental(&id, &member.access_token).await["months_paid"], 1);
    // The rent pays month 1 and holds month 2; the same invoice again counts once.
    let invoice = renewal(
        &sub,
        &format!("in_{}", uuid::Uuid::new_v4().simple()),
        RENT,
        "eur",
    );
    let ack = stripe_event("invoice.paid", invoice.clone()).await;
    assert_eq!(ack["outcome"], "Recorded", "{ack}");
    let ack = stripe_event("invoice.payment_succeeded", invoice).await;
    assert_eq!(ack["outcome"], "Duplicate", "{ack}");
    let renewed = rental(&id, &member.access_token).await;
    assert_eq!(renewed["months_paid"], 2);
    assert_eq!(
        months(&renewed),
        vec![
            (0, "confirmed".into()),
            (1, "confirmed".into()),
            (2, "pending".into())
        ]
    );

    // Ending: no more invoices, month 2 released, months paid kept.
    let res = call(
        "PUT",
        &format!("/rentals/{id}/end"),
        Some(&other.access_token),
        None,
    )
    .await;
    assert_eq!(res.status(), 404, "another member may not end it");
    let res = call(
        "PUT",
        &format!("/rentals/{id}/end"),
        Some(&member.access_token),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let ended: Value = res.json().await.unwrap();
    assert_eq!(ended["status"], "ended");
    assert_eq!(ended["end_reason"], "ended_by_member");
    assert_eq!(
        months(&ended),
        vec![
            (0, "confirmed".into()),
            (1, "confirmed".into()),
            (2, "cancelled".into())
        ]
    );
    assert_eq!(subscription_at_stripe(&sub).await["status"], "canceled");
    let res = call(
        "PUT",
        &format!("/rentals/{id}/end"),
        Some(&member.access_token),
        None,
    )
    .await;
    assert_eq!(res.status(), 200, "ending twice answers the same");
    // Month 2 is free again; month 1 stays the member's.
    let free = book(
        &other.access_token,
        &f.items[0],
        &in_month(start, 2, "10:00"),
        &in_month(start, 2, "11:00"),
    )
    .await;
    assert_eq!(free.status(), 201);
    let still = book(
        &other.access_token,
        &f.items[0],
        &in_month(start, 1, "12:00"),
        &in_month(start, 1, "13:00"),
    )
    .await;
    assert_eq!(still.status(), 409);
    // A paid invoice arriving after the end confirms nothing (it would be refunded).
    let late = stripe_event(
        "invoice.paid",
        renewal(
            &sub,
            &format!("in_{}", uuid::Uuid::new_v4().simple()),
            RENT,
            "eur",
        ),
    )
    .await;
    assert!(
        late["outcome"]
            .as_str()
            .unwrap()
            .contains("after the rental ended"),
        "{late}"
    );
    assert_eq!(rental(&id, &member.access_token).await["months_paid"], 2);
}

#[tokio::test]
async fn stripe_giving_up_on_the_rent_releases_the_held_month() {
    let f = office().await;
    let member = user_with_roles(&[]).await;
    let start = start_day(4);
    let id = active_rental(&member.access_token, &f.items[0], start).await;
    let sub_id = subscription_of(&id).await;
    let mut sub = subscription_at_stripe(&sub_id).await;
    // Past due: Stripe retries, the month stays held.
    sub["status"] = json!("past_due");
    stripe_event("customer.subscription.updated", sub.clone()).await;
    assert_eq!(rental(&id, &member.access_token).await["status"], "active");
    sub["status"] = json!("unpaid");
    let ack = stripe_event("customer.subscription.updated", sub).await;
    assert_eq!(ack["outcome"], "Recorded", "{ack}");
    let ended = rental(&id, &member.access_token).await;
    assert_eq!(ended["status"], "ended");
    assert_eq!(ended["end_reason"], "not_paid");
    // The member is told (in-app), once.
    wait_until("the rental's end is told", 15, || async {
        notifications(&member.access_token)
            .await
            .iter()
            .any(|n| n["kind"] == "RentalEnded")
    })
    .await;
    assert_eq!(
        months(&ended),
        vec![(0, "confirmed".into()), (1, "cancelled".into())]
    );
}

#[tokio::test]
async fn a_next_month_someone_else_booked_ends_the_rental_after_the_paid_month() {
    let f = office().await;
    let member = user_with_roles(&[]).await;
    let other = user_with_roles(&[]).await;
    let start = start_day(5);
    // Month 2 is not held yet: another member books an hour of it.
    let hour = book(
        &other.access_token,
        &f.items[0],
        &in_month(start, 2, "15:00"),
        &in_month(start, 2, "16:00"),
    )
    .await;
    assert_eq!(hour.status(), 201);
    let id = active_rental(&member.access_token, &f.items[0], start).await;
    let sub = subscription_of(&id).await;
    let ack = stripe_event(
        "invoice.paid",
        renewal(
            &sub,
            &format!("in_{}", uuid::Uuid::new_v4().simple()),
            RENT,
            "eur",
        ),
    )
    .await;
    assert_eq!(ack["outcome"], "Recorded", "{ack}");
    let r = rental(&id, &member.access_token).await;
    assert_eq!(r["status"], "ended");
    assert_eq!(r["end_reason"], "next_month_unavailable");
    assert_eq!(
        months(&r),
        vec![(0, "confirmed".into()), (1, "confirmed".into())]
    );
    assert_eq!(subscription_at_stripe(&sub).await["status"], "canceled");
}

#[tokio::test]
async fn rental_requests_are_checked_field_by_field() {
    let f = office().await;
    let plain = fixture(ZONE, &[0]).await;
    let member = user_with_roles(&[]).await;
    let key = || uuid::Uuid::new_v4().to_string();
    let p = expect_problem(
        start_rental(&member.access_token, &plain.items[0], start_day(3), &key()).await,
        400,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "item_id", "{p}");
    assert_eq!(p["errors"][0]["rule"], "not_rented_open_ended", "{p}");
    let mut late: Date = soon(3).parse().unwrap();
    while late.day() < 29 {
        late = late.tomorrow().unwrap();
    }
    for (start, rule) in [
        (late, "day_of_month"),
        (start_day(45), "range"),
        (soon(-2).parse().unwrap(), "range"),
    ] {
        let p = expect_problem(
            start_rental(&member.access_token, &f.items[0], start, &key()).await,
            400,
        )
        .await;
        assert!(
            p["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == "start_date" && e["rule"] == rule),
            "{start}: {p}"
        );
    }
    // The space must take bookings far enough ahead to hold the next month.
    let res = call(
        "PATCH",
        &format!("/spaces/{}", f.space_id),
        Some(&f.operator.access_token),
        Some(&json!({"booking_horizon_days": 40})),
    )
    .await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let p = expect_problem(
        start_rental(&member.access_token, &f.items[0], start_day(3), &key()).await,
        400,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "start_date", "{p}");
    assert_eq!(p["errors"][0]["rule"], "horizon", "{p}");
    // An open-ended rental needs a month rate.
    let res = call(
        "PATCH",
        &format!("/spaces/{}/items/{}", plain.space_id, plain.items[0]),
        Some(&plain.operator.access_token),
        Some(&json!({"stay_rates": {"week": 40000, "open_ended": true}})),
    )
    .await;
    let p = expect_problem(res, 400).await;
    assert_eq!(p["errors"][0]["field"], "stay_rates.open_ended", "{p}");
    // Nothing was stored by the refusals: the member holds nothing.
    let mine: Value = get_with_token("/users/me/bookings", &member.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["items"].as_array().map_or(0, |i| i.len()), 0, "{mine}");
}

#[tokio::test]
async fn the_spaces_operator_can_end_a_members_rental() {
    let f = office().await;
    let member = user_with_roles(&[]).await;
    let id = active_rental(&member.access_token, &f.items[0], start_day(7)).await;
    // Another space's operator may not.
    let stranger = fixture(ZONE, &[0]).await.operator;
    let res = call(
        "PUT",
        &format!("/rentals/{id}/end"),
        Some(&stranger.access_token),
        None,
    )
    .await;
    assert_eq!(res.status(), 404);
    let res = call(
        "PUT",
        &format!("/rentals/{id}/end"),
        Some(&f.operator.access_token),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let ended: Value = res.json().await.unwrap();
    assert_eq!(ended["end_reason"], "ended_by_operator");
    assert_eq!(
        months(&ended),
        vec![(0, "confirmed".into()), (1, "cancelled".into())]
    );
    let sub = subscription_of(&id).await;
    assert_eq!(subscription_at_stripe(&sub).await["status"], "canceled");
}
