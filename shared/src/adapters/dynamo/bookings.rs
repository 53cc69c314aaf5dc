use std::collections::HashMap;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, ReturnConsumedCapacity,
    ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jiff::Timestamp;
use serde::Serialize;

use super::writes::{
    audit_put, built, due_put, event_put, n, s, stripe_event_item, stripe_event_put, ttl_after,
};
use super::{DynamoStore, Item, from_item, keys, store_error, to_item, to_item_with_indexes};
use crate::domain::booking::{Booking, BookingStatus, SlotKind};
use crate::domain::instant::sortable;
use crate::domain::payment::PaymentTransaction;
use crate::domain::schedule::{DueKind, reminder_at};
use crate::ports::bookings::*;
use crate::ports::store::StoreError;

fn booking_item(b: &Booking) -> Result<Item, StoreError> {
    to_item_with_indexes(
        keys::booking(&b.id),
        keys::BOOKING.into(),
        Some((
            keys::user_bookings(&b.user_id),
            format!("{}#{}", sortable(b.start_time), b.id),
        )),
        Some((
            keys::space_bookings(&b.space_id),
            format!("{}#{}#{}", sortable(b.end_time), b.bookable_item_id, b.id),
        )),
        "Booking",
        b,
    )
}

/// The membership the price assumed, and the included minutes it took.
fn membership_actions(
    table: &str,
    g: &MembershipGuard<'_>,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let check = ConditionCheck::builder()
        .table_name(table)
        .key("PK", s(keys::user(g.user_id)))
        .key("SK", s(keys::MEMBERSHIP));
    let check = match g.version {
        Some(v) => check
            .condition_expression("version = :v")
            .expression_attribute_values(":v", n(v)),
        None => check.condition_expression("attribute_not_exists(PK)"),
    };
    let mut actions = vec![
        TransactWriteItem::builder()
            .condition_check(built(check.build())?)
            .build(),
    ];
    if let Some(inc) = &g.included {
        let update = Update::builder()
            .table_name(table)
            .key("PK", s(keys::user(g.user_id)))
            .key("SK", s(keys::usage(inc.month)))
            .update_expression("ADD minutes :n")
            .condition_expression("attribute_not_exists(minutes) OR minutes <= :max")
            .expression_attribute_values(":n", n(inc.minutes))
            .expression_attribute_values(":max", n(inc.allowance.saturating_sub(inc.minutes)));
        actions.push(
            TransactWriteItem::builder()
                .update(built(update.build())?)
                .build(),
        );
    }
    Ok(actions)
}

/// Moves the member's count of unpaid holds by `delta`; with a `limit`, only while the
/// count is below it.
fn holds_update(
    table: &str,
    user_id: &str,
    delta: i64,
    limit: Option<u32>,
) -> Result<TransactWriteItem, StoreError> {
    let mut update = Update::builder()
        .table_name(table)
        .key("PK", s(keys::user(user_id)))
        .key("SK", s(keys::HOLDS))
        .update_expression("ADD active :delta")
        .expression_attribute_values(":delta", n(delta));
    if let Some(limit) = limit {
        update = update
            .condition_expression("attribute_not_exists(active) OR active < :limit")
            .expression_attribute_values(":limit", n(limit));
    }
    Ok(TransactWriteItem::builder()
        .update(built(update.build())?)
        .build())
}

fn payment_put(table: &str, p: &PaymentTransaction) -> Result<TransactWriteItem, StoreError> {
    let item = to_item(
        keys::booking(&p.booking_id),
        keys::PAYMENT.into(),
        "PaymentTransaction",
        p,
    )?;
    let put = built(
        Put::builder()
            .table_name(table)
            .set_item(Some(item))
            .build(),
    )?;
    Ok(TransactWriteItem::builder().put(put).build())
}

#[derive(Serialize)]
struct SlotRecord<'a> {
    booking_id: &'a str,
    item_id: &'a str,
    kind: SlotKind,
    /// `held` until payment confirms it, then `booked`.
    state: &'static str,
    booking_start: String,
    booking_end: String,
}

/// What a failed transaction action was.
#[derive(Clone, Copy)]
enum Action {
    Idempotency,
    Check,
    Booking,
    Slot(usize),
    Payment,
    Event,
    /// The member's unpaid-holds counter.
    HoldLimit,
}

