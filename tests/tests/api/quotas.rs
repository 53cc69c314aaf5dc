//! Quotas through the gateway against the real stand-ins: a space's limits on each member
//! (bookings per day, hours per week, days ahead) hold under concurrent requests, are
//! counted in the booking's own transaction (the checker reads the counter), answer a 409
//! naming the quota, and come back when a booking is cancelled.

use aws_sdk_dynamodb::types::AttributeValue;
use integration_tests::fixtures::*;
use integration_tests::*;
use jiff::civil::{Date, Weekday};
use serde_json::{Value, json};

/// The member's counter as stored (0 when absent).
async fn counter(user_id: &str, counter: &str) -> i64 {
    let aws = aws().await;
    let out = aws
        .dynamodb()
        .get_item()
        .table_name(&aws.config().table_name)
        .key("PK", AttributeValue::S(format!("USER#{user_id}")))
        .key("SK", AttributeValue::S(format!("QUOTA#{counter}")))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    out.item
        .and_then(|i| i.get("used")?.as_n().ok()?.parse().ok())
        .unwrap_or(0)
}

/// Books `item` on `date` from `from` to `to` (UTC space: local = UTC).
async fn book_on(token: &str, item: &str, date: &str, from: &str, to: &str) -> reqwest::Response {
    book(token, item, &at(date, from), &at(date, to)).await
}

/// Replaces the space's quotas as its operator.
async fn set_quotas(f: &Fixture, quotas: Value) -> reqwest::Response {
    call(
        "PATCH",
        &format!("/spaces/{}", f.space_id),
        Some(&f.operator.access_token),
        Some(&json!({ "quotas": quotas })),
    )
    .await
}

/// A Monday a month or so ahead (UTC space: local = UTC).
fn monday() -> Date {
    let mut d: Date = day(0).parse().unwrap();
    while d.weekday() != Weekday::Monday {
        d = d.tomorrow().unwrap();
    }
    d
}

#[tokio::test]
async fn quotas_hold_under_concurrency_name_themselves_and_come_back() {
    let f = fixture("Etc/UTC", &[0, 0]).await;
    let res = set_quotas(&f, json!({"bookings_per_day": 2, "hours_per_week": 3})).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let member = user_with_roles(&[]).await;
    let mon = monday().to_string();

    // Eight one-hour requests at once, on distinct slots: exactly two get through.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let (token, item) = (member.access_token.clone(), f.items[i % 2].clone());
        let (s, e) = (
            at(&mon, &format!("{:02}:00", 8 + i)),
            at(&mon, &format!("{:02}:00", 9 + i)),
        );
        tasks.spawn(async move {
            let res = book(&token, &item, &s, &e).await;
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        });
    }
    let (mut made, mut refused) = (Vec::new(), 0);
    while let Some(r) = tasks.join_next().await {
        let (status, body) = r.unwrap();
        match status {
            201 => made.push(body),
            409 => {
                assert_eq!(
                    body["conflict"]["quota"], "space.bookings_per_day",
                    "{body}"
                );
                assert_eq!(body["conflict"]["limit"], 2, "{body}");
                assert!(
                    body["detail"]
                        .as_str()
                        .unwrap()
                        .contains("2 bookings per day")
                );
                refused += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((made.len(), refused), (2, 6));
    let day_counter = format!("S#{}#bookings_per_day#{mon}", f.space_id);
    assert_eq!(counter(&member.id, &day_counter).await, 2);

    // Two hours used this week: a two-hour booking on Tuesday passes the weekly three.
    let tue = monday().tomorrow().unwrap().to_string();
    let res = book_on(&member.access_token, &f.items[0], &tue, "10:00", "12:00").await;
    let p = expect_problem(res, 409).await;
    assert_eq!(p["conflict"]["quota"], "space.hours_per_week", "{p}");
    assert_eq!(p["conflict"]["limit"], 3, "{p}");
    let week = monday().iso_week_date();
    let week_counter = format!(
        "S#{}#hours_per_week#{:04}-W{:02}",
        f.space_id,
        week.year(),
        week.week()
    );
    assert_eq!(counter(&member.id, &week_counter).await, 120, "minutes");

    // Cancelled: its day and its hour come back.
    let id = made[0]["id"].as_str().unwrap();
    let res = call(
        "PUT",
        &format!("/bookings/{id}/cancel"),
        Some(&member.access_token),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(counter(&member.id, &day_counter).await, 1);
    assert_eq!(counter(&member.id, &week_counter).await, 60);
    let res = book_on(&member.access_token, &f.items[0], &tue, "10:00", "12:00").await;
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    assert_eq!(counter(&member.id, &week_counter).await, 180);
    // Another member has quotas of their own.
    let other = user_with_roles(&[]).await;
    let res = book_on(&other.access_token, &f.items[1], &tue, "13:00", "16:00").await;
    assert_eq!(res.status(), 201);

    // How far ahead: a week, so a month ahead is refused by name.
    let res = set_quotas(&f, json!({"days_ahead": 7})).await;
    assert_eq!(res.status(), 200);
    let later = day(5);
    // The space's definitions are cached for up to 30 s per container; a fresh read decides
    // a refusal, so the answer is immediate.
    let res = book_on(&other.access_token, &f.items[1], &later, "09:00", "10:00").await;
    let p = expect_problem(res, 409).await;
    assert_eq!(p["conflict"]["quota"], "space.days_ahead", "{p}");
    // Bad limits name the field.
    let res = set_quotas(&f, json!({"bookings_per_day": 0})).await;
    let p = expect_problem(res, 400).await;
    assert_eq!(p["errors"][0]["field"], "quotas.bookings_per_day", "{p}");
}
