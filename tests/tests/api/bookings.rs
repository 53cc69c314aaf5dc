//! The booking engine through the gateway against the real stand-ins: double booking is
//! impossible under concurrency, holds expire at once, DST days place and price correctly,
//! and bad input writes nothing.

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::types::AttributeValue;
use domain::role::Role;
use integration_tests::fixtures::*;
use integration_tests::*;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

/// Every booking of a space, read from the table directly (GSI2), never through the API.
pub(crate) async fn stored_bookings(space_id: &str) -> Vec<HashMap<String, AttributeValue>> {
    let aws = aws().await;
    let mut out = Vec::new();
    let mut start = None;
    loop {
        let page = aws
            .dynamodb()
            .query()
            .table_name(&aws.config().table_name)
            .index_name("GSI2")
            .key_condition_expression("GSI2PK = :pk")
            .expression_attribute_values(
                ":pk",
                AttributeValue::S(format!("SPACEBOOKINGS#{space_id}")),
            )
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        out.extend(page.items.unwrap_or_default());
        start = page.last_evaluated_key;
        if start.is_none() {
            return out;
        }
    }
}

/// Every item of a space's slot partitions, read from the table directly.
pub(crate) async fn slot_items(space_id: &str) -> Vec<HashMap<String, AttributeValue>> {
    let aws = aws().await;
    let mut out = Vec::new();
    let mut start = None;
    loop {
        let page = aws
            .dynamodb()
            .scan()
            .table_name(&aws.config().table_name)
            .filter_expression("begins_with(PK, :p)")
            .expression_attribute_values(":p", AttributeValue::S(format!("SLOTS#{space_id}#")))
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        out.extend(page.items.unwrap_or_default());
        start = page.last_evaluated_key;
        if start.is_none() {
            return out;
        }
    }
}

/// Every block of a space's lattice claimed whole by a booking (`domain::claims`).
pub(crate) async fn stored_slots(space_id: &str) -> Vec<HashMap<String, AttributeValue>> {
    let mut items = slot_items(space_id).await;
    items.retain(|i| i.contains_key("booking_id"));
    items
}

/// Every block some booking marks as partly used, with the bookings marking it.
pub(crate) async fn stored_marks(space_id: &str) -> Vec<(String, Vec<String>)> {
    slot_items(space_id)
        .await
        .into_iter()
        .filter_map(|i| {
            let users = i.get("users")?.as_ss().ok()?.clone();
            Some((i["SK"].as_s().unwrap().clone(), users))
        })
        .filter(|(_, users)| !users.is_empty())
        .collect()
}

/// Minutes the claims cover (a cell 15, an hour 60, a day 1440).
pub(crate) fn claimed_minutes(slots: &[HashMap<String, AttributeValue>]) -> i64 {
    slots
        .iter()
        .map(|s| s["minutes"].as_n().unwrap().parse::<i64>().unwrap())
        .sum()
}

/// Nothing claimed and nothing marked: every claim and mark was released.
pub(crate) async fn assert_nothing_claimed(space_id: &str, what: &str) {
    assert!(
        stored_slots(space_id).await.is_empty(),
        "{what}: claims left"
    );
    assert!(
        stored_marks(space_id).await.is_empty(),
        "{what}: marks left"
    );
}

pub(crate) fn text<'a>(item: &'a HashMap<String, AttributeValue>, k: &str) -> &'a str {
    item[k].as_s().unwrap()
}