/// Moves a booking to `status` (bumping its version, dropping its hold) if `condition`
/// holds; `:v` is bound to the version it was read at. Callers bind any other names.
fn status_update(
    table: &str,
    b: &Booking,
    status: &str,
    condition: &str,
    now: Timestamp,
) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
    Update::builder()
        .table_name(table)
        .key("PK", s(keys::booking(&b.id)))
        .key("SK", s(keys::BOOKING))
        .update_expression(
            "SET #status = :status, version = version + :one, updated_at = :now_text REMOVE hold_expires_at",
        )
        .condition_expression(condition)
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":status", s(status))
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":now_text", s(now.to_string()))
        .expression_attribute_values(":v", n(b.version))
}

fn taken_interval(
    item: Option<&HashMap<String, AttributeValue>>,
) -> (Option<SlotKind>, Option<(Timestamp, Timestamp)>) {
    let Some(item) = item else {
        return (None, None);
    };
    let text = |k: &str| item.get(k).and_then(|v| v.as_s().ok());
    let kind = match text("kind").map(String::as_str) {
        Some("buffer") => Some(SlotKind::Buffer),
        Some("booking") => Some(SlotKind::Booking),
        _ => None,
    };
    let interval = match (
        text("booking_start").and_then(|t| t.parse().ok()),
        text("booking_end").and_then(|t| t.parse().ok()),
    ) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    };
    (kind, interval)
}

impl BookingStore for DynamoStore {
    async fn create_booking(&self, new: &NewBooking<'_>) -> Result<(), CreateBookingError> {
        let b = new.booking;
        let table = &self.table;
        // Pending: the slots are held until the hold runs out. Confirmed at once (free):
        // they are booked.
        let hold = b.hold_expires_at;
        let mut actions = Vec::with_capacity(b.slots.len() + 5);
        let mut tags = Vec::with_capacity(b.slots.len() + 5);

        // The idempotency record goes first: when it fails, that is the answer that counts.
        if let Some(idem) = new.idempotency {
            let mut item = to_item(
                keys::idempotency(&b.user_id, &idem.key),
                "IDEMP".into(),
                "Idempotency",
                idem,
            )?;
            item.insert("ttl".into(), ttl_after(new.now, 1));
            let put = built(
                Put::builder()
                    .table_name(table)
                    .set_item(Some(item))
                    .condition_expression("attribute_not_exists(PK)")
                    .build(),
            )?;
            actions.push(TransactWriteItem::builder().put(put).build());
            tags.push(Action::Idempotency);
        }
        // The rules the booking was planned against must still be the current ones.
        let space_check = built(
            ConditionCheck::builder()
                .table_name(table)
                .key("PK", s(keys::space(&b.space_id)))
                .key("SK", s(keys::PROFILE))
                .condition_expression("#status = :active AND version = :v")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":active", s("active"))
                .expression_attribute_values(":v", n(new.space_version))
                .build(),
        )?;
        let item_check = built(
            ConditionCheck::builder()
                .table_name(table)
                .key("PK", s(keys::space(&b.space_id)))
                .key("SK", s(keys::item(&b.bookable_item_id)))
                .condition_expression("version = :v")
                .expression_attribute_values(":v", n(new.item_version))
                .build(),
        )?;
        actions.push(
            TransactWriteItem::builder()
                .condition_check(space_check)
                .build(),
        );
        actions.push(
            TransactWriteItem::builder()
                .condition_check(item_check)
                .build(),
        );
        tags.extend([Action::Check, Action::Check]);
        if let Some(guard) = &new.membership {
            actions.extend(membership_actions(table, guard)?);
            tags.extend([Action::Check].repeat(1 + guard.included.is_some() as usize));
        }
        if hold.is_some() {
            actions.push(holds_update(table, &b.user_id, 1, Some(new.hold_limit))?);
            tags.push(Action::HoldLimit);
        }

        let put = built(
            Put::builder()
                .table_name(table)
                .set_item(Some(booking_item(b)?))
                .condition_expression("attribute_not_exists(PK)")
                .build(),
        )?;
        actions.push(TransactWriteItem::builder().put(put).build());
        tags.push(Action::Booking);

