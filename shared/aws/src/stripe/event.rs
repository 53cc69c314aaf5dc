//! The Stripe events we act on, read from the verified body. Only the fields we use are
//! deserialized (everything else in Stripe's objects is ignored), so a new Stripe API
//! version that adds fields cannot break the webhook.

use serde::Deserialize;

pub use app::ports::payments::{
    InvoiceObject, PaymentIntentObject, RefundObject, SubscriptionObject,
};

#[derive(Debug, Deserialize)]
struct Envelope {
    id: String,
    #[serde(rename = "type")]
    event_type: String,
    #[serde(default)]
    created: i64,
    data: Data,
}

#[derive(Debug, Deserialize)]
struct Data {
    object: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    PaymentSucceeded(PaymentIntentObject),
    PaymentFailed(PaymentIntentObject),
    /// `refund.created` / `refund.updated`.
    Refund(RefundObject),
    /// `customer.subscription.created|updated|deleted`.
    Subscription(SubscriptionObject),
    /// `invoice.paid` / `invoice.payment_succeeded`: a subscription period is paid.
    InvoicePaid(InvoiceObject),
    InvoicePaymentFailed(InvoiceObject),
    /// Anything else: acknowledged and ignored.
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StripeEvent {
    pub id: String,
    pub event_type: String,
    pub created: i64,
    pub kind: EventKind,
}

impl StripeEvent {
    /// Parses a verified body. A known event type whose object lacks a field we need is
    /// an error (Stripe would never send it; a forged one cannot pass the signature).
    pub fn parse(body: &[u8]) -> Result<Self, serde_json::Error> {
        let env: Envelope = serde_json::from_slice(body)?;
        let object = env.data.object;
        let kind = match env.event_type.as_str() {
            "payment_intent.succeeded" => {
                EventKind::PaymentSucceeded(serde_json::from_value(object)?)
            }
            "payment_intent.payment_failed" => {
                EventKind::PaymentFailed(serde_json::from_value(object)?)
            }
            "refund.created" | "refund.updated" => {
                EventKind::Refund(serde_json::from_value(object)?)
            }
            "customer.subscription.created"
            | "customer.subscription.updated"
            | "customer.subscription.deleted" => {
                EventKind::Subscription(serde_json::from_value(object)?)
            }
            "invoice.paid" | "invoice.payment_succeeded" => {
                EventKind::InvoicePaid(serde_json::from_value(object)?)
            }
            "invoice.payment_failed" => {
                EventKind::InvoicePaymentFailed(serde_json::from_value(object)?)
            }
            _ => EventKind::Other,
        };
        Ok(Self {
            id: env.id,
            event_type: env.event_type,
            created: env.created,
            kind,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_payment_intent_event_and_ignores_unknown_fields() {
        let body = br#"{"id":"evt_1","object":"event","type":"payment_intent.succeeded","created":1790000000,
            "data":{"object":{"id":"pi_1","object":"payment_intent","amount":1500,"currency":"eur",
            "metadata":{"booking_id":"b1"},"latest_charge":{"id":"ch_1"},"status":"succeeded"}}}"#;
        let e = StripeEvent::parse(body).unwrap();
        assert_eq!(e.id, "evt_1");
        match e.kind {
            EventKind::PaymentSucceeded(pi) => {
                assert_eq!(pi.amount, 1500);
                assert_eq!(pi.metadata["booking_id"], "b1");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_types_are_other_and_bad_known_ones_are_errors() {
        let body = br#"{"id":"evt_2","type":"balance.available","data":{"object":{}}}"#;
        assert_eq!(StripeEvent::parse(body).unwrap().kind, EventKind::Other);
        let body =
            br#"{"id":"evt_3","type":"payment_intent.succeeded","data":{"object":{"id":"pi"}}}"#;
        assert!(StripeEvent::parse(body).is_err());
        assert!(StripeEvent::parse(b"not json").is_err());
    }
}