#[tokio::test]
async fn fifty_concurrent_overlapping_requests_make_exactly_one_booking() {
    let f = fixture("Etc/UTC", &[0]).await;
    let members: Vec<TestUser> = futures_join(4, || user_with_roles(&[])).await;
    let date = day(1);
    // Every request covers 10:30-11:00; starts and ends vary.
    let starts = ["09:00", "09:30", "10:00", "10:30"];
    let ends = ["11:00", "11:30", "12:00"];
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        let token = members[i % members.len()].access_token.clone();
        let item = f.items[0].clone();
        let (s, e) = (
            at(&date, starts[i % starts.len()]),
            at(&date, ends[(i / 4) % ends.len()]),
        );
        tasks.spawn(async move {
            let res = book(&token, &item, &s, &e).await;
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap())
        });
    }
    let mut created = Vec::new();
    let mut conflicts = 0;
    while let Some(r) = tasks.join_next().await {
        let (status, body) = r.unwrap();
        match status {
            201 => created.push(body),
            409 => {
                assert!(body["conflict"]["bookable_item_id"].is_string(), "{body}");
                conflicts += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(created.len(), 1, "exactly one booking wins");
    assert_eq!(conflicts, 49);
    let stored = stored_bookings(&f.space_id).await;
    assert_eq!(stored.len(), 1, "no 409 left a booking behind");
    let winner = &created[0];
    let slots = stored_slots(&f.space_id).await;
    assert!(
        slots
            .iter()
            .all(|s| text(s, "booking_id") == winner["id"].as_str().unwrap())
    );
    let expected_minutes = (ts(winner["end_time"].as_str().unwrap())
        - ts(winner["start_time"].as_str().unwrap()))
    .as_mins();
    assert_eq!(
        claimed_minutes(&slots),
        expected_minutes,
        "no 409 left a slot claim behind"
    );
    let winner_id = winner["id"].as_str().unwrap();
    assert!(
        stored_marks(&f.space_id)
            .await
            .iter()
            .all(|(_, users)| users == &[winner_id.to_string()]),
        "no 409 left a mark behind"
    );
}

/// Runs `n` copies of `make` concurrently.
async fn futures_join<F, Fut, T>(n: usize, make: F) -> Vec<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    futures_util::future::join_all((0..n).map(|_| make())).await
}

#[tokio::test]
async fn randomized_concurrent_bookings_never_overlap() {
    // Three items (one with a 30-minute buffer), 16 clients, 512 attempts over two days.
    let f = fixture("Etc/UTC", &[0, 0, 30]).await;
    let members: Vec<TestUser> = futures_join(4, || user_with_roles(&[])).await;
    let dates = [day(2), day(3)];
    let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut attempts = Vec::new();
    for _ in 0..512 {
        let item = f.items[(next() % 3) as usize].clone();
        let date = &dates[(next() % 2) as usize];
        let len = 1 + next() % 6; // 30 min .. 3 h
        let start_slot = 14 + next() % (42 - 14 - len + 1); // from 07:00, ending by 21:00
        let minute = |slot: u64| format!("{:02}:{:02}", slot / 2, (slot % 2) * 30);
        attempts.push((
            item,
            at(date, &minute(start_slot)),
            at(date, &minute(start_slot + len)),
        ));
    }
    let attempts = std::sync::Arc::new(attempts);
    let cursor = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut clients = tokio::task::JoinSet::new();
    for c in 0..16 {
        let (attempts, cursor) = (attempts.clone(), cursor.clone());
        let token = members[c % members.len()].access_token.clone();
        clients.spawn(async move {
            let mut results = Vec::new();
            loop {
                let i = cursor.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some((item, s, e)) = attempts.get(i) else {
                    return results;
                };
                let res = book(&token, item, s, e).await;
                let status = res.status().as_u16();
                let body: Value = res.json().await.unwrap();
                results.push((status, body));
            }
        });
    }
    let mut created: HashSet<String> = HashSet::new();
    let (mut ok, mut conflict) = (0, 0);
    while let Some(r) = clients.join_next().await {
        for (status, body) in r.unwrap() {
            match status {
                201 => {
                    ok += 1;
                    created.insert(body["id"].as_str().unwrap().to_string());
                }
                409 => conflict += 1,
                other => panic!("unexpected {other}: {body}"),
            }
        }
    }
    assert_eq!(ok + conflict, 512);
    assert!(
        ok > 10 && conflict > 10,
        "the run exercised both outcomes ({ok} created, {conflict} refused)"
    );

    // The checker reads the table itself.
    let stored = stored_bookings(&f.space_id).await;
    let stored_ids: HashSet<String> = stored.iter().map(|b| text(b, "id").to_string()).collect();
    assert_eq!(
        stored_ids, created,
        "every 201 is stored, and nothing else is"
    );
    let mut by_item: HashMap<&str, Vec<(Timestamp, Timestamp)>> = HashMap::new();
    for b in &stored {
        assert_eq!(text(b, "status"), "pending");
        by_item
            .entry(text(b, "bookable_item_id"))
            .or_default()
            .push((ts(text(b, "start_time")), ts(text(b, "end_time"))));
    }
    for (item, mut intervals) in by_item {
        intervals.sort();
        let buffer = if item == f.items[2] {
            SignedDuration::from_mins(30)
        } else {
            SignedDuration::ZERO
        };
        for w in intervals.windows(2) {
            assert!(
                w[0].1 + buffer <= w[1].0,
                "overlap on {item}: {:?} and {:?}",
                w[0],
                w[1]
            );
        }
    }
    let slots = stored_slots(&f.space_id).await;
    for s in &slots {
        assert!(
            created.contains(text(s, "booking_id")),
            "a slot claim belongs to a refused request"
        );
    }
    let claimed: usize = stored
        .iter()
        .map(|b| b["slots"].as_l().unwrap().len())
        .sum();
    assert_eq!(
        slots.len(),
        claimed,
        "slot claims are exactly those of the stored bookings"
    );
}

#[tokio::test]
async fn back_to_back_bookings_are_accepted_and_buffers_are_kept() {
    let f = fixture("Etc/UTC", &[0, 30]).await;
    let member = user_with_roles(&[]).await;
    let date = day(4);
    let t = &member.access_token;
    assert_eq!(
        book(t, &f.items[0], &at(&date, "09:00"), &at(&date, "10:00"))
            .await
            .status(),
        201
    );
    assert_eq!(
        book(t, &f.items[0], &at(&date, "10:00"), &at(&date, "11:00"))
            .await
            .status(),
        201
    );
    assert_eq!(
        book(t, &f.items[0], &at(&date, "08:00"), &at(&date, "09:00"))
            .await
            .status(),
        201
    );

    // With a 30-minute buffer the next booking may start only after it. (Another member:
    // each member may hold only a few unpaid bookings at once.)
    let other = user_with_roles(&[]).await;
    let t = &other.access_token;
    assert_eq!(
        book(t, &f.items[1], &at(&date, "09:00"), &at(&date, "10:00"))
            .await
            .status(),
        201
    );
    let p = expect_problem(
        book(t, &f.items[1], &at(&date, "10:00"), &at(&date, "11:00")).await,
        409,
    )
    .await;
    assert_eq!(p["conflict"]["kind"], "buffer");
    assert_eq!(p["conflict"]["taken"]["start_time"], at(&date, "09:00"));
    assert_eq!(p["conflict"]["taken"]["end_time"], at(&date, "10:00"));
    assert_eq!(
        book(t, &f.items[1], &at(&date, "10:30"), &at(&date, "11:00"))
            .await
            .status(),
        201
    );
    // And a booking right before one keeps its own buffer free too.
    let p = expect_problem(
        book(t, &f.items[1], &at(&date, "08:00"), &at(&date, "09:00")).await,
        409,
    )
    .await;
    assert_eq!(p["conflict"]["slot_start"], at(&date, "09:00"));
}

#[tokio::test]
async fn dst_change_days_are_placed_and_priced_in_local_time() {
    let member = user_with_roles(&[]).await;
    // 2027-03-28: Berlin springs forward (UTC+1 -> UTC+2). 09:00-10:00 local is 07:00Z-08:00Z.
    let berlin = fixture("Europe/Berlin", &[0]).await;
    let res = book(
        &member.access_token,
        &berlin.items[0],
        "2027-03-28T07:00:00Z",
        "2027-03-28T08:00:00Z",
    )
    .await;
    assert_eq!(res.status(), 201);
    let b: Value = res.json().await.unwrap();
    assert_eq!(b["time_zone"], "Europe/Berlin");
    assert_eq!(
        b["price"]["total"], 3000,
        "09:00-10:00 local is peak: 1.5 x 20.00"
    );
    // 07:00Z the day before is 08:00 local: not peak.
    let res = book(
        &member.access_token,
        &berlin.items[0],
        "2027-03-27T07:00:00Z",
        "2027-03-27T08:00:00Z",
    )
    .await;
    assert_eq!(res.json::<Value>().await.unwrap()["price"]["total"], 2000);
    // 06:00-07:00 local on the change day (04:00Z) is before opening.
    let p = expect_problem(
        book(
            &member.access_token,
            &berlin.items[0],
            "2027-03-28T04:00:00Z",
            "2027-03-28T05:00:00Z",
        )
        .await,
        400,
    )
    .await;
    assert_eq!(p["errors"][0]["rule"], "opening_hours");

    // 2027-11-07: New York falls back (UTC-4 -> UTC-5). 09:00-10:00 local is 14:00Z-15:00Z.
    let ny = fixture("America/New_York", &[0]).await;
    let res = book(
        &member.access_token,
        &ny.items[0],
        "2027-11-07T14:00:00Z",
        "2027-11-07T15:00:00Z",
    )
    .await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.json::<Value>().await.unwrap()["price"]["total"], 3000);
    // The same UTC hour the day before is 10:00 local: still peak; 16:00Z is 12:00 then.
    let res = book(
        &member.access_token,
        &ny.items[0],
        "2027-11-06T16:00:00Z",
        "2027-11-06T17:00:00Z",
    )
    .await;
    assert_eq!(res.json::<Value>().await.unwrap()["price"]["total"], 2000);

    // Availability on the change day: the evening before (07:00-21:00 EDT) ends at 01:00Z;
    // the change day opens 07:00-21:00 EST = 12:00Z-02:00Z (next day), minus the booking.
    let res = call(
        "GET",
        &format!(
            "/spaces/{}/availability?from=2027-11-07T00:00:00Z&to=2027-11-08T05:00:00Z",
            ny.space_id
        ),
        None,
        None,
    )
    .await;
    let a: Value = res.json().await.unwrap();
    let free = &a["items"][0]["free"];
    assert_eq!(
        free,
        &json!([
            {"start_time": "2027-11-07T00:00:00Z", "end_time": "2027-11-07T01:00:00Z"},
            {"start_time": "2027-11-07T12:00:00Z", "end_time": "2027-11-07T14:00:00Z"},
            {"start_time": "2027-11-07T15:00:00Z", "end_time": "2027-11-08T02:00:00Z"}
        ])
    );
}

