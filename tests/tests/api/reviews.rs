//! Reviews: only after an ended, confirmed stay; one per booking; bounds; aggregates
//! (space and search) exact after concurrent reviews.

use integration_tests::fixtures::*;
use integration_tests::*;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

/// A confirmed stay that ended yesterday, written by the booking store itself (the API
/// rightly refuses bookings in the past, so a past stay can only be set up this way).
pub(crate) async fn past_stay(f: &Fixture, user_id: &str, hour: u32) -> String {
    let yesterday = (Timestamp::now() - SignedDuration::from_hours(48))
        .strftime("%Y-%m-%d")
        .to_string();
    let start: Timestamp = format!("{yesterday}T{hour:02}:00:00Z").parse().unwrap();
    let end = start + SignedDuration::from_hours(1);
    // Planned as if it were booked two days ahead of time.
    let planned = start - SignedDuration::from_hours(48);
    stored_booking(
        f,
        user_id,
        (start, end),
        planned,
        true,
        SignedDuration::from_mins(15),
    )
    .await
    .id
}

pub(crate) async fn review(token: &str, space: &str, body: Value) -> reqwest::Response {
    call(
        "POST",
        &format!("/spaces/{space}/reviews"),
        Some(token),
        Some(&body),
    )
    .await
}

#[tokio::test]
async fn only_an_ended_stay_can_be_reviewed_once() {
    let f = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[]).await;
    // No stay at all, then only an upcoming one: 403.
    expect_problem(
        review(&member.access_token, &f.space_id, json!({"rating": 5})).await,
        403,
    )
    .await;
    let date = day(3);
    assert_eq!(
        book(
            &member.access_token,
            &f.items[0],
            &at(&date, "13:00"),
            &at(&date, "14:00")
        )
        .await
        .status(),
        201
    );
    expect_problem(
        review(&member.access_token, &f.space_id, json!({"rating": 5})).await,
        403,
    )
    .await;

    let stay = past_stay(&f, &member.id, 10).await;
    // Bounds.
    for bad in [
        json!({"rating": 0}),
        json!({"rating": 6}),
        json!({"rating": 4, "comment": "x".repeat(2001)}),
    ] {
        let p = expect_problem(
            review(&member.access_token, &f.space_id, bad.clone()).await,
            400,
        )
        .await;
        assert!(
            ["rating", "comment"].contains(&p["errors"][0]["field"].as_str().unwrap()),
            "{p}"
        );
    }
    let res = review(
        &member.access_token,
        &f.space_id,
        json!({"rating": 4, "comment": "Good light."}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let r: Value = res.json().await.unwrap();
    assert_eq!(r["booking_id"], stay.as_str());
    assert!(r.get("user_id").is_none(), "authors are not shown");
    // Once per booking.
    let p = expect_problem(
        review(&member.access_token, &f.space_id, json!({"rating": 1})).await,
        409,
    )
    .await;
    assert_eq!(p["conflict"]["reason"], "already_reviewed");
    expect_problem(
        review(
            &member.access_token,
            &f.space_id,
            json!({"rating": 1, "booking_id": stay}),
        )
        .await,
        409,
    )
    .await;
    // Somebody else's stay cannot be used.
    let other = user_with_roles(&[]).await;
    expect_problem(
        review(
            &other.access_token,
            &f.space_id,
            json!({"rating": 1, "booking_id": stay}),
        )
        .await,
        403,
    )
    .await;
    let list: Value = call(
        "GET",
        &format!("/spaces/{}/reviews", f.space_id),
        None,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(list["rating"]["count"], 1);
    assert_eq!(list["rating"]["average"], 4.0);
    assert_eq!(list["items"][0]["comment"], "Good light.");
}

#[tokio::test]
async fn concurrent_reviews_keep_exact_aggregates_everywhere() {
    let f = fixture("Etc/UTC", &[0]).await;
    let ratings = [5u8, 4, 4, 3, 5, 2, 5, 1, 4, 5, 3, 4];
    let mut members = Vec::new();
    for (i, _) in ratings.iter().enumerate() {
        let m = user_with_roles(&[]).await;
        past_stay(&f, &m.id, 7 + i as u32).await;
        members.push(m);
    }
    let mut tasks = Vec::new();
    for (m, r) in members.iter().zip(ratings) {
        let (token, space) = (m.access_token.clone(), f.space_id.clone());
        tasks.push(tokio::spawn(async move {
            review(&token, &space, json!({"rating": r})).await.status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 201);
    }
    let sum: u32 = ratings.iter().map(|r| *r as u32).sum();
    let average = (sum as f64 * 10.0 / ratings.len() as f64).round() / 10.0;
    let list: Value = call(
        "GET",
        &format!("/spaces/{}/reviews?limit=5", f.space_id),
        None,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(list["rating"]["count"], ratings.len());
    assert_eq!(list["rating"]["average"], average);
    // Paged newest first: every review exactly once.
    let mut seen = Vec::new();
    let mut page = list;
    loop {
        let created: Vec<String> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["created_at"].as_str().unwrap().to_string())
            .collect();
        let mut sorted = created.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(created, sorted);
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string()),
        );
        let Some(c) = page["next_cursor"].as_str() else {
            break;
        };
        page = call(
            "GET",
            &format!("/spaces/{}/reviews?limit=5&cursor={c}", f.space_id),
            None,
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), ratings.len());
    // Search shows the same summary (the rows were updated in the same transactions).
    let hit: Value = call(
        "GET",
        "/spaces?lat=52.52&lng=13.405&radius_km=1&min_rating=1&limit=50&q=booking%20test",
        None,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let ours = hit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["space_id"] == f.space_id.as_str())
        .expect("in search");
    assert_eq!(ours["rating"]["count"], ratings.len());
    assert_eq!(ours["rating"]["average"], average);
}
