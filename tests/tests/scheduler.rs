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

/// A space that requires check-in (window 30 min, released 5 min in, 25 % back), open
/// around the clock so a booking can start within the next half hour.
async fn check_in_fixture() -> Fixture {
    let mut space = open_around_the_clock("Etc/UTC");
    space["check_in"] =
        json!({"window_minutes": 30, "grace_minutes": 5, "no_show_refund_percent": 25});
    fixture_for(&space, &[0, 0]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_no_show_is_released_after_the_grace_period_and_its_time_is_bookable_again() {
    let f = check_in_fixture().await;
    let member = user_with_roles(&[]).await;
    let other = user_with_roles(&[]).await;
    let date = day(12);
    let b = book_paid(
        &member.access_token,
        &f.items[0],
        &at(&date, "10:00"),
        &at(&date, "12:00"),
    )
    .await;
    let id = b["id"].as_str().unwrap().to_string();
    assert_eq!(b["check_in"]["grace_minutes"], 5);

    // Within the grace period: kept. Then released: once, with a quarter back.
    let start = ts(&at(&date, "10:00"));
    run_at(start + SignedDuration::from_mins(4)).await;
    assert_eq!(
        booking_view(&id, &member.access_token).await["status"],
        "confirmed"
    );
    let report = run_at(start + SignedDuration::from_mins(6)).await;
    assert!(report["no_shows"].as_u64().unwrap() >= 1, "{report}");
    let v = booking_view(&id, &member.access_token).await;
    assert_eq!(v["status"], "cancelled", "{v}");
    assert_eq!(v["no_show"], true);
    wait_until("the no-show refund", 20, || async {
        booking_view(&id, &member.access_token).await["payment"]["refunded_amount"] == 1000
    })
    .await;
    // The space's report counts it.
    let report_path = format!("/spaces/{}/reports?from={date}&to={date}", f.space_id);
    let op = f.operator.access_token.clone();
    wait_until("the no-show in the report", 20, || async {
        let r: Value = get_with_token(&report_path, &op)
            .await
            .json()
            .await
            .unwrap();
        r["totals"]["no_shows"] == 1 && r["totals"]["cancellations"] == 1
    })
    .await;
    // Its time (the part still to come) can be booked by someone else.
    let again = book(
        &other.access_token,
        &f.items[0],
        &at(&date, "11:00"),
        &at(&date, "12:00"),
    )
    .await;
    assert_eq!(again.status(), 201);
    // A later run changes nothing more.
    run_at(start + SignedDuration::from_mins(30)).await;
    assert_eq!(
        booking_view(&id, &member.access_token).await["payment"]["refunded_amount"],
        1000
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_who_checked_in_keeps_the_booking() {
    let f = check_in_fixture().await;
    let member = user_with_roles(&[]).await;
    // The next half hour on the item's 30-minute grid: inside the 30-minute window now.
    let now = Timestamp::now().as_second();
    let start = Timestamp::from_second(now - now % 1800 + 1800).unwrap();
    let end = start + SignedDuration::from_hours(1);
    let b = book_paid(
        &member.access_token,
        &f.items[1],
        &start.to_string(),
        &end.to_string(),
    )
    .await;
    let id = b["id"].as_str().unwrap().to_string();
    let path = format!("/bookings/{id}/check-in");
    let stranger = user_with_roles(&[]).await;
    assert_eq!(
        call("POST", &path, Some(&stranger.access_token), None)
            .await
            .status(),
        404
    );
    let res = call("POST", &path, Some(&member.access_token), None).await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert!(v["checked_in_at"].is_string(), "{v}");
    // Twice is harmless.
    assert_eq!(
        call("POST", &path, Some(&member.access_token), None)
            .await
            .status(),
        200
    );
    run_at(start + SignedDuration::from_mins(10)).await;
    let v = booking_view(&id, &member.access_token).await;
    assert_eq!(v["status"], "confirmed", "{v}");
    assert!(v.get("no_show").is_none(), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_in_outside_its_window_is_a_409_saying_when() {
    let f = check_in_fixture().await;
    let member = user_with_roles(&[]).await;
    let date = day(13);
    let b = book_paid(
        &member.access_token,
        &f.items[1],
        &at(&date, "10:00"),
        &at(&date, "11:00"),
    )
    .await;
    let res = call(
        "POST",
        &format!("/bookings/{}/check-in", b["id"].as_str().unwrap()),
        Some(&member.access_token),
        None,
    )
    .await;
    let problem = expect_problem(res, 409).await;
    assert!(
        problem["conflict"]["check_in_opens"].is_string(),
        "{problem}"
    );
    // The space's operator at the front desk is held to the same window.
    let by_operator = call(
        "POST",
        &format!("/bookings/{}/check-in", b["id"].as_str().unwrap()),
        Some(&f.operator.access_token),
        None,
    )
    .await;
    expect_problem(by_operator, 409).await;
}
