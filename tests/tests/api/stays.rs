//! Day passes and long stays through the gateway against the real stand-ins: a day pass
//! and an hourly booking of one desk never both hold the same day, also when raced; a
//! month stay blocks the month and gives it back when cancelled; bad requests say which
//! field and rule. The checker reads the table, never the API.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use integration_tests::fixtures::*;
use integration_tests::*;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::{Value, json};

use crate::bookings::slot_items;

const ZONE: &str = "Asia/Kathmandu"; // +05:45: local days start at 18:15 UTC

/// A space open around the clock in `zone` with one desk sold by the hour, the day,
/// the week and the month.
async fn desk(zone: &str) -> Fixture {
    let f = fixture_for(&open_around_the_clock(zone), &[0]).await;
    let res = call(
        "PATCH",
        &format!("/spaces/{}/items/{}", f.space_id, f.items[0]),
        Some(&f.operator.access_token),
        Some(&json!({"stay_rates": {"day": 9000, "week": 40000, "month": 120000}})),
    )
    .await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    f
}

/// A local date of [`ZONE`] `offset` days after [`day`]'s.
fn local_day(offset: i64) -> Date {
    day(offset).parse().unwrap()
}

/// The instant of local `minute` after midnight of `date` in `zone`.
fn local(zone: &str, date: Date, minute: i64) -> String {
    let tz = TimeZone::get(zone).unwrap();
    let t =
        date.to_datetime(jiff::civil::Time::midnight()) + jiff::SignedDuration::from_mins(minute);
    tz.to_ambiguous_timestamp(t)
        .compatible()
        .unwrap()
        .to_string()
}

async fn book_stay(
    token: &str,
    item: &str,
    unit: &str,
    start: Date,
    quantity: u32,
) -> reqwest::Response {
    http()
        .post(format!("{}/bookings", env().base))
        .bearer_auth(token)
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(&json!({"bookable_item_id": item, "unit": unit,
                      "start_date": start.to_string(), "quantity": quantity}))
        .send()
        .await
        .unwrap()
}

/// The live bookings of a space as stored: (id, start, end, unit).
async fn live_bookings(space_id: &str) -> Vec<(String, Timestamp, Timestamp, String)> {
    let stored = crate::bookings::stored_bookings(space_id).await;
    let text = |i: &HashMap<String, AttributeValue>, k: &str| {
        i.get(k)
            .and_then(|v| v.as_s().ok())
            .cloned()
            .unwrap_or_default()
    };
    stored
        .iter()
        .filter(|i| ["pending", "confirmed"].contains(&text(i, "status").as_str()))
        .map(|i| {
            let unit = text(i, "unit");
            (
                text(i, "id"),
                ts(&text(i, "start_time")),
                ts(&text(i, "end_time")),
                if unit.is_empty() { "hour".into() } else { unit },
            )
        })
        .collect()
}

/// The lattice invariant read from the table: every whole claim belongs to a live booking
/// and lies inside it; the claims of each live booking tile its interval exactly; every
/// block a live booking marks as partly used carries its id; no two live bookings overlap.
async fn check_table(space_id: &str) -> Vec<(String, Timestamp, Timestamp, String)> {
    let live = live_bookings(space_id).await;
    for (i, a) in live.iter().enumerate() {
        for b in &live[i + 1..] {
            assert!(a.2 <= b.1 || b.2 <= a.1, "overlap: {a:?} and {b:?}");
        }
    }
    let items = slot_items(space_id).await;
    let mut covered: HashMap<&str, i64> = HashMap::new();
    let mut marks: HashMap<String, Vec<(Timestamp, i64)>> = HashMap::new();
    for item in &items {
        let start: Timestamp = item["SK"]
            .as_s()
            .unwrap()
            .split('#')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let minutes: i64 = item["minutes"].as_n().unwrap().parse().unwrap();
        if let Some(owner) = item.get("booking_id").and_then(|v| v.as_s().ok()) {
            let Some(b) = live.iter().find(|b| &b.0 == owner) else {
                continue; // an expired hold's claim, free for the next booking
            };
            let end = start + jiff::SignedDuration::from_mins(minutes);
            assert!(
                b.1 <= start && end <= b.2,
                "claim {start}+{minutes}m outside {b:?}"
            );
            *covered.entry(b.0.as_str()).or_default() += minutes;
        }
        if let Some(users) = item.get("users").and_then(|v| v.as_ss().ok()) {
            for u in users {
                marks.entry(u.clone()).or_default().push((start, minutes));
            }
        }
    }
    for b in &live {
        assert_eq!(
            covered.get(b.0.as_str()).copied().unwrap_or(0),
            (b.2 - b.1).as_mins(),
            "{b:?} claims its whole interval"
        );
        // No buffers here: the marks are exactly those of the cover of its interval.
        let blocks = domain::claims::cover(b.1, b.2);
        for block in domain::claims::intents(blocks) {
            let mark = (block.start, block.level.minutes() as i64);
            assert!(
                marks.get(&b.0).is_some_and(|m| m.contains(&mark)),
                "{b:?} marks {mark:?}"
            );
        }
    }
    live
}