#[tokio::test]
async fn bad_input_is_refused_and_writes_nothing() {
    let f = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[]).await;
    let t = &member.access_token;
    let date = day(5);
    let item = &f.items[0];
    let cases = [
        (at(&date, "10:00"), at(&date, "09:00"), "end_time", "order"),
        (at(&date, "10:10"), at(&date, "11:00"), "start_time", "grid"),
        (
            at(&date, "07:00"),
            at(&date, "16:00"),
            "end_time",
            "duration",
        ),
        (
            "2020-01-01T10:00:00Z".to_string(),
            "2020-01-01T11:00:00Z".to_string(),
            "start_time",
            "past",
        ),
        (
            at(&date, "05:00"),
            at(&date, "06:00"),
            "start_time",
            "opening_hours",
        ),
    ];
    for (s, e, field, rule) in cases {
        let p = expect_problem(book(t, item, &s, &e).await, 400).await;
        assert_eq!(
            (
                p["errors"][0]["field"].as_str(),
                p["errors"][0]["rule"].as_str()
            ),
            (Some(field), Some(rule)),
            "{p}"
        );
    }
    expect_problem(
        book(
            t,
            &uuid::Uuid::new_v4().to_string(),
            &at(&date, "09:00"),
            &at(&date, "10:00"),
        )
        .await,
        404,
    )
    .await;
    for body in [
        "{\"bookable_item_id\":",
        "{\"bookable_item_id\": 5, \"start_time\": \"x\", \"end_time\": \"y\"}",
        "{\"bookable_item_id\": \"a\", \"start_time\": \"not a time\", \"end_time\": \"2027-01-01T00:00:00Z\"}",
    ] {
        let res = http()
            .post(format!("{}/bookings", env().base))
            .bearer_auth(t)
            .header("idempotency-key", uuid::Uuid::new_v4().to_string())
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        expect_problem(res, 400).await;
    }
    let res = http()
        .post(format!("{}/bookings", env().base))
        .bearer_auth(t)
        .json(&json!({"bookable_item_id": item, "start_time": at(&date, "09:00"), "end_time": at(&date, "10:00")}))
        .send()
        .await
        .unwrap();
    let p = expect_problem(res, 400).await;
    assert_eq!(p["errors"][0]["field"], "Idempotency-Key");
    expect_problem(
        call(
            "POST",
            "/bookings",
            None,
            Some(&json!({"bookable_item_id": item})),
        )
        .await,
        401,
    )
    .await;
    assert!(stored_bookings(&f.space_id).await.is_empty());
    assert_nothing_claimed(&f.space_id, "bad input").await;
}

