//! The booking scheduler: a hold that ran out is released with BookingExpired (and its
//! PaymentIntent can no longer be paid), and a confirmed booking gets exactly one
//! reminder. Runs are made "as of" a later time (the scheduled event's `time`), so this
//! binary has its own stack: such runs act on every booking in it.

use integration_tests::fixtures::*;
use integration_tests::*;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

async fn run_at(at: Timestamp) -> Value {
    let contexts = function_contexts().await;
    let handlers = local_gateway::registry::event_handlers(&|name| contexts.of(name));
    handlers["booking-scheduler"](json!({"time": at.to_string(), "detail": {}}))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn holds_expire_and_reminders_go_out_once() {
    let f = fixture("Etc/UTC", &[0, 0]).await;
    let member = user_with_roles(&[]).await;
    let date = day(10);

    // A hold nobody pays.
    let unpaid: Value = book(
        &member.access_token,
        &f.items[0],
        &at(&date, "09:00"),
        &at(&date, "10:00"),
    )
    .await
    .json()
    .await
    .unwrap();
    let unpaid_id = unpaid["id"].as_str().unwrap().to_string();
    let intent = unpaid["payment"]["stripe_payment_intent_id"]
        .as_str()
        .unwrap()
        .to_string();
    // A booking that is paid.
    let paid = book_paid(
        &member.access_token,
        &f.items[1],
        &at(&date, "13:00"),
        &at(&date, "14:00"),
    )
    .await;
    let paid_id = paid["id"].as_str().unwrap().to_string();

    // Sixteen minutes on, the hold is released: once.
    let later = Timestamp::now() + SignedDuration::from_mins(16);
    let first = run_at(later).await;
    assert!(first["expired"].as_u64().unwrap() >= 1, "{first}");
    let v: Value = get_with_token(&format!("/bookings/{unpaid_id}"), &member.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "expired");
    assert_eq!(v["payment"]["status"], "canceled");
    let (_, pi) = stripe(
        reqwest::Method::GET,
        &format!("/v1/payment_intents/{intent}"),
        &[],
    )
    .await;
    assert_eq!(
        pi["status"], "canceled",
        "an expired hold cannot be paid any more"
    );
    assert_eq!(run_at(later).await["expired"], 0);

    // A day before the paid booking starts: one reminder, however often the run repeats.
    let start: Timestamp = paid["start_time"].as_str().unwrap().parse().unwrap();
    let eve = start - SignedDuration::from_hours(24) + SignedDuration::from_mins(1);
    assert_eq!(run_at(eve).await["reminded"], 1);
    assert_eq!(run_at(eve).await["reminded"], 0);
    let reminders = || notifications_about(&member.access_token, "BookingReminder", &paid_id);
    wait_until("the reminder notification", 20, || async {
        reminders().await == 1
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(reminders().await, 1);
}
