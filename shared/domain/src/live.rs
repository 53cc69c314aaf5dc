//! Live availability over WebSocket: what a client sends (subscribe to a space), what it
//! is told when a booking changes that space's availability, and a connection's limits.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// How many spaces one connection may follow (a map screen shows a handful).
pub const MAX_SPACES_PER_CONNECTION: usize = 20;

/// API Gateway closes a WebSocket connection after two hours; its rows outlive that a
/// little and then expire, even when `$disconnect` never arrives.
pub const CONNECTION_TTL_SECONDS: i64 = 3 * 3600;

/// The booking events that change what is free: a hold taken or released, a booking
/// confirmed (also a late payment that re-claims the slots), cancelled, expired or failed.
const CHANGES_AVAILABILITY: [&str; 5] = [
    "BookingCreated",
    "BookingConfirmed",
    "BookingCancelled",
    "BookingExpired",
    "BookingFailed",
];

/// `{"action": "subscribe" | "unsubscribe", "space_id": "..."}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionRequest {
    pub space_id: String,
}

impl SubscriptionRequest {
    pub fn parse(body: Option<&str>) -> Result<Self, DomainError> {
        let value: serde_json::Value = body
            .and_then(|b| serde_json::from_str(b).ok())
            .ok_or_else(|| DomainError::field("body", "json", "must be a JSON object"))?;
        let space_id = value
            .get("space_id")
            .and_then(|v| v.as_str())
            .ok_or_else(|| DomainError::field("space_id", "required", "is required (a string)"))?;
        let well_formed = !space_id.is_empty()
            && space_id.len() <= 64
            && space_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !well_formed {
            return Err(DomainError::field(
                "space_id",
                "format",
                "must be a space id (1-64 letters, digits or '-')",
            ));
        }
        Ok(Self {
            space_id: space_id.to_string(),
        })
    }
}

/// Pushed to every connection following the space. It says which item and interval
/// changed and why; the client reads the window again (`GET .../availability`), so a
/// notice never claims more than the event knows (a failed late payment, say, frees
/// nothing). `event_id` lets a client drop a notice it already had.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvailabilityChanged {
    #[serde(rename = "type")]
    pub kind: String,
    pub event_id: String,
    pub space_id: String,
    pub item_id: String,
    pub start_time: String,
    pub end_time: String,
    /// The booking event behind it, e.g. `BookingCreated`.
    pub reason: String,
}

/// The notice for a booking event, or `None` when the event changes no availability
/// (a reminder, a payment, ...) or lacks the fields.
pub fn availability_changed(
    detail_type: &str,
    detail: &serde_json::Value,
) -> Option<AvailabilityChanged> {
    if !CHANGES_AVAILABILITY.contains(&detail_type) {
        return None;
    }
    let text = |k: &str| detail.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    Some(AvailabilityChanged {
        kind: "availability.changed".into(),
        event_id: text("event_id")?,
        space_id: text("space_id")?,
        item_id: text("bookable_item_id")?,
        start_time: text("start_time")?,
        end_time: text("end_time")?,
        reason: detail_type.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn detail() -> serde_json::Value {
        json!({
            "event_id": "e1", "space_id": "s1", "bookable_item_id": "i1",
            "start_time": "2026-12-01T09:00:00Z", "end_time": "2026-12-01T10:00:00Z",
            "user_id": "u1", "status": "pending"
        })
    }

    #[test]
    fn booking_changes_become_notices_without_the_member() {
        let notice = availability_changed("BookingCreated", &detail()).unwrap();
        assert_eq!(notice.space_id, "s1");
        assert_eq!(notice.item_id, "i1");
        assert_eq!(notice.reason, "BookingCreated");
        let text = serde_json::to_string(&notice).unwrap();
        assert!(
            !text.contains("u1"),
            "no user id goes to other members: {text}"
        );
        assert!(text.contains(r#""type":"availability.changed""#));
    }

    #[test]
    fn reminders_payments_and_incomplete_events_are_not_changes() {
        assert_eq!(availability_changed("BookingReminder", &detail()), None);
        assert_eq!(availability_changed("PaymentSucceeded", &detail()), None);
        let mut partial = detail();
        partial.as_object_mut().unwrap().remove("space_id");
        assert_eq!(availability_changed("BookingCancelled", &partial), None);
    }

    #[test]
    fn subscription_requests_name_the_broken_field() {
        let ok = SubscriptionRequest::parse(Some(r#"{"action":"subscribe","space_id":"ab-12"}"#));
        assert_eq!(ok.unwrap().space_id, "ab-12");
        for (body, field) in [
            (None, "body"),
            (Some("not json"), "body"),
            (Some(r#"{"action":"subscribe"}"#), "space_id"),
            (Some(r#"{"space_id":"a b"}"#), "space_id"),
            (Some(r#"{"space_id":""}"#), "space_id"),
        ] {
            let err = SubscriptionRequest::parse(body).unwrap_err().to_string();
            assert!(err.contains(field), "{body:?}: {err}");
        }
    }
}