#[tokio::test]
async fn idempotency_key_replays_the_same_booking() {
    let f = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[]).await;
    let date = day(6);
    let key = uuid::Uuid::new_v4().to_string();
    let first = book_with_key(
        &member.access_token,
        &f.items[0],
        &at(&date, "09:00"),
        &at(&date, "10:00"),
        &key,
    )
    .await;
    assert_eq!(first.status(), 201);
    let location = first.headers()["location"].to_str().unwrap().to_string();
    let first: Value = first.json().await.unwrap();
    assert_eq!(
        location,
        format!("/bookings/{}", first["id"].as_str().unwrap())
    );
    let again = book_with_key(
        &member.access_token,
        &f.items[0],
        &at(&date, "09:00"),
        &at(&date, "10:00"),
        &key,
    )
    .await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    let other = book_with_key(
        &member.access_token,
        &f.items[0],
        &at(&date, "11:00"),
        &at(&date, "12:00"),
        &key,
    )
    .await;
    expect_problem(other, 422).await;
    // Keys are per user: another member's identical key is a separate request.
    let someone = user_with_roles(&[]).await;
    let res = book_with_key(
        &someone.access_token,
        &f.items[0],
        &at(&date, "11:00"),
        &at(&date, "12:00"),
        &key,
    )
    .await;
    assert_eq!(res.status(), 201);
    assert_eq!(stored_bookings(&f.space_id).await.len(), 2);
}

