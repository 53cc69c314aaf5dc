//! Pieces of writes that several entities' transactions share: attribute values, TTLs,
//! the outbox event and the processed-Stripe-event marker.

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use jiff::Timestamp;

use super::{Item, keys, to_item};
use app::ports::store::StoreError;
use domain::audit::AuditEntry;
use domain::events::DomainEvent;

pub(super) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub(super) fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

pub(super) fn built<T, E: std::error::Error + Send + Sync + 'static>(
    r: Result<T, E>,
) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::Other(Box::new(e)))
}

/// TTL (epoch seconds) a little after `at`: only garbage collection, never correctness.
pub(super) fn ttl_after(at: Timestamp, days: i64) -> AttributeValue {
    n(at.as_second() + days * 86_400)
}

/// The outbox item of `event`, stamped with the current invocation's correlation id
/// (unless the event already carries one), so the flow can be followed past the stream.
pub(super) fn event_put(table: &str, event: &DomainEvent) -> Result<TransactWriteItem, StoreError> {
    let mut item = to_item(keys::event(&event.id), "EVENT".into(), "DomainEvent", event)?;
    if event.correlation_id.is_none()
        && let Some(id) = crate::telemetry::context::correlation_id()
    {
        item.insert("correlation_id".into(), s(id));
    }
    item.insert("ttl".into(), ttl_after(event.occurred_at, 7));
    // Findable by its member, so erasing them erases it.
    if let Some(user_id) = event.detail.get("user_id").and_then(|u| u.as_str()) {
        item.insert("GSI1PK".into(), s(keys::user_events(user_id)));
        item.insert("GSI1SK".into(), s(keys::event(&event.id)));
    }
    let put = built(
        Put::builder()
            .table_name(table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .build(),
    )?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// Remembers a processed Stripe event (kept a month; Stripe retries for three days).
pub(super) fn stripe_event_item(id: &str, now: Timestamp) -> Item {
    let mut item: Item = std::collections::HashMap::new();
    item.insert("PK".into(), s(keys::stripe_event(id)));
    item.insert("SK".into(), s("STRIPEEVENT"));
    item.insert("processed_at".into(), s(now.to_string()));
    item.insert("ttl".into(), ttl_after(now, 30));
    item
}

/// The marker as a transaction action: the transaction fails if the event was seen.
pub(super) fn stripe_event_put(
    table: &str,
    id: &str,
    now: Timestamp,
) -> Result<TransactWriteItem, StoreError> {
    let put = built(
        Put::builder()
            .table_name(table)
            .set_item(Some(stripe_event_item(id, now)))
            .condition_expression("attribute_not_exists(PK)")
            .build(),
    )?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// A timed action on a booking (see `keys::due_bucket`); kept a week past its time.
pub(super) fn due_put(
    table: &str,
    kind: domain::schedule::DueKind,
    booking_id: &str,
    at: Timestamp,
) -> Result<TransactWriteItem, StoreError> {
    let mut item: Item = std::collections::HashMap::new();
    item.insert("PK".into(), s(keys::due_bucket(at)));
    item.insert("SK".into(), s(keys::due(at, kind.as_str(), booking_id)));
    item.insert("ttl".into(), ttl_after(at, 7));
    let put = built(
        Put::builder()
            .table_name(table)
            .set_item(Some(item))
            .build(),
    )?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// An audit entry as stored (kept: the log is the record).
/// An audit entry, findable by the user who acted (GSI1) and the user acted on (GSI2), so
/// an erasure can pseudonymise both.
pub(super) fn audit_item(entry: &AuditEntry) -> Result<Item, StoreError> {
    let sk = keys::audit_entry(entry.at, &entry.id);
    let mut item = to_item(keys::audit(&entry.month()), sk.clone(), "AuditEntry", entry)?;
    if let Some(actor) = entry.actor_user() {
        item.insert("GSI1PK".into(), s(keys::user_audit(actor)));
        item.insert("GSI1SK".into(), s(sk.clone()));
    }
    if let Some(target) = entry.target_user() {
        item.insert("GSI2PK".into(), s(keys::user_audit(target)));
        item.insert("GSI2SK".into(), s(sk));
    }
    Ok(item)
}

/// The audit entry as a transaction action, beside the change it records.
pub(super) fn audit_put(table: &str, entry: &AuditEntry) -> Result<TransactWriteItem, StoreError> {
    let put = built(
        Put::builder()
            .table_name(table)
            .set_item(Some(audit_item(entry)?))
            .condition_expression("attribute_not_exists(PK)")
            .build(),
    )?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// A condition that the user's profile exists: what a consumer writes under a user's id
/// after reading them is never written once they are erased (erasure deletes the
/// partition; a late write would bring their id back).
pub(super) fn user_exists(table: &str, user_id: &str) -> Result<TransactWriteItem, StoreError> {
    let check = built(
        aws_sdk_dynamodb::types::ConditionCheck::builder()
            .table_name(table)
            .key("PK", s(keys::user(user_id)))
            .key("SK", s(keys::PROFILE))
            .condition_expression("attribute_exists(PK)")
            .build(),
    )?;
    Ok(TransactWriteItem::builder().condition_check(check).build())
}
