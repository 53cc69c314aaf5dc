//! The booking lifecycle's edges through the gateway: overlap-proof claims whatever the
//! operator edits, the transaction budget, calendar extremes, what Stripe reports against
//! what was recorded, who refunds how much, and refunds retried around their webhook.

use domain::role::Role;
use integration_tests::fixtures::*;
use integration_tests::*;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::bookings::{claimed_minutes, stored_slots};
use crate::payments::{post_webhook, refunds_at_stripe, webhook_secret};

/// A space open around the clock in `tz` (no pricing rules), by a new operator.
async fn all_day_space(tz: &str) -> (TestUser, String) {
    let space = open_around_the_clock(tz);
    let operator = user_with_roles(&[Role::Operator]).await;
    let res = call(
        "POST",
        "/spaces",
        Some(&operator.access_token),
        Some(&space),
    )
    .await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    (operator, id)
}

async fn add_item(operator: &TestUser, space_id: &str, body: Value) -> String {
    let res = call(
        "POST",
        &format!("/spaces/{space_id}/items"),
        Some(&operator.access_token),
        Some(&body),
    )
    .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn room(identifier: &str, slot: u32, max: u32, buffer: u32) -> Value {
    json!({"kind": "room", "identifier": identifier, "capacity": 4,
           "price_per_hour": {"amount": 2000, "currency": "EUR"},
           "slot_minutes": slot, "min_booking_minutes": slot, "max_booking_minutes": max,
           "buffer_minutes": buffer})
}

/// A local wall-clock time `date` `hh:mm` in `tz`, as a UTC instant.
fn local(tz: &str, date: &str, hhmm: &str) -> String {
    let dt: jiff::civil::DateTime = format!("{date}T{hhmm}").parse().unwrap();
    jiff::tz::TimeZone::get(tz)
        .unwrap()
        .to_ambiguous_timestamp(dt)
        .compatible()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn grid_and_zone_edits_between_bookings_never_let_two_overlap() {
    // Both reproduced as 201 + 201 before claims moved to the UTC lattice.
    let (operator, space_id) = all_day_space("Europe/Berlin").await;
    let item = add_item(&operator, &space_id, room("Hourly", 60, 480, 0)).await;
    let member = user_with_roles(&[]).await;
    let date = day(60);
    let res = book(
        &member.access_token,
        &item,
        &local("Europe/Berlin", &date, "10:00"),
        &local("Europe/Berlin", &date, "11:00"),
    )
    .await;
    assert_eq!(res.status(), 201);
    // The operator moves the item to a 30-minute grid: 10:30-11:00 is on it, and taken.
    let res = call(
        "PATCH",
        &format!("/spaces/{space_id}/items/{item}"),
        Some(&operator.access_token),
        Some(&json!({"slot_minutes": 30, "min_booking_minutes": 30})),
    )
    .await;
    assert_eq!(res.status(), 200);
    let other = user_with_roles(&[]).await;
    let res = book(
        &other.access_token,
        &item,
        &local("Europe/Berlin", &date, "10:30"),
        &local("Europe/Berlin", &date, "11:00"),
    )
    .await;
    let status = res.status();
    let p: Value = res.json().await.unwrap();
    assert_eq!(status, 409, "{p}");
    assert_eq!(
        p["conflict"]["taken"]["start_time"],
        local("Europe/Berlin", &date, "10:00")
    );
    // The space moves to Kathmandu (+05:45): 14:45 there is 10:00 in Berlin, taken;
    // 14:30-15:00 overlaps its first quarter hour, taken too.
    let res = call(
        "PATCH",
        &format!("/spaces/{space_id}"),
        Some(&operator.access_token),
        Some(&json!({"time_zone": "Asia/Kathmandu"})),
    )
    .await;
    assert_eq!(res.status(), 200);
    for (a, b) in [("14:30", "15:00"), ("15:00", "16:00"), ("15:30", "16:30")] {
        expect_problem(
            book(
                &other.access_token,
                &item,
                &local("Asia/Kathmandu", &date, a),
                &local("Asia/Kathmandu", &date, b),
            )
            .await,
            409,
        )
        .await;
    }
    // It ends at 15:45 there, off the local half-hour grid; the next start on it is free.
    let res = book(
        &other.access_token,
        &item,
        &local("Asia/Kathmandu", &date, "16:00"),
        &local("Asia/Kathmandu", &date, "16:30"),
    )
    .await;
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn the_longest_booking_an_item_allows_on_a_15_minute_grid_is_201() {
    let (operator, space_id) = all_day_space("Etc/UTC").await;
    let max = domain::claims::MAX_CLAIMED_MINUTES;
    // A minute more than one transaction holds is refused when the item is defined.
    let res = call(
        "POST",
        &format!("/spaces/{space_id}/items"),
        Some(&operator.access_token),
        Some(&room("Too long", 15, max, 15)),
    )
    .await;
    let p = expect_problem(res, 400).await;
    assert_eq!(p["errors"][0]["rule"], "max_span");
    let item = add_item(&operator, &space_id, room("Marathon", 15, max - 15, 15)).await;
    // Every optional action present: a member whose included hour covers part of it (a
    // membership check and a usage counter), the rest to pay (payment, hold, expiry).
    let admin = user_with_roles(&[Role::Admin]).await;
    let plan: Value = call(
        "POST",
        "/membership-plans",
        Some(&admin.access_token),
        Some(
            &json!({"name": "Hour", "monthly_price": {"amount": 1000, "currency": "EUR"},
            "benefits": {"discount_percent": 0, "included_hours_per_month": 1, "space_ids": []}}),
        ),
    )
    .await
    .json()
    .await
    .unwrap();
    let member = user_with_roles(&[]).await;
    let pm = payment_method(CARD_OK).await;
    let res = call(
        "POST",
        "/memberships",
        Some(&member.access_token),
        Some(&json!({"plan_id": plan["id"], "payment_method_id": pm})),
    )
    .await;
    assert_eq!(res.status(), 201);
    let start = ts(&at(&soon(3), "00:00"));
    let end = start + SignedDuration::from_mins((max - 15) as i64);
    let res = book(
        &member.access_token,
        &item,
        &start.to_string(),
        &end.to_string(),
    )
    .await;
    let status = res.status();
    let b: Value = res.json().await.unwrap();
    assert_eq!(status, 201, "{b}");
    assert_eq!(b["price"]["included_minutes_applied"], 60);
    assert_eq!(b["status"], "pending");
    // The booking and its buffer, claimed exactly, in far fewer blocks than cells.
    let slots = stored_slots(&space_id).await;
    assert_eq!(claimed_minutes(&slots), (end - start).as_mins() + 15);
    assert!((slots.len() as u32) < domain::claims::MAX_CLAIMS_PER_BOOKING);
}

#[tokio::test]
async fn calendar_extremes_are_400_never_5xx() {
    let f = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[]).await;
    let base = format!("/spaces/{}/availability", f.space_id);
    for (from, to) in [
        ("-009999-01-01T00:00:00Z", "-009999-01-02T00:00:00Z"),
        ("0001-01-01T00:00:00Z", "0001-01-02T00:00:00Z"),
        ("1999-12-31T00:00:00Z", "2000-01-02T00:00:00Z"),
        ("9999-12-30T00:00:00Z", "9999-12-31T23:59:59Z"),
        ("9999-12-31T00:00:00Z", "9999-12-31T23:59:59.999999999Z"),
        ("2100-01-01T00:00:00Z", "2100-01-02T00:00:00Z"),
    ] {
        let res = call("GET", &format!("{base}?from={from}&to={to}"), None, None).await;
        let p = expect_problem(res, 400).await;
        let rule = p["errors"][0]["rule"].as_str().unwrap().to_string();
        assert!(rule == "range" || rule == "format", "{from}: {p}");
    }
    for (start, end) in [
        ("9999-12-31T22:00:00Z", "9999-12-31T23:00:00Z"),
        ("-009999-01-01T10:00:00Z", "-009999-01-01T11:00:00Z"),
        ("2030-01-01T10:00:00Z", "9999-12-31T23:30:00Z"),
    ] {
        let p = expect_problem(
            book(&member.access_token, &f.items[0], start, end).await,
            400,
        )
        .await;
        assert!(!p["errors"].as_array().unwrap().is_empty(), "{p}");
    }
    // Beyond the space's horizon (365 days unless the operator says otherwise).
    let far = (Timestamp::now() + SignedDuration::from_hours(24 * 400))
        .strftime("%Y-%m-%d")
        .to_string();
    let p = expect_problem(
        book(
            &member.access_token,
            &f.items[0],
            &at(&far, "10:00"),
            &at(&far, "11:00"),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(p["errors"][0]["rule"], "horizon");
    let res = call(
        "PATCH",
        &format!("/spaces/{}", f.space_id),
        Some(&f.operator.access_token),
        Some(&json!({"booking_horizon_days": 500})),
    )
    .await;
    assert_eq!(res.status(), 200);
    // (The catalog cache may hold the old horizon for a while: the version check makes
    // the first request re-plan with fresh reads.)
    let res = book(
        &member.access_token,
        &f.items[0],
        &at(&far, "10:00"),
        &at(&far, "11:00"),
    )
    .await;
    assert_eq!(res.status(), 201);
    let res = call(
        "PATCH",
        &format!("/spaces/{}", f.space_id),
        Some(&f.operator.access_token),
        Some(&json!({"booking_horizon_days": 0})),
    )
    .await;
    assert_eq!(
        expect_problem(res, 400).await["errors"][0]["field"],
        "booking_horizon_days"
    );
}

#[tokio::test]
async fn operators_refund_in_full_and_members_keep_the_policy_they_booked_under() {
    let (operator, space_id) = all_day_space("Etc/UTC").await;
    let item = add_item(&operator, &space_id, room("Room", 30, 480, 0)).await;
    let member = user_with_roles(&[]).await;
    // Starting within the hour: the member would get nothing back by the policy.
    let t = (Timestamp::now() + SignedDuration::from_mins(50)).as_second();
    let start = Timestamp::from_second((t / 1800 + 1) * 1800).unwrap();
    let end = start + SignedDuration::from_hours(1);
    let b = book_paid(
        &member.access_token,
        &item,
        &start.to_string(),
        &end.to_string(),
    )
    .await;
    let id = b["id"].as_str().unwrap();
    let intent = b["payment"]["stripe_payment_intent_id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = call(
        "PUT",
        &format!("/bookings/{id}/cancel"),
        Some(&operator.access_token),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let c: Value = res.json().await.unwrap();
    assert_eq!(c["refund"], json!({"percent": 100, "amount": 2000}));
    assert_eq!(c["payment"]["status"], "refunded");
    assert_eq!(refunds_at_stripe(&intent).await, vec![2000]);

    // A member's booking 40 days ahead under the default policy (full refund a day ahead);
    // the operator then makes the policy refund nothing: the member still gets all back.
    let date = day(10);
    let b = book_paid(
        &member.access_token,
        &item,
        &at(&date, "10:00"),
        &at(&date, "11:00"),
    )
    .await;
    let res = call(
        "PATCH",
        &format!("/spaces/{space_id}"),
        Some(&operator.access_token),
        Some(&json!({"cancellation_policy": {"full_refund_hours": 8760, "partial_refund_hours": 8760, "partial_refund_percent": 0}})),
    )
    .await;
    assert_eq!(res.status(), 200);
    let id = b["id"].as_str().unwrap();
    let res = call(
        "PUT",
        &format!("/bookings/{id}/cancel"),
        Some(&member.access_token),
        None,
    )
    .await;
    let c: Value = res.json().await.unwrap();
    assert_eq!(c["refund"], json!({"percent": 100, "amount": 2000}));
}

/// A signed `payment_intent.succeeded` for `intent` as Stripe would send it.
async fn succeeded_news(booking: &str, intent: &str, amount: i64, currency: &str) -> Value {
    let body = json!({
        "id": format!("evt_{}", uuid::Uuid::new_v4().simple()), "object": "event",
        "type": "payment_intent.succeeded", "created": Timestamp::now().as_second(),
        "data": {"object": {"id": intent, "object": "payment_intent", "amount": amount,
            "currency": currency, "status": "succeeded", "metadata": {"booking_id": booking}}},
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

/// The audit entries about `target`, read by an admin through the API.
async fn audited(admin: &TestUser, target: &str) -> Vec<Value> {
    let month = Timestamp::now().strftime("%Y-%m").to_string();
    let mut cursor: Option<String> = None;
    let mut found = Vec::new();
    for _ in 0..50 {
        let mut path = format!("/audit?month={month}&limit=100");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page: Value = get_with_token(&path, &admin.access_token)
            .await
            .json()
            .await
            .unwrap();
        found.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["target"] == target)
                .cloned(),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    found
}

#[tokio::test]
async fn another_amount_or_currency_from_stripe_never_confirms() {
    let f = fixture("Etc/UTC", &[0, 0]).await;
    let member = user_with_roles(&[]).await;
    let admin = user_with_roles(&[Role::Admin]).await;
    let date = day(12);
    for (i, (amount, currency)) in [(2001, "eur"), (2000, "usd")].into_iter().enumerate() {
        let b: Value = book(
            &member.access_token,
            &f.items[i],
            &at(&date, "10:00"),
            &at(&date, "11:00"),
        )
        .await
        .json()
        .await
        .unwrap();
        let (id, intent) = (
            b["id"].as_str().unwrap(),
            b["payment"]["stripe_payment_intent_id"].as_str().unwrap(),
        );
        let ack = succeeded_news(id, intent, amount, currency).await;
        assert_eq!(ack["outcome"], "Mismatch", "{ack}");
        let view = booking_view(id, &member.access_token).await;
        assert_eq!(view["status"], "pending");
        assert_eq!(view["payment"]["status"], "under_review");
        let entries = audited(&admin, &format!("booking/{id}")).await;
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0]["action"], "payment.mismatch");
        assert_eq!(entries[0]["after"]["amount"], amount);
        // The right amount arriving afterwards does not confirm a payment under review.
        let ack = succeeded_news(id, intent, 2000, "eur").await;
        assert!(
            ack["outcome"].as_str().unwrap().contains("under review"),
            "{ack}"
        );
        assert_eq!(
            booking_view(id, &member.access_token).await["status"],
            "pending"
        );
    }
}

/// Stripe's `refund.created` for every refund of `intent` (localstripe does not send
/// these), signed like Stripe's; the outcomes.
async fn refund_news(intent: &str) -> Vec<String> {
    let (_, list) = stripe(
        reqwest::Method::GET,
        &format!("/v1/refunds?payment_intent={intent}"),
        &[],
    )
    .await;
    let mut outcomes = Vec::new();
    for refund in list["data"].as_array().unwrap() {
        let mut object = refund.clone();
        object["payment_intent"] = json!(intent);
        let body = json!({"id": format!("evt_{}", uuid::Uuid::new_v4().simple()), "object": "event",
            "type": "refund.created", "created": Timestamp::now().as_second(), "data": {"object": object}});
        let res = post_webhook(
            &body.to_string(),
            webhook_secret(),
            Timestamp::now().as_second(),
        )
        .await;
        assert_eq!(res.status(), 200);
        outcomes.push(
            res.json::<Value>().await.unwrap()["outcome"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    outcomes
}

#[tokio::test]
async fn a_refund_retried_after_its_webhook_is_recorded_changes_nothing() {
    let f = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[]).await;
    let date = day(14);
    let b = book_paid(
        &member.access_token,
        &f.items[0],
        &at(&date, "13:00"),
        &at(&date, "14:00"),
    )
    .await;
    let (id, intent) = (
        b["id"].as_str().unwrap(),
        b["payment"]["stripe_payment_intent_id"].as_str().unwrap(),
    );
    let cancel = format!("/bookings/{id}/cancel");
    let c: Value = call("PUT", &cancel, Some(&member.access_token), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(c["payment"]["refunded_amount"], 2000);
    // Its news arrives: the refund is ours (its key), recorded already.
    let outcomes = refund_news(intent).await;
    assert_eq!(outcomes.len(), 1);
    assert!(outcomes[0].contains("already recorded"), "{outcomes:?}");
    // The member retries the cancel, and the news comes again: nothing changes.
    for _ in 0..2 {
        let again: Value = call("PUT", &cancel, Some(&member.access_token), None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(again["status"], "cancelled");
        assert_eq!(again["payment"]["refunded_amount"], 2000);
        refund_news(intent).await;
    }
    assert_eq!(refunds_at_stripe(intent).await, vec![2000]);
    let view = booking_view(id, &member.access_token).await;
    assert_eq!(view["payment"]["refunded_amount"], 2000);
}

#[tokio::test]
async fn a_refund_made_in_stripes_dashboard_is_recorded_by_its_intent() {
    let f = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[]).await;
    let date = day(15);
    let b = book_paid(
        &member.access_token,
        &f.items[0],
        &at(&date, "13:00"),
        &at(&date, "14:00"),
    )
    .await;
    let (id, intent) = (
        b["id"].as_str().unwrap(),
        b["payment"]["stripe_payment_intent_id"].as_str().unwrap(),
    );
    // Made at Stripe by hand: no metadata of ours.
    let (status, _) = stripe(
        reqwest::Method::POST,
        "/v1/refunds",
        &[("payment_intent", intent), ("amount", "500")],
    )
    .await;
    assert_eq!(status, 200);
    let outcomes = refund_news(intent).await;
    assert_eq!(outcomes, ["Recorded"]);
    let view = booking_view(id, &member.access_token).await;
    assert_eq!(view["payment"]["refunded_amount"], 500);
    assert_eq!(view["payment"]["status"], "partially_refunded");
    // Cancelling now refunds by the policy, at most what is left.
    let c: Value = call(
        "PUT",
        &format!("/bookings/{id}/cancel"),
        Some(&member.access_token),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(c["refund"]["amount"], 1500);
    assert_eq!(refunds_at_stripe(intent).await.iter().sum::<i64>(), 2000);
}

#[tokio::test]
async fn the_operator_of_a_space_cannot_review_it() {
    let f = fixture("Etc/UTC", &[0]).await;
    let res = call(
        "POST",
        &format!("/spaces/{}/reviews", f.space_id),
        Some(&f.operator.access_token),
        Some(&json!({"rating": 5})),
    )
    .await;
    let p = expect_problem(res, 403).await;
    assert!(p["detail"].as_str().unwrap().contains("operator"), "{p}");
}
