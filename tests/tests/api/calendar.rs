//! Calendar feeds through the gateway: a member makes a feed URL, a calendar app reads it
//! without signing in, and it holds their bookings at the space's local time, in a
//! document an iCalendar library reads; a new URL retires the old one; deleting it ends it.

use icalendar::{CalendarComponent, CalendarDateTime, Component, DatePerhapsTime, EventLike};
use integration_tests::fixtures::*;
use integration_tests::*;
use serde_json::Value;

async fn new_feed(token: &str) -> String {
    let res = call("POST", "/users/me/calendar-feed", Some(token), None).await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    body["path"].as_str().unwrap().to_string()
}

/// The feed as a calendar app reads it: no Authorization header.
async fn read_feed(path: &str) -> (u16, String, String) {
    let res = http()
        .get(format!("{}{path}", env().base))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, kind, res.text().await.unwrap())
}

#[tokio::test]
async fn a_feed_shows_the_members_bookings_at_the_spaces_local_time_until_replaced_or_deleted() {
    let f = fixture("Europe/Berlin", &[0, 0]).await;
    let member = new_member().await;
    let date = day(5);
    // 09:00 and 13:30 UTC; Berlin is UTC+1 or UTC+2 depending on the date.
    let booked = book_paid(
        &member.access_token,
        &f.items[0],
        &at(&date, "09:00"),
        &at(&date, "10:00"),
    )
    .await;
    let id = booked["id"].as_str().unwrap().to_string();
    let other = book_paid(
        &member.access_token,
        &f.items[1],
        &at(&date, "13:30"),
        &at(&date, "14:00"),
    )
    .await;
    let other_id = other["id"].as_str().unwrap().to_string();
    let cancelled = call(
        "PUT",
        &format!("/bookings/{other_id}/cancel"),
        Some(&member.access_token),
        None,
    )
    .await;
    assert_eq!(cancelled.status(), 200);

    let path = new_feed(&member.access_token).await;
    let (status, kind, text) = read_feed(&path).await;
    assert_eq!(status, 200, "{text}");
    assert!(kind.starts_with("text/calendar"), "{kind}");
    assert!(text.contains("\r\n"), "RFC 5545 lines end in CRLF");
    let calendar: icalendar::Calendar = text.parse().unwrap_or_else(|e| panic!("{e}: {text}"));
    let events: Vec<&icalendar::Event> = calendar
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    let event = |booking: &str| {
        *events
            .iter()
            .find(|e| e.get_uid() == Some(&format!("{booking}@bookings.coworking")))
            .unwrap_or_else(|| panic!("no event for {booking}: {text}"))
    };
    let zone = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let local = |utc: &str| {
        zone.to_datetime(ts(utc))
            .strftime("%Y-%m-%dT%H:%M:%S")
            .to_string()
    };
    match event(&id).get_start() {
        Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid })) => {
            assert_eq!(tzid, "Europe/Berlin");
            assert_eq!(
                date_time.format("%Y-%m-%dT%H:%M:%S").to_string(),
                local(&at(&date, "09:00"))
            );
        }
        other => panic!("start not in the space's zone: {other:?}"),
    }
    assert!(
        event(&id)
            .get_summary()
            .unwrap()
            .ends_with("Booking Test Space"),
        "{text}"
    );
    assert!(event(&id).get_location().unwrap().contains(", "), "{text}");
    assert_eq!(event(&id).property_value("STATUS"), Some("CONFIRMED"));
    // A cancelled booking leaves the feed (subscribed calendars drop what is gone).
    assert!(
        !events
            .iter()
            .any(|e| e.get_uid() == Some(&format!("{other_id}@bookings.coworking"))),
        "{text}"
    );
    // Every TZID used is defined (RFC 5545 3.2.19).
    assert!(
        text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"),
        "{text}"
    );

    // A new URL retires the old one; deleting ends the new one.
    let replaced = new_feed(&member.access_token).await;
    assert_ne!(replaced, path);
    assert_eq!(read_feed(&path).await.0, 404);
    assert_eq!(read_feed(&replaced).await.0, 200);
    assert_eq!(read_feed(replaced.trim_end_matches(".ics")).await.0, 200);
    let deleted = call(
        "DELETE",
        "/users/me/calendar-feed",
        Some(&member.access_token),
        None,
    )
    .await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(read_feed(&replaced).await.0, 404);

    // Guesses are 404s; no token reaches any log line.
    assert_eq!(
        read_feed(&format!("/calendar/{}.ics", "0".repeat(64)))
            .await
            .0,
        404
    );
    assert_eq!(read_feed("/calendar/not-a-token").await.0, 404);
    let log = std::fs::read_to_string(&env().function_log).unwrap_or_default();
    for p in [&path, &replaced] {
        let token = p.trim_start_matches("/calendar/").trim_end_matches(".ics");
        assert!(!log.contains(token), "a feed token is in the logs");
    }
}

#[tokio::test]
async fn a_feed_needs_a_signed_in_member_to_make_it() {
    let res = call("POST", "/users/me/calendar-feed", None, None).await;
    assert_eq!(res.status(), 401);
    let res = call("DELETE", "/users/me/calendar-feed", None, None).await;
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn erasing_the_account_ends_its_feed() {
    let member = new_member().await;
    let path = new_feed(&member.access_token).await;
    assert_eq!(read_feed(&path).await.0, 200);
    let erased = call("DELETE", "/users/me", Some(&member.access_token), None).await;
    assert_eq!(erased.status(), 204);
    assert_eq!(read_feed(&path).await.0, 404);
}