#[tokio::test]
async fn expired_hold_is_free_at_once_and_cannot_be_confirmed() {
    use app::ports::bookings::{BookingStore, TransitionError};
    use aws::dynamo::DynamoStore;

    let f = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[]).await;
    let date = day(7);
    let store = DynamoStore::from_context(&aws().await);
    // A pending booking whose hold runs out in two seconds, written by the same store code.
    let (start, end) = (ts(&at(&date, "09:00")), ts(&at(&date, "10:00")));
    let old = stored_booking(
        &f,
        &member.id,
        (start, end),
        Timestamp::now(),
        false,
        SignedDuration::from_secs(2),
    )
    .await;
    // While the hold lasts the time is taken.
    let p = expect_problem(
        book(
            &member.access_token,
            &f.items[0],
            &at(&date, "09:30"),
            &at(&date, "10:30"),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p["conflict"]["taken"]["start_time"], at(&date, "09:00"));

    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    // Expired: free at once (no TTL, no sweeper needed), in availability and for booking.
    let res = call(
        "GET",
        &format!(
            "/spaces/{}/availability?from={}&to={}",
            f.space_id,
            at(&date, "00:00"),
            at(&day(8), "00:00")
        ),
        None,
        None,
    )
    .await;
    let a: Value = res.json().await.unwrap();
    assert_eq!(a["items"][0]["free"][0]["start_time"], at(&date, "07:00"));
    assert_eq!(a["items"][0]["free"][0]["end_time"], at(&date, "21:00"));
    let res = book(
        &member.access_token,
        &f.items[0],
        &at(&date, "09:30"),
        &at(&date, "10:30"),
    )
    .await;
    assert_eq!(res.status(), 201);
    let new: Value = res.json().await.unwrap();
    // The old booking shows as expired; its late payment cannot take its time back.
    let old_view: Value = get_with_token(&format!("/bookings/{}", old.id), &member.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(old_view["status"], "expired");
    let reclaim = payment_decision(&store, &old.id).await;
    assert_eq!(reclaim.claims, domain::lifecycle::ClaimChange::Reclaim);
    assert!(matches!(
        store.apply(&reclaim).await,
        Err(TransitionError::ReclaimRefused)
    ));
    // The new owner keeps the time, and is confirmed by its payment.
    let confirm = payment_decision(&store, new["id"].as_str().unwrap()).await;
    assert_eq!(confirm.claims, domain::lifecycle::ClaimChange::Book);
    store.apply(&confirm).await.unwrap();
    let view = booking_view(new["id"].as_str().unwrap(), &member.access_token).await;
    assert_eq!(view["status"], "confirmed");
}

/// What the payment webhook decides for the booking's intent succeeding now.
async fn payment_decision(
    store: &aws::dynamo::DynamoStore,
    id: &str,
) -> domain::lifecycle::Effects {
    use app::ports::bookings::BookingStore;
    use domain::lifecycle::{Decision, payment_succeeded};
    let (b, p) = store.get_booking_with_payment(id).await.unwrap().unwrap();
    let p = p.expect("a booking with a payment");
    let event = format!("evt_test_{}", uuid::Uuid::new_v4().simple());
    match payment_succeeded(
        &b,
        Some(&p),
        (p.amount, &p.currency),
        &event,
        Timestamp::now(),
    ) {
        Decision::Apply(e) => *e,
        Decision::Ignore(why) => panic!("{why}"),
    }
}

#[tokio::test]
async fn cancel_releases_slots_and_only_the_right_people_see_bookings() {
    let f = fixture("Etc/UTC", &[30]).await;
    let member = user_with_roles(&[]).await;
    let stranger = user_with_roles(&[]).await;
    let admin = user_with_roles(&[Role::Admin]).await;
    let date = day(8);
    let res = book(
        &member.access_token,
        &f.items[0],
        &at(&date, "09:00"),
        &at(&date, "10:00"),
    )
    .await;
    let b: Value = res.json().await.unwrap();
    let path = format!("/bookings/{}", b["id"].as_str().unwrap());
    assert_eq!(
        get_with_token(&path, &member.access_token).await.status(),
        200
    );
    assert_eq!(
        get_with_token(&path, &f.operator.access_token)
            .await
            .status(),
        200,
        "the space's operator"
    );
    assert_eq!(
        get_with_token(&path, &admin.access_token).await.status(),
        200
    );
    expect_problem(get_with_token(&path, &stranger.access_token).await, 404).await;
    let other_operator = user_with_roles(&[Role::Operator]).await;
    expect_problem(
        get_with_token(&path, &other_operator.access_token).await,
        404,
    )
    .await;

    // Space and item deletion are refused while the booking is upcoming.
    let space_path = format!("/spaces/{}", f.space_id);
    let p = expect_problem(
        call("DELETE", &space_path, Some(&f.operator.access_token), None).await,
        409,
    )
    .await;
    assert_eq!(p["conflict"]["reason"], "upcoming_bookings");
    assert_eq!(
        call("GET", &space_path, None, None).await.status(),
        200,
        "the space was restored"
    );
    let item_path = format!("{space_path}/items/{}", f.items[0]);
    expect_problem(
        call("DELETE", &item_path, Some(&f.operator.access_token), None).await,
        409,
    )
    .await;

    let cancel = format!("{path}/cancel");
    expect_problem(
        call("PUT", &cancel, Some(&stranger.access_token), None).await,
        404,
    )
    .await;
    let res = call("PUT", &cancel, Some(&member.access_token), None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "cancelled");
    let res = call("PUT", &cancel, Some(&member.access_token), None).await;
    assert_eq!(res.status(), 200, "cancelling twice is harmless");
    assert_nothing_claimed(&f.space_id, "all slots, buffer included, released").await;
    // The same interval can be booked again, and now the space can go.
    assert_eq!(
        book(
            &stranger.access_token,
            &f.items[0],
            &at(&date, "09:00"),
            &at(&date, "10:00")
        )
        .await
        .status(),
        201
    );
}

#[tokio::test]
async fn listing_filters_and_pages() {
    let f = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[]).await;
    for (i, h) in ["09:00", "11:00", "13:00"].iter().enumerate() {
        let end = format!("{:02}:00", 10 + 2 * i);
        assert_eq!(
            book(
                &member.access_token,
                &f.items[0],
                &at(&day(9), h),
                &at(&day(9), &end)
            )
            .await
            .status(),
            201
        );
    }
    let path = format!("/users/{}/bookings?when=upcoming&limit=2", member.id);
    let page: Value = get_with_token(&path, &member.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        page["items"][0]["start_time"],
        at(&day(9), "09:00"),
        "soonest first"
    );
    let cursor = page["next_cursor"].as_str().unwrap();
    let page2: Value = get_with_token(&format!("{path}&cursor={cursor}"), &member.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page2["items"].as_array().unwrap().len(), 1);
    assert_eq!(page2["items"][0]["start_time"], at(&day(9), "13:00"));
    assert!(page2.get("next_cursor").is_none());

    let past: Value = get_with_token(
        &format!("/users/{}/bookings?when=past", member.id),
        &member.access_token,
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(past["items"].as_array().unwrap().is_empty());
    let pending: Value = get_with_token(
        &format!("/users/{}/bookings?status=pending", member.id),
        &member.access_token,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(pending["items"].as_array().unwrap().len(), 3);

    let stranger = user_with_roles(&[]).await;
    expect_problem(
        get_with_token(
            &format!("/users/{}/bookings", member.id),
            &stranger.access_token,
        )
        .await,
        403,
    )
    .await;
    let p = expect_problem(
        get_with_token(&format!("{path}&cursor=bogus"), &member.access_token).await,
        400,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "cursor");
    // A cursor from another user's list is refused, not followed.
    let other = user_with_roles(&[]).await;
    let foreign = format!("/users/{}/bookings?cursor={cursor}", other.id);
    expect_problem(get_with_token(&foreign, &other.access_token).await, 400).await;
    let p = expect_problem(
        get_with_token(&format!("{path}&status=maybe"), &member.access_token).await,
        400,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "status");
}

#[tokio::test]
async fn availability_rules() {
    let f = fixture("Etc/UTC", &[0, 0]).await;
    let member = user_with_roles(&[]).await;
    let date = day(10);
    book(
        &member.access_token,
        &f.items[0],
        &at(&date, "09:00"),
        &at(&date, "10:00"),
    )
    .await;
    let base = format!("/spaces/{}/availability", f.space_id);
    let q = format!(
        "{base}?from={}&to={}",
        at(&date, "00:00"),
        at(&day(11), "00:00")
    );
    let a: Value = call("GET", &q, None, None).await.json().await.unwrap();
    let items = a["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let booked = items
        .iter()
        .find(|i| i["item_id"] == f.items[0].as_str())
        .unwrap();
    assert_eq!(
        booked["free"],
        json!([
            {"start_time": at(&date, "07:00"), "end_time": at(&date, "09:00")},
            {"start_time": at(&date, "10:00"), "end_time": at(&date, "21:00")}
        ])
    );
    let one: Value = call("GET", &format!("{q}&item={}", f.items[1]), None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["items"].as_array().unwrap().len(), 1);
    let none: Value = call("GET", &format!("{q}&type=desk"), None, None)
        .await
        .json()
        .await
        .unwrap();
    assert!(none["items"].as_array().unwrap().is_empty());

    let too_long = format!(
        "{base}?from={}&to={}",
        at(&date, "00:00"),
        at(&day(43), "00:00")
    );
    let p = expect_problem(call("GET", &too_long, None, None).await, 400).await;
    assert_eq!(p["errors"][0]["rule"], "max_range");
    let p = expect_problem(
        call(
            "GET",
            &format!("{base}?from={}", at(&date, "00:00")),
            None,
            None,
        )
        .await,
        400,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "to");
    expect_problem(
        call("GET", &format!("{q}&type=sofa"), None, None).await,
        400,
    )
    .await;
    let missing = format!(
        "/spaces/{}/availability?from={}&to={}",
        uuid::Uuid::new_v4(),
        at(&date, "00:00"),
        at(&day(11), "00:00")
    );
    expect_problem(call("GET", &missing, None, None).await, 404).await;
}

#[tokio::test]
async fn a_member_holds_at_most_five_unpaid_bookings_at_once() {
    let f = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[]).await;
    let t = &member.access_token;
    let date = day(9);
    let mut ids = Vec::new();
    for hour in 8..13 {
        let res = book(
            t,
            &f.items[0],
            &at(&date, &format!("{hour:02}:00")),
            &at(&date, &format!("{hour:02}:30")),
        )
        .await;
        assert_eq!(res.status(), 201);
        ids.push(
            res.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let (start, end) = (at(&date, "15:00"), at(&date, "15:30"));
    let claims = stored_slots(&f.space_id).await.len();
    let p = expect_problem(book(t, &f.items[0], &start, &end).await, 409).await;
    assert_eq!(p["conflict"]["active_holds_limit"], 5, "{p}");
    assert_eq!(
        stored_slots(&f.space_id).await.len(),
        claims,
        "the refusal wrote nothing"
    );
    // Another member is not affected.
    let other = user_with_roles(&[]).await;
    assert_eq!(
        book(&other.access_token, &f.items[0], &start, &end)
            .await
            .status(),
        201
    );
    // Cancelling a hold gives its place back.
    let res = call(
        "PUT",
        &format!("/bookings/{}/cancel", ids[0]),
        Some(t),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let res = book(t, &f.items[0], &at(&date, "16:00"), &at(&date, "16:30")).await;
    assert_eq!(res.status(), 201);
}

/// Accounts cost nothing to make, so a brand-new one holds a single unpaid booking at once
/// during its first day: a burst of fresh accounts cannot keep a space's inventory held.
/// A paid booking is not a hold, and the refusal writes nothing.
#[tokio::test]
async fn a_brand_new_account_holds_one_unpaid_booking_at_once() {
    let f = fixture("Etc/UTC", &[0]).await;
    let fresh = new_member().await;
    let t = &fresh.access_token;
    let date = day(11);
    let first = book(t, &f.items[0], &at(&date, "08:00"), &at(&date, "09:00")).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let claims = stored_slots(&f.space_id).await.len();
    let p = expect_problem(
        book(t, &f.items[0], &at(&date, "10:00"), &at(&date, "11:00")).await,
        409,
    )
    .await;
    assert_eq!(p["conflict"]["active_holds_limit"], 1, "{p}");
    assert_eq!(p["conflict"]["new_account"], true, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("new account"), "{p}");
    assert_eq!(
        stored_slots(&f.space_id).await.len(),
        claims,
        "the refusal wrote nothing"
    );
    // Paying the hold frees the place: the next one is accepted.
    let paid = pay(
        first["payment"]["stripe_payment_intent_id"]
            .as_str()
            .unwrap(),
        CARD_OK,
    )
    .await;
    assert_eq!(paid, 200);
    wait_for_status(first["id"].as_str().unwrap(), t, "confirmed").await;
    let res = book(t, &f.items[0], &at(&date, "10:00"), &at(&date, "11:00")).await;
    assert_eq!(res.status(), 201);
}
