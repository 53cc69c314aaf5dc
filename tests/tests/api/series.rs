//! Recurring series through the gateway against the real stand-ins: a weekly series keeps
//! its local time across the next DST change; `refuse` books nothing when one occurrence
//! is taken and `skip` books the others; one payment (for exactly the booked occurrences,
//! checked at Stripe) confirms them all; one occurrence or the rest is cancelled with its
//! share refunded; an unpaid series is cancelled whole. A race of series and single
//! bookings never leaves two live bookings overlapping (read from the table).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use integration_tests::fixtures::*;
use integration_tests::*;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::bookings::stored_bookings;
use crate::payments::refunds_at_stripe;

const ZONE: &str = "Europe/Berlin";

async fn post_series(token: &str, key: &str, body: &Value) -> reqwest::Response {
    http()
        .post(format!("{}/series", env().base))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn put(path: &str, token: &str, body: Option<&Value>) -> reqwest::Response {
    call("PUT", path, Some(token), body).await
}

/// 14:00-15:00 local on the Wednesday 10 to 16 days before the zone's next DST change
/// (at least a week away): a weekly series of 4 crosses it.
fn before_next_dst() -> (String, String) {
    let tz = TimeZone::get(ZONE).unwrap();
    let soon = Timestamp::now() + SignedDuration::from_hours(24 * 20);
    let change = tz.following(soon).next().unwrap().timestamp();
    let mut date = tz.to_datetime(change).date() - jiff::ToSpan::days(10);
    while date.weekday() != jiff::civil::Weekday::Wednesday {
        date = date.yesterday().unwrap();
    }
    let local = |h: i8| {
        tz.to_ambiguous_timestamp(date.to_datetime(jiff::civil::time(h, 0, 0, 0)))
            .compatible()
            .unwrap()
            .to_string()
    };
    (local(14), local(15))
}

fn text(i: &HashMap<String, AttributeValue>, k: &str) -> String {
    i.get(k)
        .and_then(|v| v.as_s().ok())
        .cloned()
        .unwrap_or_default()
}

/// The live bookings of a space as stored: (id, user, start, end).
async fn live(space_id: &str) -> Vec<(String, String, Timestamp, Timestamp)> {
    stored_bookings(space_id)
        .await
        .iter()
        .filter(|i| ["pending", "confirmed"].contains(&text(i, "status").as_str()))
        .map(|i| {
            (
                text(i, "id"),
                text(i, "user_id"),
                ts(&text(i, "start_time")),
                ts(&text(i, "end_time")),
            )
        })
        .collect()
}

async fn intent_at_stripe(id: &str) -> Value {
    let (status, pi) = stripe(
        reqwest::Method::GET,
        &format!("/v1/payment_intents/{id}"),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{pi}");
    pi
}

#[tokio::test]
async fn a_weekly_series_keeps_local_time_across_dst_and_one_payment_confirms_it() {
    let f = fixture(ZONE, &[0]).await;
    let room = &f.items[0];
    let (start, end) = before_next_dst();
    let tz = TimeZone::get(ZONE).unwrap();
    let rule = json!({"bookable_item_id": room, "start_time": start, "end_time": end,
                      "rrule": "FREQ=WEEKLY;COUNT=4"});

    // Someone else has the second Wednesday.
    let other = new_member().await;
    let second = ts(&start) + SignedDuration::from_hours(24 * 7);
    let taken = book(
        &other.access_token,
        room,
        &second.to_string(),
        &(second + SignedDuration::from_hours(1)).to_string(),
    )
    .await;
    assert_eq!(taken.status(), 201);
    let taken: Value = taken.json().await.unwrap();

    let member = new_member().await;
    // All or nothing: 409 naming the taken occurrence, and nothing of ours is stored.
    let refused = post_series(
        &member.access_token,
        &uuid::Uuid::new_v4().to_string(),
        &rule,
    )
    .await;
    let problem = expect_problem(refused, 409).await;
    let listed = problem["conflict"]["occurrences"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{problem}");
    assert_eq!(listed[0]["index"], 1);
    assert!(
        live(&f.space_id).await.iter().all(|b| b.1 != member.id),
        "a refused series stored a booking"
    );

    // The free ones: three booked at 14:00 local, before and after the change.
    let mut skip = rule.clone();
    skip["on_conflict"] = "skip".into();
    let key = uuid::Uuid::new_v4().to_string();
    let res = post_series(&member.access_token, &key, &skip).await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let series: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/series/{}", series["id"].as_str().unwrap())
    );
    assert_eq!(
        (series["booked"].as_u64(), series["not_booked"].as_u64()),
        (Some(3), Some(1))
    );
    let occ = series["occurrences"].as_array().unwrap();
    let offsets: std::collections::BTreeSet<i32> = occ
        .iter()
        .map(|o| {
            tz.to_offset(ts(o["start_time"].as_str().unwrap()))
                .seconds()
        })
        .collect();
    assert_eq!(
        offsets.len(),
        2,
        "the series should cross a DST change: {series}"
    );
    for o in occ {
        let local = tz.to_datetime(ts(o["start_time"].as_str().unwrap()));
        assert_eq!(local.time(), jiff::civil::time(14, 0, 0, 0), "{o}");
    }
    assert_eq!(occ[1]["booking"], Value::Null);
    assert_eq!(
        occ[1]["conflict"]["conflict"]["taken"]["start_time"],
        taken["start_time"]
    );
    let ids: Vec<String> = [0, 2, 3]
        .iter()
        .map(|i| occ[*i]["booking"]["id"].as_str().unwrap().to_string())
        .collect();

    // A retry with the same key answers the same series; another request under it is 422.
    let again: Value = post_series(&member.access_token, &key, &skip)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["id"], series["id"]);
    let mut other_rule = skip.clone();
    other_rule["rrule"] = "FREQ=WEEKLY;COUNT=3".into();
    expect_problem(
        post_series(&member.access_token, &key, &other_rule).await,
        422,
    )
    .await;

    // One payment for exactly the three booked occurrences, also at Stripe.
    let shares: i64 = ids
        .iter()
        .map(|id| {
            occ.iter()
                .find(|o| o["booking"]["id"] == id.as_str())
                .unwrap()["booking"]["price"]["total"]
                .as_i64()
                .unwrap()
        })
        .sum();
    let payment = &series["payment"];
    assert_eq!(payment["amount"].as_i64(), Some(shares), "{series}");
    let intent = payment["stripe_payment_intent_id"].as_str().unwrap();
    assert_eq!(
        intent_at_stripe(intent).await["amount"].as_i64(),
        Some(shares)
    );
    // Unpaid: one occurrence alone cannot leave the series.
    expect_problem(
        put(
            &format!("/bookings/{}/cancel", ids[2]),
            &member.access_token,
            None,
        )
        .await,
        409,
    )
    .await;
    assert_eq!(pay(intent, CARD_OK).await, 200);
    for id in &ids {
        wait_for_status(id, &member.access_token, "confirmed").await;
    }

    // The last one alone: its own share goes back under the policy.
    let cancelled: Value = put(
        &format!("/bookings/{}/cancel", ids[2]),
        &member.access_token,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
    let share = occ[3]["booking"]["price"]["total"].as_i64().unwrap();
    assert_eq!(
        cancelled["refund"]["amount"].as_i64(),
        Some(share),
        "{cancelled}"
    );
    // The rest from the third Wednesday: that one goes, the first stays.
    let from = occ[2]["start_time"].clone();
    let rest = put(
        &format!("/series/{}/cancel", series["id"].as_str().unwrap()),
        &member.access_token,
        Some(&json!({"from": from})),
    )
    .await;
    assert_eq!(rest.status(), 200);
    let rest: Value = rest.json().await.unwrap();
    let status = |i: usize| rest["occurrences"][i]["booking"]["status"].clone();
    assert_eq!(
        (status(0), status(2), status(3)),
        (json!("confirmed"), json!("cancelled"), json!("cancelled"))
    );
    wait_until("both refunds at Stripe", 15, || async {
        let mut r = refunds_at_stripe(intent).await;
        r.sort();
        let mut want = vec![share, occ[2]["booking"]["price"]["total"].as_i64().unwrap()];
        want.sort();
        r == want
    })
    .await;
    let ours: Vec<_> = live(&f.space_id)
        .await
        .into_iter()
        .filter(|b| b.1 == member.id)
        .map(|b| b.0)
        .collect();
    assert_eq!(ours, vec![ids[0].clone()]);

    // Only its member (and the space's operator) sees it.
    let path = format!("/series/{}", series["id"].as_str().unwrap());
    assert_eq!(
        get_with_token(&path, &other.access_token).await.status(),
        404
    );
    assert_eq!(
        get_with_token(&path, &f.operator.access_token)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn an_unpaid_series_is_cancelled_whole_and_gives_its_time_back() {
    let f = fixture_for(&open_around_the_clock("UTC"), &[0]).await;
    let member = new_member().await;
    let first = day(3);
    let body = json!({"bookable_item_id": f.items[0], "start_time": at(&first, "10:00"),
                      "end_time": at(&first, "11:30"), "rrule": "FREQ=DAILY;COUNT=3"});
    let res = post_series(
        &member.access_token,
        &uuid::Uuid::new_v4().to_string(),
        &body,
    )
    .await;
    assert_eq!(res.status(), 201);
    let series: Value = res.json().await.unwrap();
    let path = format!("/series/{}/cancel", series["id"].as_str().unwrap());
    // Not paid: a part of it cannot be cancelled.
    let partial = put(
        &path,
        &member.access_token,
        Some(&json!({"from": series["occurrences"][1]["start_time"]})),
    )
    .await;
    expect_problem(partial, 409).await;
    let whole: Value = put(&path, &member.access_token, None)
        .await
        .json()
        .await
        .unwrap();
    for o in whole["occurrences"].as_array().unwrap() {
        assert_eq!(o["booking"]["status"], "cancelled", "{whole}");
    }
    let intent = series["payment"]["stripe_payment_intent_id"]
        .as_str()
        .unwrap();
    assert_eq!(intent_at_stripe(intent).await["status"], "canceled");
    crate::bookings::assert_nothing_claimed(&f.space_id, "a cancelled series").await;
    // The member's unpaid-hold place came back: a series took one, whatever its length.
    let aws = aws().await;
    let holds = aws
        .dynamodb()
        .get_item()
        .table_name(&aws.config().table_name)
        .key("PK", AttributeValue::S(format!("USER#{}", member.id)))
        .key("SK", AttributeValue::S("HOLDS".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert_eq!(holds["active"].as_n().unwrap(), "0");
}

#[tokio::test]
async fn bad_series_requests_name_the_field_and_rule() {
    let f = fixture("UTC", &[0]).await;
    let member = new_member().await;
    let d = day(5);
    let base = json!({"bookable_item_id": f.items[0], "start_time": at(&d, "10:00"),
                      "end_time": at(&d, "11:00"), "rrule": "FREQ=WEEKLY;COUNT=3"});
    for (change, field, rule) in [
        (
            json!({"rrule": "FREQ=MONTHLY;COUNT=3"}),
            "rrule",
            "frequency",
        ),
        (json!({"rrule": "FREQ=WEEKLY"}), "rrule", "end"),
        (json!({"rrule": "FREQ=DAILY;COUNT=99"}), "rrule", "count"),
        (
            json!({"start_time": at(&d, "05:00"), "end_time": at(&d, "06:00")}),
            "start_time",
            "opening_hours",
        ),
    ] {
        let mut body = base.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let p = expect_problem(
            post_series(
                &member.access_token,
                &uuid::Uuid::new_v4().to_string(),
                &body,
            )
            .await,
            400,
        )
        .await;
        let errors = p["errors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == field && e["rule"].as_str().unwrap_or("").contains(rule)),
            "{change}: {p}"
        );
    }
    let mut unknown = base.clone();
    unknown["colour"] = "red".into();
    expect_problem(
        post_series(&member.access_token, "series-key-0001", &unknown).await,
        400,
    )
    .await;
    let no_key = http()
        .post(format!("{}/series", env().base))
        .bearer_auth(&member.access_token)
        .json(&base)
        .send()
        .await
        .unwrap();
    expect_problem(no_key, 400).await;
    assert!(live(&f.space_id).await.is_empty());
}

/// Members racing weekly series (some all-or-nothing, some taking the free ones) and
/// single bookings for the same room: no two live bookings overlap, every series' one
/// payment asks Stripe for exactly its booked occurrences, and nothing refused stays.
#[tokio::test]
async fn racing_series_and_single_bookings_never_overlap() {
    let f = fixture_for(&open_around_the_clock("UTC"), &[0]).await;
    let room = f.items[0].clone();
    let first = day(8);
    let members = futures_util::future::join_all((0..8).map(|_| new_member())).await;
    let attempts = members.iter().enumerate().map(|(n, m)| {
        let room = room.clone();
        let first = first.clone();
        let token = m.access_token.clone();
        async move {
            // Overlapping hours on overlapping days: every attempt collides with another.
            let start = ts(&at(&first, "09:00")) + SignedDuration::from_mins(30 * (n as i64 % 3));
            let end = start + SignedDuration::from_mins(90);
            if n % 4 == 3 {
                let res = book(&token, &room, &start.to_string(), &end.to_string()).await;
                let status = res.status().as_u16();
                return (n, status, res.json().await.unwrap_or(Value::Null));
            }
            let body = json!({"bookable_item_id": room, "start_time": start, "end_time": end,
                              "rrule": format!("FREQ=DAILY;INTERVAL={};COUNT=4", 1 + n % 2),
                              "on_conflict": if n % 2 == 0 { "skip" } else { "refuse" }});
            let res = post_series(&token, &uuid::Uuid::new_v4().to_string(), &body).await;
            let status = res.status().as_u16();
            (n, status, res.json().await.unwrap_or(Value::Null))
        }
    });
    let results = futures_util::future::join_all(attempts).await;
    let mut won = 0;
    for (n, status, body) in &results {
        assert!([201, 409].contains(status), "attempt {n}: {status} {body}");
        won += usize::from(*status == 201);
        if *status == 201 && body["occurrences"].is_array() {
            let booked: i64 = body["occurrences"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|o| o["booking"]["price"]["total"].as_i64())
                .sum();
            assert_eq!(body["payment"]["amount"].as_i64(), Some(booked), "{body}");
            let intent = body["payment"]["stripe_payment_intent_id"]
                .as_str()
                .unwrap();
            assert_eq!(
                intent_at_stripe(intent).await["amount"].as_i64(),
                Some(booked)
            );
        }
    }
    assert!(won >= 1, "{results:?}");
    let live = live(&f.space_id).await;
    for (i, a) in live.iter().enumerate() {
        for b in &live[i + 1..] {
            assert!(a.3 <= b.2 || b.3 <= a.2, "overlap: {a:?} and {b:?}");
        }
    }
    // Each live booking is one a member was told about (a refused series left nothing).
    let mut told: Vec<&str> = Vec::new();
    for (_, status, body) in &results {
        if *status != 201 {
            continue;
        }
        match body["occurrences"].as_array() {
            Some(occ) => told.extend(occ.iter().filter_map(|o| o["booking"]["id"].as_str())),
            None => told.extend(body["id"].as_str()),
        }
    }
    for b in &live {
        assert!(told.contains(&b.0.as_str()), "an untold live booking {b:?}");
    }
    assert_eq!(live.len(), told.len(), "{live:?} vs {told:?}");
}