        // Each slot: free, or held by a hold that has run out. Never a read-then-write.
        let (start, end) = (sortable(b.start_time), sortable(b.end_time));
        for (i, slot) in b.slots.iter().enumerate() {
            let mut item = to_item(
                keys::slot_partition(&b.space_id, slot.start),
                keys::slot(slot.start, &b.bookable_item_id),
                "Slot",
                &SlotRecord {
                    booking_id: &b.id,
                    item_id: &b.bookable_item_id,
                    kind: slot.kind,
                    state: if hold.is_some() { "held" } else { "booked" },
                    booking_start: start.clone(),
                    booking_end: end.clone(),
                },
            )?;
            match hold {
                Some(hold) => {
                    item.insert("hold_expires_at".into(), s(sortable(hold)));
                    item.insert("ttl".into(), ttl_after(hold, 1));
                }
                None => {
                    item.insert("ttl".into(), ttl_after(b.end_time, 30));
                }
            }
            let put = built(
                Put::builder()
                    .table_name(table)
                    .set_item(Some(item))
                    .condition_expression(
                        "attribute_not_exists(PK) OR (#state = :held AND hold_expires_at < :now)",
                    )
                    .expression_attribute_names("#state", "state")
                    .expression_attribute_values(":held", s("held"))
                    .expression_attribute_values(":now", s(sortable(new.now)))
                    .return_values_on_condition_check_failure(
                        ReturnValuesOnConditionCheckFailure::AllOld,
                    )
                    .build(),
            )?;
            actions.push(TransactWriteItem::builder().put(put).build());
            tags.push(Action::Slot(i));
        }
        if let Some(payment) = new.payment {
            actions.push(payment_put(table, payment)?);
            tags.push(Action::Payment);
        }
        // What the scheduler must do later: release the hold, or remind.
        let due = match hold {
            Some(at) => Some((DueKind::Expire, at)),
            None => reminder_at(b.start_time, new.now).map(|at| (DueKind::Remind, at)),
        };
        if let Some((kind, at)) = due {
            actions.push(due_put(table, kind, &b.id, at)?);
            tags.push(Action::Event);
        }
        actions.push(event_put(table, new.event)?);
        tags.push(Action::Event);

