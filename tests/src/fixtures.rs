//! Fixtures the integration test binaries share: spaces with rooms, bookings through the
//! gateway, dates in the future, and paying an intent on localstripe as Stripe.js would.

use domain::role::Role;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::*;

/// A space open every day 07:00-21:00 in `tz`, with a peak rule (09:00-12:00, 150 %).
pub fn open_space(tz: &str) -> Value {
    let day = json!([{"open": "07:00", "close": "21:00"}]);
    json!({
        "name": "Booking Test Space",
        "address": {"line1": "1 Test Street", "city": "Test", "postal_code": "1", "country": "DE"},
        "location": {"lat": 52.52, "lng": 13.405},
        "time_zone": tz,
        "opening_hours": {"monday": day, "tuesday": day, "wednesday": day, "thursday": day,
                          "friday": day, "saturday": day, "sunday": day},
        "pricing_rules": [{"label": "peak", "days": [], "start": "09:00", "end": "12:00", "multiplier_percent": 150}]
    })
}

/// [`open_space`], open around the clock every day and without pricing rules (so a
/// booking may start at any hour, e.g. within the next half hour, at a flat price).
pub fn open_around_the_clock(tz: &str) -> Value {
    let mut space = open_space(tz);
    let all_day = json!([{"open": "00:00", "close": "24:00"}]);
    for d in [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ] {
        space["opening_hours"][d] = all_day.clone();
    }
    space["pricing_rules"] = json!([]);
    space
}

pub fn room(identifier: &str, buffer: u32) -> Value {
    json!({"kind": "room", "identifier": identifier, "capacity": 4,
           "price_per_hour": {"amount": 2000, "currency": "EUR"},
           "slot_minutes": 30, "min_booking_minutes": 30, "max_booking_minutes": 480, "buffer_minutes": buffer})
}

pub struct Fixture {
    pub space_id: String,
    pub items: Vec<String>,
    pub operator: TestUser,
}

pub async fn fixture(tz: &str, buffers: &[u32]) -> Fixture {
    fixture_for(&open_space(tz), buffers).await
}