/// Kathmandu's days start at a quarter past a UTC hour: a day pass and an hourly booking
/// meet mostly on cells and hours.
#[tokio::test]
async fn day_passes_and_hourly_bookings_never_share_a_day_even_raced_quarter_hour_zone() {
    race(ZONE).await;
}

/// Berlin's days start on a UTC hour: a day pass claims a whole UTC day, and hourly
/// bookings inside it only mark that day (the two-level check proper).
#[tokio::test]
async fn day_passes_and_hourly_bookings_never_share_a_day_even_raced_whole_hour_zone() {
    race("Europe/Berlin").await;
}

async fn race(zone: &str) {
    let f = desk(zone).await;
    let members: Vec<TestUser> =
        futures_util::future::join_all((0..16).map(|_| user_with_roles(&[]))).await;
    // The last day lies after the week stays' seven days (they start on days[2]), so the
    // hourly bookings there can win whoever takes the week.
    let days = [
        local_day(2),
        local_day(3),
        local_day(4),
        local_day(5),
        local_day(12),
    ];
    let mut rng: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    // 70 attempts at once. Three days mix day passes and hourly bookings in different
    // proportions (whoever commits first decides the day); one day only sees day passes
    // and two week stays starting that day, one (outside the week) only hourly bookings,
    // so both kinds win somewhere whatever the order.
    let mut attempts: Vec<Value> = Vec::new();
    let mix = [
        (days[0], 20, 4),
        (days[1], 6, 10),
        (days[2], 0, 10),
        (days[3], 8, 4),
        (days[4], 6, 0),
    ];
    for (d, hours, passes) in mix {
        for _ in 0..passes {
            attempts.push(json!({"unit": "day", "start_date": d.to_string()}));
        }
        for _ in 0..hours {
            let start = 30 * next(44) as i64;
            let len = 30 * (2 + next(6)) as i64;
            attempts
                .push(json!({"start_time": local(zone, d, start), "end_time": local(zone, d, start + len)}));
        }
    }
    for _ in 0..2 {
        attempts.push(json!({"unit": "week", "start_date": days[2].to_string()}));
    }
    assert_eq!(attempts.len(), 70);
    let mut tasks = tokio::task::JoinSet::new();
    for (i, mut body) in attempts.into_iter().enumerate() {
        body["bookable_item_id"] = json!(f.items[0]);
        let token = members[i % members.len()].access_token.clone();
        tasks.spawn(async move {
            let res = http()
                .post(format!("{}/bookings", env().base))
                .bearer_auth(&token)
                .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            (status, body, res.json::<Value>().await.unwrap())
        });
    }
    let (mut created, mut conflicts) = (Vec::new(), 0);
    while let Some(r) = tasks.join_next().await {
        let (status, asked, answer) = r.unwrap();
        match status {
            201 => created.push(answer),
            409 => {
                assert!(
                    answer["conflict"]["bookable_item_id"].is_string(),
                    "{answer}"
                );
                conflicts += 1;
            }
            other => panic!("unexpected {other} for {asked}: {answer}"),
        }
    }
    assert_eq!(created.len() + conflicts, 70);
    let live = check_table(&f.space_id).await;
    assert_eq!(
        live.len(),
        created.len(),
        "no refused attempt left a booking behind"
    );
    // Per local day: a day pass (or the week) alone, or hourly bookings only.
    let all_days =
        std::iter::successors(Some(days[0]), |d| d.tomorrow().ok()).take_while(|d| *d <= days[4]);
    for d in all_days {
        let (from, to) = (ts(&local(zone, d, 0)), ts(&local(zone, d, 24 * 60)));
        let on_day: Vec<_> = live.iter().filter(|b| b.1 < to && from < b.2).collect();
        let whole = on_day.iter().filter(|b| b.3 != "hour").count();
        assert!(
            whole == 0 || on_day.len() == 1,
            "{d}: a day pass shares its day: {on_day:?}"
        );
    }
    let passes = live.iter().filter(|b| b.3 != "hour").count();
    let hourly = live.len() - passes;
    assert!(
        passes >= 1 && hourly >= 1 && conflicts >= 20,
        "both kinds won somewhere and many lost ({passes} whole days, {hourly} hourly, {conflicts} refused)"
    );
}