        let err = match self.transact("create_booking", actions).await {
            Ok(()) => return Ok(()),
            Err(err) => err,
        };
        if let Some(TransactWriteItemsError::TransactionCanceledException(e)) =
            err.as_service_error()
        {
            let failed: Vec<(Action, Option<&HashMap<String, AttributeValue>>)> = e
                .cancellation_reasons()
                .iter()
                .zip(&tags)
                .filter(|(r, _)| r.code() == Some("ConditionalCheckFailed"))
                .map(|(r, t)| (*t, r.item.as_ref()))
                .collect();
            if failed.iter().any(|(t, _)| matches!(t, Action::Idempotency)) {
                return Err(CreateBookingError::KeyUsed);
            }
            if failed.iter().any(|(t, _)| matches!(t, Action::HoldLimit)) {
                return Err(CreateBookingError::TooManyHolds {
                    limit: new.hold_limit,
                });
            }
            if failed.iter().any(|(t, _)| matches!(t, Action::Check)) {
                return Err(CreateBookingError::Stale);
            }
            if let Some((Action::Slot(i), old)) =
                failed.iter().find(|(t, _)| matches!(t, Action::Slot(_)))
            {
                let (kind, taken) = taken_interval(*old);
                return Err(CreateBookingError::SlotTaken {
                    slot_start: b.slots[*i].start,
                    kind,
                    taken,
                });
            }
            if failed
                .iter()
                .any(|(t, _)| matches!(t, Action::Booking | Action::Event | Action::Payment))
            {
                return Err(StoreError::AlreadyExists.into());
            }
        }
        Err(store_error(err).into())
    }

    async fn get_booking(&self, id: &str) -> Result<Option<Booking>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::booking(id)))
            .key("SK", s(keys::BOOKING))
            .consistent_read(true)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(store_error)?;
        crate::metrics::record(
            "get_booking",
            out.consumed_capacity().and_then(|c| c.capacity_units),
        );
        out.item.map(from_item).transpose()
    }

    async fn get_idempotency(
        &self,
        user_id: &str,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::idempotency(user_id, key)))
            .key("SK", s("IDEMP"))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        out.item.map(from_item).transpose()
    }

    async fn find_item_space(&self, item_id: &str) -> Result<Option<String>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("GSI1")
            .key_condition_expression("GSI1PK = :pk")
            .expression_attribute_values(":pk", s(keys::item_lookup(item_id)))
            .limit(1)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(store_error)?;
        crate::metrics::record(
            "find_item_space",
            out.consumed_capacity().and_then(|c| c.capacity_units),
        );
        Ok(out
            .items
            .unwrap_or_default()
            .first()
            .and_then(|i| i.get("GSI1SK"))
            .and_then(|v| v.as_s().ok())
            .and_then(|sk| sk.strip_prefix("SPACE#"))
            .map(str::to_owned))
    }

    async fn list_user_bookings(&self, q: &BookingQuery<'_>) -> Result<Page<Booking>, StoreError> {
        let pk = keys::user_bookings(q.user_id);
        let mut start_key = match q.cursor {
            Some(c) => Some(decode_cursor(c, &pk)?),
            None => None,
        };
        let now = sortable(q.now);
        let mut filters: Vec<&str> = Vec::new();
        match q.when {
            When::Upcoming => filters.push("end_time > :now"),
            When::Past => filters.push("end_time <= :now"),
            When::All => {}
        }
        let status_filter = match q.status {
            None => None,
            Some(BookingStatus::Pending) => Some("(#status = :pending AND hold_expires_at > :now)"),
            Some(BookingStatus::Expired) => {
                Some("(#status = :expired OR (#status = :pending AND hold_expires_at <= :now))")
            }
            Some(_) => Some("#status = :status"),
        };
        filters.extend(status_filter);
        let mut items: Vec<Item> = Vec::new();
        let mut last_key;
        loop {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .index_name("GSI1")
                .key_condition_expression("GSI1PK = :pk")
                .expression_attribute_values(":pk", s(&pk))
                // Upcoming soonest first; past and all most recent first.
                .scan_index_forward(q.when == When::Upcoming)
                .limit(q.limit as i32)
                .set_exclusive_start_key(start_key.take());
            if !filters.is_empty() {
                query = query.filter_expression(filters.join(" AND "));
                if q.when != When::All || status_filter.is_some_and(|f| f.contains(":now")) {
                    query = query.expression_attribute_values(":now", s(&now));
                }
                if let Some(status) = q.status {
                    query = query.expression_attribute_names("#status", "status");
                    match status {
                        BookingStatus::Pending => {
                            query = query.expression_attribute_values(":pending", s("pending"))
                        }
                        BookingStatus::Expired => {
                            query = query
                                .expression_attribute_values(":pending", s("pending"))
                                .expression_attribute_values(":expired", s("expired"))
                        }
                        other => {
                            query = query.expression_attribute_values(":status", s(other.as_str()))
                        }
                    }
                }
            }
            let out = query.send().await.map_err(store_error)?;
            items.extend(out.items.unwrap_or_default());
            last_key = out.last_evaluated_key;
            if items.len() >= q.limit || last_key.is_none() {
                break;
            }
            start_key = last_key.clone();
        }
        let next_cursor = if items.len() > q.limit {
            items.truncate(q.limit);
            items.last().map(encode_cursor)
        } else if items.len() == q.limit {
            // Resume after the last returned item (there may be more).
            last_key.as_ref().and(items.last()).map(encode_cursor)
        } else {
            None
        };
        let bookings = items
            .into_iter()
            .map(from_item)
            .collect::<Result<Vec<Booking>, _>>()?;
        Ok(Page {
            items: bookings,
            next_cursor,
        })
    }

    async fn get_booking_with_payment(
        &self,
        id: &str,
    ) -> Result<Option<(Booking, Option<PaymentTransaction>)>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", s(keys::booking(id)))
            .consistent_read(true)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(store_error)?;
        crate::metrics::record(
            "get_booking_with_payment",
            out.consumed_capacity().and_then(|c| c.capacity_units),
        );
        let (mut booking, mut payment) = (None, None);
        for item in out.items.unwrap_or_default() {
            match item
                .get("SK")
                .and_then(|v| v.as_s().ok())
                .map(String::as_str)
            {
                Some(keys::BOOKING) => booking = Some(from_item::<Booking>(item)?),
                Some(keys::PAYMENT) => payment = Some(from_item::<PaymentTransaction>(item)?),
                _ => {}
            }
        }
        Ok(booking.map(|b| (b, payment)))
    }

    async fn transition_booking(&self, t: &Transition<'_>) -> Result<(), TransitionError> {
        let (table, b) = (&self.table, t.booking);
        let mut actions = Vec::with_capacity(b.slots.len() + 4);
        let mut tags = Vec::with_capacity(b.slots.len() + 4);
        if let Some(id) = t.stripe_event_id {
            actions.push(stripe_event_put(table, id, t.now)?);
            tags.push(Action::Idempotency);
        }
        let mut update = if t.require_live_hold {
            status_update(
                table,
                b,
                t.to.as_str(),
                "version = :v AND #status = :pending AND hold_expires_at > :now",
                t.now,
            )
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":now", s(sortable(t.now)))
        } else {
            status_update(table, b, t.to.as_str(), "version = :v", t.now)
        };
        if let Some(p) = t.payment {
            update = update.expression_attribute_values(":pid", s(&p.id));
            update = update.update_expression(
                "SET #status = :status, version = version + :one, updated_at = :now_text, payment_transaction_id = :pid REMOVE hold_expires_at",
            );
        }
        actions.push(
            TransactWriteItem::builder()
                .update(built(update.build())?)
                .build(),
        );
        tags.push(Action::Booking);
        let (start, end) = (sortable(b.start_time), sortable(b.end_time));
        for (i, slot) in b.slots.iter().enumerate() {
            let pk = s(keys::slot_partition(&b.space_id, slot.start));
            let sk = s(keys::slot(slot.start, &b.bookable_item_id));
            let action = match t.slots {
                SlotChange::Keep => break,
                SlotChange::Book => TransactWriteItem::builder()
                    .update(built(
                        Update::builder()
                            .table_name(table)
                            .key("PK", pk)
                            .key("SK", sk)
                            .update_expression(
                                "SET #state = :booked, #ttl = :ttl REMOVE hold_expires_at",
                            )
                            .condition_expression("booking_id = :id")
                            .expression_attribute_names("#state", "state")
                            .expression_attribute_names("#ttl", "ttl")
                            .expression_attribute_values(":booked", s("booked"))
                            .expression_attribute_values(":ttl", ttl_after(b.end_time, 30))
                            .expression_attribute_values(":id", s(&b.id))
                            .build(),
                    )?)
                    .build(),
                SlotChange::Release => TransactWriteItem::builder()
                    .delete(built(
                        Delete::builder()
                            .table_name(table)
                            .key("PK", pk)
                            .key("SK", sk)
                            .condition_expression("booking_id = :id")
                            .expression_attribute_values(":id", s(&b.id))
                            .build(),
                    )?)
                    .build(),
                SlotChange::Reclaim => {
                    let mut item = to_item(
                        keys::slot_partition(&b.space_id, slot.start),
                        keys::slot(slot.start, &b.bookable_item_id),
                        "Slot",
                        &SlotRecord {
                            booking_id: &b.id,
                            item_id: &b.bookable_item_id,
                            kind: slot.kind,
                            state: "booked",
                            booking_start: start.clone(),
                            booking_end: end.clone(),
                        },
                    )?;
                    item.insert("ttl".into(), ttl_after(b.end_time, 30));
                    TransactWriteItem::builder()
                        .put(built(
                            Put::builder()
                                .table_name(table)
                                .set_item(Some(item))
                                .condition_expression(
                                    "attribute_not_exists(PK) OR booking_id = :id OR (#state = :held AND hold_expires_at < :now)",
                                )
                                .expression_attribute_names("#state", "state")
                                .expression_attribute_values(":id", s(&b.id))
                                .expression_attribute_values(":held", s("held"))
                                .expression_attribute_values(":now", s(sortable(t.now)))
                                .build(),
                        )?)
                        .build()
                }
            };
            actions.push(action);
            tags.push(Action::Slot(i));
        }
        if let Some(p) = t.payment {
            actions.push(payment_put(table, p)?);
            tags.push(Action::Payment);
        }
        for event in t.events {
            actions.push(event_put(table, event)?);
            tags.push(Action::Event);
        }
        // A hold that ends (paid, cancelled, failed, expired) gives its place back.
        if b.status == BookingStatus::Pending && t.to != BookingStatus::Pending {
            actions.push(holds_update(table, &b.user_id, -1, None)?);
            tags.push(Action::HoldLimit);
        }
        if t.to == BookingStatus::Confirmed
            && b.status != BookingStatus::Confirmed
            && let Some(at) = reminder_at(b.start_time, t.now)
        {
            actions.push(due_put(table, DueKind::Remind, &b.id, at)?);
            tags.push(Action::Event);
        }
        if let Some(entry) = t.audit {
            actions.push(audit_put(table, entry)?);
            tags.push(Action::Event);
        }
        let err = match self.transact("transition_booking", actions).await {
            Ok(()) => return Ok(()),
            Err(err) => err,
        };
        if let Some(TransactWriteItemsError::TransactionCanceledException(e)) =
            err.as_service_error()
        {
            let failed: Vec<Action> = e
                .cancellation_reasons()
                .iter()
                .zip(&tags)
                .filter(|(r, _)| r.code() == Some("ConditionalCheckFailed"))
                .map(|(_, t)| *t)
                .collect();
            if failed.iter().any(|t| matches!(t, Action::Idempotency)) {
                return Err(TransitionError::Duplicate);
            }
            if failed.iter().any(|t| matches!(t, Action::Booking)) {
                return Err(TransitionError::Changed);
            }
            if failed.iter().any(|t| matches!(t, Action::Slot(_))) {
                return Err(match t.slots {
                    SlotChange::Reclaim => TransitionError::SlotTaken,
                    // A claim that is no longer ours: the hold ran out and it was taken.
                    _ => TransitionError::Changed,
                });
            }
        }
        Err(store_error(err).into())
    }

    async fn remember_stripe_event(
        &self,
        event_id: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let item = stripe_event_item(event_id, now);
        match self.put_new(item).await {
            Ok(()) => Ok(true),
            Err(StoreError::AlreadyExists) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn slot_claims(
        &self,
        space_id: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<SlotClaim>, StoreError> {
        let mut tasks = tokio::task::JoinSet::new();
        for pk in keys::slot_partitions(space_id, from, to) {
            let (client, table) = (self.client.clone(), self.table.clone());
            let (lo, hi) = (sortable(from), sortable(to));
            tasks.spawn(async move {
                let mut items = Vec::new();
                let mut start = None;
                loop {
                    let out = client
                        .query()
                        .table_name(&table)
                        // Slots starting in [from, to): "<to>#item" sorts after "<to>".
                        .key_condition_expression("PK = :pk AND SK BETWEEN :lo AND :hi")
                        .expression_attribute_values(":pk", AttributeValue::S(pk.clone()))
                        .expression_attribute_values(":lo", AttributeValue::S(lo.clone()))
                        .expression_attribute_values(":hi", AttributeValue::S(hi.clone()))
                        .set_exclusive_start_key(start)
                        .return_consumed_capacity(ReturnConsumedCapacity::Total)
                        .send()
                        .await
                        .map_err(store_error)?;
                    crate::metrics::record(
                        "slot_claims",
                        out.consumed_capacity().and_then(|c| c.capacity_units),
                    );
                    items.extend(out.items.unwrap_or_default());
                    start = out.last_evaluated_key;
                    if start.is_none() {
                        return Ok::<_, StoreError>(items);
                    }
                }
            });
        }
        let mut claims = Vec::new();
        while let Some(done) = tasks.join_next().await {
            for item in done.map_err(|e| StoreError::Other(Box::new(e)))?? {
                claims.extend(slot_claim(&item));
            }
        }
        claims.sort_by(|a, b| (a.start, &a.item_id).cmp(&(b.start, &b.item_id)));
        Ok(claims)
    }
}

fn slot_claim(item: &Item) -> Option<SlotClaim> {
    let text = |k: &str| item.get(k).and_then(|v| v.as_s().ok());
    let sk = text("SK")?;
    let (start, _) = sk.split_once('#')?;
    Some(SlotClaim {
        item_id: text("item_id")?.clone(),
        start: start.parse().ok()?,
        booking_id: text("booking_id")?.clone(),
        kind: if text("kind").map(String::as_str) == Some("buffer") {
            SlotKind::Buffer
        } else {
            SlotKind::Booking
        },
        held_until: match text("state").map(String::as_str) {
            Some("held") => text("hold_expires_at").and_then(|t| t.parse().ok()),
            _ => None,
        },
    })
}

const CURSOR_KEYS: [&str; 4] = ["PK", "SK", "GSI1PK", "GSI1SK"];

fn encode_cursor(item: &Item) -> String {
    let keys: HashMap<&str, &str> = CURSOR_KEYS
        .iter()
        .filter_map(|k| Some((*k, item.get(*k)?.as_s().ok()?.as_str())))
        .collect();
    B64.encode(serde_json::to_vec(&keys).unwrap_or_default())
}

/// A cursor is only accepted for the partition it came from: it cannot be turned into a
/// way to page through someone else's bookings.
fn decode_cursor(cursor: &str, expected_pk: &str) -> Result<Item, StoreError> {
    let invalid = || StoreError::BadCursor;
    let bytes = B64.decode(cursor).map_err(|_| invalid())?;
    let keys: HashMap<String, String> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if keys.len() != CURSOR_KEYS.len()
        || keys.get("GSI1PK").map(String::as_str) != Some(expected_pk)
    {
        return Err(invalid());
    }
    Ok(keys
        .into_iter()
        .map(|(k, v)| (k, AttributeValue::S(v)))
        .collect())
}
