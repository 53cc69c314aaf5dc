//! Domain events: versioned JSON, each with a unique id. They are written to the outbox in
//! the same transaction as the change they describe, then relayed to EventBridge.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::booking::Booking;
use crate::payment::PaymentTransaction;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainEvent {
    /// Unique and time-ordered (UUID v7): consumers deduplicate on it.
    pub id: String,
    /// EventBridge `source`, e.g. `coworking.bookings`.
    pub source: String,
    /// EventBridge `detail-type`, e.g. `BookingCreated`.
    pub detail_type: String,
    pub version: u32,
    pub occurred_at: Timestamp,
    pub detail: serde_json::Value,
    /// The flow it belongs to (see `aws::telemetry`): stamped by the store adapter from the
    /// invocation that wrote it, carried to EventBridge and every consumer's log lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
}

pub const BOOKINGS_SOURCE: &str = "coworking.bookings";
pub const PAYMENTS_SOURCE: &str = "coworking.payments";

impl DomainEvent {
    pub fn new(
        source: &str,
        detail_type: &str,
        occurred_at: Timestamp,
        detail: serde_json::Value,
    ) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            source: source.into(),
            detail_type: detail_type.into(),
            version: 1,
            occurred_at,
            detail,
            correlation_id: None,
        }
    }

    /// `BookingCreated`, `BookingConfirmed`, `BookingCancelled`, ...: what subscribers need
    /// without reading the table (no personal data beyond the user id).
    pub fn booking(detail_type: &str, b: &Booking, at: Timestamp) -> Self {
        let mut event = Self::new(
            BOOKINGS_SOURCE,
            detail_type,
            at,
            serde_json::json!({
                "booking_id": b.id,
                "user_id": b.user_id,
                "space_id": b.space_id,
                "bookable_item_id": b.bookable_item_id,
                "item_identifier": b.item_identifier,
                "time_zone": b.time_zone,
                "start_time": b.start_time,
                "end_time": b.end_time,
                "status": b.status,
                "unit": b.unit,
                "quantity": b.quantity,
                "version": b.version,
                "total": {"amount": b.price.total, "currency": b.price.currency},
            }),
        );
        if let (Some(series), Some(detail)) = (&b.series, event.detail.as_object_mut()) {
            detail.insert("series_id".into(), series.id.clone().into());
            detail.insert("series_index".into(), series.index.into());
        }
        event
    }

    /// `PaymentSucceeded`, `PaymentFailed`, `PaymentRefunded`: amounts and ids only.
    pub fn payment(detail_type: &str, p: &PaymentTransaction, at: Timestamp) -> Self {
        Self::new(
            PAYMENTS_SOURCE,
            detail_type,
            at,
            serde_json::json!({
                "payment_id": p.id,
                "booking_id": p.booking_id,
                "user_id": p.user_id,
                "amount": p.amount,
                "currency": p.currency,
                "status": p.status,
                "refunded_amount": p.refunded_amount,
                "refund_amount": p.refunds.last().map(|r| r.amount),
            }),
        )
    }
}
