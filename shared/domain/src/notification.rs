//! Notifications: what a member is told about an event, on which channels.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Notification {
    /// The id of the event it tells about: one notification per event, by construction.
    pub id: String,
    pub user_id: String,
    pub kind: String,
    pub title: String,
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_id: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub read_at: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub title: String,
    pub body: String,
}

/// The booking's local start, e.g. "Tue 24 Nov 2026 09:00 (Europe/Berlin)".
fn local_start(detail: &serde_json::Value) -> Option<String> {
    let start: Timestamp = detail.get("start_time")?.as_str()?.parse().ok()?;
    let tz_name = detail
        .get("time_zone")
        .and_then(|t| t.as_str())
        .unwrap_or("UTC");
    let tz = crate::hours::time_zone(tz_name).unwrap_or(jiff::tz::TimeZone::UTC);
    Some(format!(
        "{} ({tz_name})",
        start.to_zoned_datetime(tz).strftime("%a %-d %b %Y %H:%M")
    ))
}

fn money(detail: &serde_json::Value, amount_key: &str) -> Option<String> {
    let amount = detail.get(amount_key)?.as_i64()?;
    let currency = detail.get("currency")?.as_str()?;
    Some(format!("{}.{:02} {currency}", amount / 100, amount % 100))
}

/// The message for an event a member should hear about; `None` for the others.
pub fn compose(detail_type: &str, detail: &serde_json::Value) -> Option<Message> {
    let item = detail
        .get("item_identifier")
        .and_then(|i| i.as_str())
        .unwrap_or("your space");
    let msg = |title: &str, body: String| {
        Some(Message {
            title: title.into(),
            body,
        })
    };
    match detail_type {
        "BookingConfirmed" => msg(
            "Booking confirmed",
            format!("{item} is yours on {}.", local_start(detail)?),
        ),
        // An occurrence its own series request took back before answering: the member
        // never had it.
        "BookingCancelled"
            if detail.get("cancelled_by").and_then(|c| c.as_str()) == Some("withdrawn") =>
        {
            None
        }
        "BookingCancelled" => msg(
            "Booking cancelled",
            format!(
                "Your booking of {item} on {} is cancelled.",
                local_start(detail)?
            ),
        ),
        "WaitlistOffered" => msg(
            "A place freed up for you",
            format!(
                "{item} on {} is held for you for a few minutes: pay for it in the app to keep it.",
                local_start(detail)?
            ),
        ),
        // The member ended it themselves, or their card was refused while they started
        // it (the answer told them): nothing to tell.
        "RentalEnded"
            if matches!(
                detail.get("end_reason").and_then(|r| r.as_str()),
                Some("ended_by_member" | "payment_refused")
            ) =>
        {
            None
        }
        "RentalEnded" => msg(
            "Your rental has ended",
            format!(
                "Your open-ended rental of {item} has ended: {}. Nothing more will be charged; the months paid stay yours.",
                match detail.get("end_reason").and_then(|r| r.as_str())? {
                    "not_paid" => "the monthly rent could not be charged",
                    "next_month_unavailable" => "the next month could not be held for you",
                    "month_unavailable" =>
                        "a paid month could not be given (its payment is refunded)",
                    "ended_by_operator" => "the space ended it",
                    _ => "it was ended",
                }
            ),
        ),
        "BookingReminder" => msg(
            "Coming up",
            format!("Reminder: {item} on {}.", local_start(detail)?),
        ),
        "PaymentFailed" => msg(
            "Payment failed",
            format!(
                "Your payment of {} did not go through and the booking was released.",
                money(detail, "amount")?
            ),
        ),
        "InvoiceIssued" => msg(
            "Your invoice",
            format!(
                "Your membership invoice {} of {} is ready.",
                detail.get("number")?.as_str()?,
                money(detail, "amount")?
            ),
        ),
        "PaymentRefunded" => msg(
            "Refund on its way",
            format!(
                "{} is being refunded to you.",
                money(detail, "refund_amount")?
            ),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_use_local_time_and_money() {
        let d = serde_json::json!({"item_identifier": "Desk 4", "time_zone": "Europe/Berlin",
                                   "start_time": "2027-03-28T07:00:00Z"});
        let m = compose("BookingConfirmed", &d).unwrap();
        assert_eq!(
            m.body,
            "Desk 4 is yours on Sun 28 Mar 2027 09:00 (Europe/Berlin)."
        );
        let p = serde_json::json!({"amount": 1250, "currency": "EUR"});
        assert!(
            compose("PaymentFailed", &p)
                .unwrap()
                .body
                .contains("12.50 EUR")
        );
        assert!(compose("BookingCreated", &d).is_none());
        let mut withdrawn = d.clone();
        withdrawn["cancelled_by"] = "withdrawn".into();
        assert!(compose("BookingCancelled", &withdrawn).is_none());
        assert!(compose("BookingCancelled", &d).is_some());
        assert!(compose("BookingConfirmed", &serde_json::json!({})).is_none());
        // A rental's end is told unless the member ended it.
        let ended = |reason: &str| {
            compose(
                "RentalEnded",
                &serde_json::json!({"end_reason": reason, "item_identifier": "Office 1"}),
            )
        };
        assert!(ended("ended_by_member").is_none());
        assert!(ended("payment_refused").is_none());
        let m = ended("not_paid").unwrap();
        assert!(
            m.body.contains("Office 1") && m.body.contains("could not be charged"),
            "{m:?}"
        );
        assert!(
            ended("ended_by_operator")
                .unwrap()
                .body
                .contains("the space ended it")
        );
    }
}