#[tokio::test]
async fn a_month_stay_blocks_its_month_and_gives_it_back_when_cancelled() {
    let f = desk(ZONE).await;
    let member = user_with_roles(&[]).await;
    let first = local_day(1);
    let res = book_stay(&member.access_token, &f.items[0], "month", first, 1).await;
    assert_eq!(res.status(), 201);
    let stay: Value = res.json().await.unwrap();
    assert_eq!(stay["unit"], "month");
    assert_eq!(stay["price"]["total"], 120000);
    assert_eq!(stay["start_time"], json!(local(ZONE, first, 0)));
    let last_day: Date = first + jiff::Span::new().months(1);
    assert_eq!(stay["end_time"], json!(local(ZONE, last_day, 0)));
    check_table(&f.space_id).await;

    // An hour in the middle of the month and a day pass on its last day: both taken.
    let mid = local_day(15);
    let other = user_with_roles(&[]).await;
    let res = book(
        &other.access_token,
        &f.items[0],
        &local(ZONE, mid, 600),
        &local(ZONE, mid, 660),
    )
    .await;
    let problem = expect_problem(res, 409).await;
    assert_eq!(
        problem["conflict"]["taken"]["start_time"], stay["start_time"],
        "{problem}"
    );
    let last = last_day.yesterday().unwrap();
    let res = book_stay(&other.access_token, &f.items[0], "day", last, 1).await;
    expect_problem(res, 409).await;

    // Cancelled: the hour can be booked; then a day pass that day is refused (the hour
    // marks it), and once the hour is cancelled too, the day pass is accepted: every mark
    // was withdrawn.
    let id = stay["id"].as_str().unwrap();
    let res = call(
        "PUT",
        &format!("/bookings/{id}/cancel"),
        Some(&member.access_token),
        None,
    )
    .await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let res = book(
        &other.access_token,
        &f.items[0],
        &local(ZONE, mid, 600),
        &local(ZONE, mid, 660),
    )
    .await;
    assert_eq!(res.status(), 201);
    let hour: Value = res.json().await.unwrap();
    let res = book_stay(&member.access_token, &f.items[0], "day", mid, 1).await;
    let problem = expect_problem(res, 409).await;
    assert!(problem["detail"].is_string(), "{problem}");
    let hid = hour["id"].as_str().unwrap();
    let res = call(
        "PUT",
        &format!("/bookings/{hid}/cancel"),
        Some(&other.access_token),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let res = book_stay(&member.access_token, &f.items[0], "day", mid, 1).await;
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    check_table(&f.space_id).await;
}

#[tokio::test]
async fn stay_requests_name_the_field_and_the_rule() {
    let f = desk(ZONE).await;
    let member = user_with_roles(&[]).await;
    let item = &f.items[0];
    let post = |body: Value| {
        let token = member.access_token.clone();
        async move {
            http()
                .post(format!("{}/bookings", env().base))
                .bearer_auth(&token)
                .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let rule = |p: &Value| {
        format!(
            "{}:{}",
            p["errors"][0]["field"].as_str().unwrap_or(""),
            p["errors"][0]["rule"].as_str().unwrap_or("")
        )
    };
    let d = local_day(3).to_string();
    for (body, expected) in [
        (
            json!({"bookable_item_id": item, "unit": "day"}),
            "start_date:required",
        ),
        (
            json!({"bookable_item_id": item, "unit": "day", "start_date": "03/04/2027"}),
            "start_date:format",
        ),
        (
            json!({"bookable_item_id": item, "unit": "day", "start_date": d, "start_time": local(ZONE, local_day(3), 60)}),
            "start_time:unexpected",
        ),
        (
            json!({"bookable_item_id": item, "unit": "week", "start_date": d, "quantity": 5}),
            "quantity:range",
        ),
        (
            json!({"bookable_item_id": item, "start_date": d}),
            "start_date:unexpected",
        ),
        (
            json!({"bookable_item_id": item, "unit": "day", "start_date": "2020-01-01"}),
            "start_date:past",
        ),
    ] {
        let p = expect_problem(post(body.clone()).await, 400).await;
        assert_eq!(rule(&p), expected, "{body}: {p}");
    }
    // A room not sold by the day.
    let room = fixture_for(&open_around_the_clock(ZONE), &[0]).await;
    let res = book_stay(&member.access_token, &room.items[0], "day", local_day(3), 1).await;
    let p = expect_problem(res, 400).await;
    assert_eq!(rule(&p), "unit:not_offered", "{p}");
    assert!(
        live_bookings(&f.space_id).await.is_empty(),
        "nothing was written"
    );
}

/// A hold that ran out still marks its hour and day until expiry withdraws the marks: the
/// next booking those marks were in the way of expires it in passing and gets the time at
/// once (no waiting for the scheduler).
#[tokio::test]
async fn a_run_out_hold_in_the_way_of_a_whole_hour_is_expired_in_passing() {
    let f = fixture("Etc/UTC", &[0]).await;
    let (a, b) = (user_with_roles(&[]).await, user_with_roles(&[]).await);
    let date = day(7);
    let res = book(
        &a.access_token,
        &f.items[0],
        &at(&date, "10:00"),
        &at(&date, "10:30"),
    )
    .await;
    assert_eq!(res.status(), 201);
    let held: Value = res.json().await.unwrap();
    let id = held["id"].as_str().unwrap();
    let (ten, eleven) = (at(&date, "10:00"), at(&date, "11:00"));
    let whole_hour = || book(&b.access_token, &f.items[0], &ten, &eleven);
    expect_problem(whole_hour().await, 409).await;
    crate::payments::expire_hold(id, &f.space_id).await;
    let res = whole_hour().await;
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    assert_eq!(booking_view(id, &a.access_token).await["status"], "expired");
    check_table(&f.space_id).await;
}