/// A new operator's space (`space` is the create body) with one room per buffer.
pub async fn fixture_for(space: &Value, buffers: &[u32]) -> Fixture {
    let operator = user_with_roles(&[Role::Operator]).await;
    let res = call("POST", "/spaces", Some(&operator.access_token), Some(space)).await;
    assert_eq!(res.status(), 201);
    let space_id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut items = Vec::new();
    for (i, buffer) in buffers.iter().enumerate() {
        let res = call(
            "POST",
            &format!("/spaces/{space_id}/items"),
            Some(&operator.access_token),
            Some(&room(&format!("Room {i}"), *buffer)),
        )
        .await;
        assert_eq!(res.status(), 201);
        items.push(
            res.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    Fixture {
        space_id,
        items,
        operator,
    }
}

pub async fn book(token: &str, item: &str, start: &str, end: &str) -> reqwest::Response {
    book_with_key(token, item, start, end, &uuid::Uuid::new_v4().to_string()).await
}

pub async fn book_with_key(
    token: &str,
    item: &str,
    start: &str,
    end: &str,
    key: &str,
) -> reqwest::Response {
    http()
        .post(format!("{}/bookings", env().base))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(&json!({"bookable_item_id": item, "start_time": start, "end_time": end}))
        .send()
        .await
        .unwrap()
}

/// A date well in the future (bookings must not be in the past), as `YYYY-MM-DD`.
pub fn day(offset_days: i64) -> String {
    let d = (Timestamp::now() + SignedDuration::from_hours(24 * (30 + offset_days)))
        .strftime("%Y-%m-%d");
    d.to_string()
}

/// A date `offset_days` from today (inside a month-long paid membership period).
pub fn soon(offset_days: i64) -> String {
    (Timestamp::now() + SignedDuration::from_hours(24 * offset_days))
        .strftime("%Y-%m-%d")
        .to_string()
}

/// `HH:MM` local-looking UTC instants on `date` (the Etc/UTC spaces make local = UTC).
pub fn at(date: &str, hhmm: &str) -> String {
    format!("{date}T{hhmm}:00Z")
}

pub fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub const CARD_OK: &str = "4242424242424242";
/// Attaches, then the charge is declined (Stripe's and localstripe's test card).
pub const CARD_DECLINED: &str = "4000000000000341";

pub fn stripe_url(path: &str) -> String {
    format!(
        "{}{path}",
        env().stack.stripe_api_base.trim_end_matches('/')
    )
}

/// A call to localstripe with the stack's test key, as a Stripe client library would make.
pub async fn stripe(method: reqwest::Method, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
    // Built before the request is sent: the serializer is not Send.
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let res = http()
        .request(method, stripe_url(path))
        .bearer_auth(&env().stack.stripe.secret_key)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// What Stripe.js does with a card first: it becomes a PaymentMethod (its id).
pub async fn payment_method(card: &str) -> String {
    let (status, pm) = stripe(
        reqwest::Method::POST,
        "/v1/payment_methods",
        &[
            ("type", "card"),
            ("card[number]", card),
            ("card[exp_month]", "12"),
            ("card[exp_year]", "2034"),
            ("card[cvc]", "123"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{pm}");
    pm["id"].as_str().unwrap().to_string()
}

/// What Stripe.js does with the client secret: a card becomes a PaymentMethod on the
/// intent, then the intent is confirmed. Returns localstripe's status code (402 declined).
pub async fn pay(intent_id: &str, card: &str) -> u16 {
    let pm = payment_method(card).await;
    let pm = pm.as_str();
    let path = format!("/v1/payment_intents/{intent_id}");
    let (status, body) = stripe(reqwest::Method::POST, &path, &[("payment_method", pm)]).await;
    assert_eq!(status, 200, "{body}");
    stripe(reqwest::Method::POST, &format!("{path}/confirm"), &[])
        .await
        .0
}

/// The caller's in-app notifications (newest first, up to 50).
pub async fn notifications(token: &str) -> Vec<Value> {
    let page: Value = get_with_token("/users/me/notifications?limit=50", token)
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().cloned().unwrap_or_default()
}

/// How many of the caller's notifications are of `kind` about `booking_id`.
pub async fn notifications_about(token: &str, kind: &str, booking_id: &str) -> usize {
    notifications(token)
        .await
        .iter()
        .filter(|n| n["kind"] == kind && n["booking_id"] == booking_id)
        .count()
}

/// Polls `check` until it holds; panics naming `what` after `secs` seconds.
pub async fn wait_until<F, Fut>(what: &str, secs: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !check().await {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

pub async fn booking_view(id: &str, token: &str) -> Value {
    get_with_token(&format!("/bookings/{id}"), token)
        .await
        .json()
        .await
        .unwrap()
}

/// Polls until the booking's status is `status` (the webhook arrives ~1 s after payment).
pub async fn wait_for_status(id: &str, token: &str, status: &str) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let view = booking_view(id, token).await;
        if view["status"] == status {
            return view;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "booking {id} never became {status}: {view}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Books, pays with a card that goes through (as Stripe.js would) and waits until the
/// webhook has confirmed it; returns the booking as created (with its payment).
pub async fn book_paid(token: &str, item: &str, start: &str, end: &str) -> Value {
    let res = book(token, item, start, end).await;
    assert_eq!(res.status(), 201);
    let b: Value = res.json().await.unwrap();
    let intent = b["payment"]["stripe_payment_intent_id"].as_str().unwrap();
    assert_eq!(pay(intent, CARD_OK).await, 200);
    wait_for_status(b["id"].as_str().unwrap(), token, "confirmed").await;
    b
}

/// A booking of `f`'s first item written by the booking store itself, planned as of
/// `planned_at` (the API rightly refuses bookings in the past, so a past stay, or a hold
/// of a few seconds, can only be set up this way). `confirmed` makes it a paid-for stay;
/// otherwise it is pending, holding its time for `hold`.
pub async fn stored_booking(
    f: &Fixture,
    user_id: &str,
    (start, end): (Timestamp, Timestamp),
    planned_at: Timestamp,
    confirmed: bool,
    hold: SignedDuration,
) -> domain::booking::Booking {
    use app::ports::bookings::BookingStore;
    use app::ports::spaces::SpaceStore;
    use domain::lifecycle::{MarkerChange, NewBooking, create};
    let store = aws::dynamo::DynamoStore::from_context(&aws().await);
    let (space, items) = store.get_space(&f.space_id).await.unwrap().unwrap();
    let member = domain::membership::MemberState::default();
    let mut c = create(&NewBooking {
        id: &uuid::Uuid::new_v4().to_string(),
        user_id,
        space: &space,
        item: &items[0],
        period: (start, end).into(),
        member: &member,
        hold,
        hold_limit: aws::config::DEFAULT_MAX_ACTIVE_HOLDS,
        promo: None,
        now: planned_at,
    })
    .unwrap();
    if !confirmed {
        // Stands for the intent create-booking would have made (never paid at Stripe).
        let intent = format!("pi_fixture_{}", uuid::Uuid::new_v4().simple());
        c.attach_intent(&intent, &format!("{intent}_secret"), planned_at);
    } else {
        c.booking.status = domain::booking::BookingStatus::Confirmed;
        c.booking.hold_expires_at = None;
        c.holds = 0;
        // As a confirmation schedules it: the no-show release, where check-in is required.
        c.due = domain::lifecycle::no_show_due(&c.booking)
            .into_iter()
            .collect();
        c.marker = MarkerChange::Put {
            hold_expires_at: None,
        };
    }
    store.create_booking(&c, None).await.unwrap();
    c.booking
}
