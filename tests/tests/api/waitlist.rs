//! Waitlists through the gateway and the real event pipeline (outbox, EventBridge, the
//! waitlist queue and worker): freed time goes to the first in line and only to them, as
//! a hold with a notification; unpaid, it passes to the next. Checked from the table.

use integration_tests::fixtures::*;
use integration_tests::*;
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::bookings::stored_bookings;
use crate::payments::expire_hold;

async fn join(token: &str, item: &str, start: &str, end: &str) -> reqwest::Response {
    call(
        "POST",
        "/waitlist",
        Some(token),
        Some(&json!({"bookable_item_id": item, "start_time": start, "end_time": end})),
    )
    .await
}

async fn my_entries(token: &str) -> Vec<Value> {
    let page: Value = get_with_token("/users/me/waitlist", token)
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().cloned().unwrap_or_default()
}

async fn entry_status(token: &str, id: &str) -> Value {
    my_entries(token)
        .await
        .into_iter()
        .find(|e| e["id"] == id)
        .unwrap_or(Value::Null)
}

/// The live bookings of a space as stored: (user, status).
async fn live(space_id: &str) -> Vec<(String, String)> {
    stored_bookings(space_id)
        .await
        .iter()
        .filter_map(|i| {
            let status = i.get("status")?.as_s().ok()?.clone();
            let user = i.get("user_id")?.as_s().ok()?.clone();
            ["pending", "confirmed"]
                .contains(&status.as_str())
                .then_some((user, status))
        })
        .collect()
}

/// What the scheduler does to a hold that ran out (its BookingExpired frees the time).
async fn expire_now(booking_id: &str, space_id: &str) {
    expire_hold(booking_id, space_id).await;
    let ctx = function_contexts().await.of("booking-scheduler");
    let store = aws::dynamo::DynamoStore::from_context(&ctx);
    let stripe = aws::stripe::StripePayments::from_context(&ctx);
    let now = Timestamp::now();
    let ran = app::usecase::lifecycle::run(&store, &stripe, booking_id, now, |b, p| {
        Ok(domain::lifecycle::expire(b, p, now))
    })
    .await
    .unwrap();
    assert!(
        matches!(ran, app::usecase::lifecycle::Ran::Applied(..)),
        "{ran:?}"
    );
}

#[tokio::test]
async fn freed_time_goes_to_the_first_waiter_and_only_to_them() {
    let f = fixture("UTC", &[0]).await;
    let room = &f.items[0];
    let d = day(11);
    let (start, end) = (at(&d, "13:00"), at(&d, "14:00"));
    let holder = new_member().await;
    let held = book_paid(&holder.access_token, room, &start, &end).await;

    let (w1, w2) = (new_member().await, new_member().await);
    // Free time is booked, not waited for.
    let free = join(&w1.access_token, room, &at(&d, "15:00"), &at(&d, "16:00")).await;
    expect_problem(free, 409).await;
    let res = join(&w1.access_token, room, &start, &end).await;
    assert_eq!(res.status(), 201);
    let e1: Value = res.json().await.unwrap();
    let e2: Value = join(&w2.access_token, room, &start, &end)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(e1["status"], "waiting");
    // Joining again is the same place in line.
    let again: Value = join(&w1.access_token, room, &start, &end)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["id"], e1["id"]);

    let cancelled = call(
        "PUT",
        &format!("/bookings/{}/cancel", held["id"].as_str().unwrap()),
        Some(&holder.access_token),
        None,
    )
    .await;
    assert_eq!(cancelled.status(), 200);

    let id1 = e1["id"].as_str().unwrap();
    wait_until("the first waiter's offer", 30, || async {
        entry_status(&w1.access_token, id1).await["status"] == "offered"
    })
    .await;
    let offer = entry_status(&w1.access_token, id1).await["offer_booking_id"]
        .as_str()
        .unwrap()
        .to_string();
    let b = booking_view(&offer, &w1.access_token).await;
    assert_eq!(
        (b["status"].clone(), b["start_time"].clone()),
        (json!("pending"), json!(start))
    );
    // Only the first waiter holds the time; the second is still in line.
    assert_eq!(
        live(&f.space_id).await,
        vec![(w1.id.clone(), "pending".to_string())]
    );
    assert_eq!(
        entry_status(&w2.access_token, e2["id"].as_str().unwrap()).await["status"],
        "waiting"
    );
    wait_until("the offer's notification", 30, || async {
        notifications_about(&w1.access_token, "WaitlistOffered", &offer).await == 1
    })
    .await;

    // w1 does not pay: the hold runs out and the time passes to w2.
    expire_now(&offer, &f.space_id).await;
    let id2 = e2["id"].as_str().unwrap();
    wait_until("the second waiter's offer", 30, || async {
        entry_status(&w2.access_token, id2).await["status"] == "offered"
    })
    .await;
    assert_eq!(
        entry_status(&w1.access_token, id1).await["status"],
        "closed"
    );
    assert_eq!(
        live(&f.space_id).await,
        vec![(w2.id.clone(), "pending".to_string())]
    );

    // Leaving is for one's own entries only.
    let other = call(
        "DELETE",
        &format!("/waitlist/{id1}"),
        Some(&w2.access_token),
        None,
    )
    .await;
    expect_problem(other, 404).await;
    let left = call(
        "DELETE",
        &format!("/waitlist/{id2}"),
        Some(&w2.access_token),
        None,
    )
    .await;
    assert_eq!(left.status(), 200);
    assert_eq!(
        entry_status(&w2.access_token, id2).await["status"],
        "closed"
    );
}
