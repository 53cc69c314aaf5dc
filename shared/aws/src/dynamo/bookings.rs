//! Bookings in the table: the lifecycle's transactions (built in `booking_txn`), reads,
//! claims for availability, and the markers that item and space deletion read.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jiff::Timestamp;

use super::booking_txn::{self, Tag, taken_interval};
use super::writes::{s, stripe_event_item};
use super::{DynamoStore, Item, from_item, keys, store_error};
use app::ports::bookings::*;
use app::ports::store::StoreError;
use domain::booking::{Booking, BookingStatus, SlotKind};
use domain::instant::sortable;
use domain::lifecycle::ClaimChange;
use domain::payment::PaymentTransaction;

/// An action whose condition failed, with the old image it returned.
type Failed<'a> = (Tag, Option<&'a HashMap<String, AttributeValue>>);

/// The tags of the actions whose condition failed, with the old image each returned.
fn failed_actions<'a>(err: &'a super::TxnError, tags: &[Tag]) -> Option<Vec<Failed<'a>>> {
    match err.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(e)) => Some(
            e.cancellation_reasons()
                .iter()
                .zip(tags)
                .filter(|(r, _)| r.code() == Some("ConditionalCheckFailed"))
                .map(|(r, t)| (*t, r.item.as_ref()))
                .collect(),
        ),
        _ => None,
    }
}

impl DynamoStore {
    /// A live claim of another booking on the item within `b`'s interval and buffer.
    async fn claim_in_the_way(&self, b: &Booking, now: Timestamp) -> Option<SlotClaim> {
        let end = b.slots.last().map_or(b.end_time, |s| s.block().end());
        self.slot_claims(&b.space_id, b.start_time, end)
            .await
            .ok()?
            .into_iter()
            .find(|c| {
                c.item_id == b.bookable_item_id
                    && c.booking_id != b.id
                    && c.active_at(now)
                    && c.start < end
                    && b.start_time < c.end
            })
    }
}

impl BookingStore for DynamoStore {
    async fn create_booking(
        &self,
        c: &Creation,
        idempotency: Option<&IdempotencyRecord>,
    ) -> Result<(), CreateBookingError> {
        let now = Timestamp::now();
        let txn = booking_txn::create(&self.table, c, idempotency, now)?;
        let err = match self.transact("create_booking", txn.actions).await {
            Ok(()) => return Ok(()),
            Err(err) => err,
        };
        if let Some(failed) = failed_actions(&err, &txn.tags) {
            let has = |want: fn(&Tag) -> bool| failed.iter().any(|(t, _)| want(t));
            if has(|t| *t == Tag::Idempotency) {
                return Err(CreateBookingError::KeyUsed);
            }
            if let Some((_, old)) = failed.iter().find(|(t, _)| *t == Tag::HoldLimit) {
                // Which limit applied: the counter says whether the account is new.
                let new_account = old
                    .and_then(|o| o.get("new_until"))
                    .and_then(|v| v.as_s().ok())
                    .is_some_and(|until| until.as_str() > sortable(now).as_str());
                return Err(CreateBookingError::TooManyHolds {
                    limit: if new_account {
                        c.new_account_hold_limit
                    } else {
                        c.hold_limit
                    },
                    new_account,
                });
            }
            // Planned on rules that changed since: plan again before naming a quota.
            if has(|t| matches!(t, Tag::Version | Tag::Usage)) {
                return Err(CreateBookingError::Stale);
            }
            // The code changed or was switched off since it was read: read it again;
            // else it is used up.
            if let Some((_, old)) = failed.iter().find(|(t, _)| *t == Tag::PromoCode) {
                let as_read = c.promo.as_ref().and_then(|p| p.version);
                let version = old
                    .and_then(|o| o.get("version"))
                    .and_then(|v| v.as_n().ok())
                    .and_then(|v| v.parse::<u64>().ok());
                let off = old
                    .and_then(|o| o.get("disabled"))
                    .and_then(|v| v.as_bool().ok())
                    .copied()
                    .unwrap_or(true);
                if version != as_read || off {
                    return Err(CreateBookingError::Stale);
                }
                return Err(CreateBookingError::PromoUsedUp { member: false });
            }
            if has(|t| *t == Tag::PromoMember) {
                return Err(CreateBookingError::PromoUsedUp { member: true });
            }
            if let Some(i) = failed.iter().find_map(|(t, _)| match t {
                Tag::Quota(i) => Some(*i),
                _ => None,
            }) {
                return Err(CreateBookingError::QuotaReached { index: i });
            }
            let claimed = failed.iter().find_map(|(t, old)| match t {
                Tag::Claim(i) => Some((c.booking.slots.get(*i)?.start, old)),
                Tag::Mark(block) => Some((block.start, old)),
                _ => None,
            });
            if let Some((slot_start, old)) = claimed {
                let (mut kind, mut taken) = taken_interval(*old);
                if taken.is_none() {
                    // The block was only marked as partly used: name a claim in the way
                    // (one read, on the refusal path only).
                    if let Some(c) = self.claim_in_the_way(&c.booking, now).await {
                        (kind, taken) = (Some(c.kind), c.booking);
                    }
                }
                let mut marked_by: Vec<String> = failed
                    .iter()
                    .filter(|(t, _)| matches!(t, Tag::Claim(_)))
                    .filter_map(|(_, old)| old.filter(|o| !o.contains_key("booking_id")))
                    .filter_map(|old| old.get("users")?.as_ss().ok())
                    .flatten()
                    .cloned()
                    .collect();
                marked_by.sort();
                marked_by.dedup();
                return Err(CreateBookingError::SlotTaken {
                    slot_start,
                    kind,
                    taken,
                    marked_by,
                });
            }
            if !failed.is_empty() {
                return Err(StoreError::AlreadyExists.into());
            }
        }
        Err(store_error(err).into())
    }

    async fn apply(&self, e: &Effects) -> Result<(), TransitionError> {
        let now = Timestamp::now();
        let txn = booking_txn::apply(&self.table, e, now)?;
        let err = match self.transact("apply_booking_change", txn.actions).await {
            Ok(()) => return Ok(()),
            Err(err) => err,
        };
        if let Some(failed) = failed_actions(&err, &txn.tags) {
            let has = |want: fn(&Tag) -> bool| failed.iter().any(|(t, _)| want(t));
            if has(|t| *t == Tag::StripeEvent) {
                return Err(TransitionError::Duplicate);
            }
            if has(|t| *t == Tag::Booking) {
                return Err(TransitionError::Changed);
            }
            if has(|t| *t == Tag::Number) {
                return Err(TransitionError::NumberTaken);
            }
            if has(|t| {
                matches!(
                    t,
                    Tag::Claim(_)
                        | Tag::Mark(_)
                        | Tag::Usage
                        | Tag::Quota(_)
                        | Tag::Version
                        | Tag::PromoCode
                        | Tag::PromoMember
                )
            }) {
                return Err(match e.claims {
                    ClaimChange::Reclaim => TransitionError::ReclaimRefused,
                    // A claim that is no longer ours: the hold ran out and it was taken.
                    _ => TransitionError::Changed,
                });
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
            .key("PK", s(keys::user(user_id)))
            .key("SK", s(keys::idempotency(key)))
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

    async fn list_bookings(&self, q: &BookingQuery<'_>) -> Result<Page<Booking>, StoreError> {
        // A member's bookings are in GSI1 by start, a space's in GSI2 by end.
        let index = match q.of {
            BookingsOf::User(id) => ListIndex::new("GSI1", keys::user_bookings(id)),
            BookingsOf::Space(id) => ListIndex::new("GSI2", keys::space_bookings(id)),
        };
        let pk = &index.pk;
        let mut start_key = match q.cursor {
            Some(c) => Some(decode_cursor(c, &index)?),
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
        // A space's index is sorted by end time: "upcoming" and "past" are key ranges there,
        // so a busy space's history is never read to find what is still to come.
        // (`<end>#...` > `<now>#~` exactly when end > now: the instants are fixed width.)
        let range = match (q.of, q.when) {
            (BookingsOf::Space(_), When::Upcoming) => Some(">"),
            (BookingsOf::Space(_), When::Past) => Some("<"),
            _ => None,
        };
        let mut key_condition = format!("{}PK = :pk", index.name);
        if let Some(op) = range {
            key_condition.push_str(&format!(" AND {}SK {op} :bound", index.name));
        }
        let mut items: Vec<Item> = Vec::new();
        let mut last_key;
        let mut pages = 0;
        loop {
            pages += 1;
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index.name)
                .key_condition_expression(key_condition.clone())
                .expression_attribute_values(":pk", s(pk))
                // Upcoming soonest first; past and all most recent first.
                .scan_index_forward(q.when == When::Upcoming)
                .limit(q.limit as i32)
                .set_exclusive_start_key(start_key.take());
            if range.is_some() {
                query = query.expression_attribute_values(":bound", s(format!("{now}#~")));
            }
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
            if items.len() >= q.limit || last_key.is_none() || pages == MAX_LIST_PAGES {
                break;
            }
            start_key = last_key.clone();
        }
        let next_cursor = if items.len() < q.limit && pages == MAX_LIST_PAGES {
            // Read enough for one request: the cursor resumes where reading stopped.
            last_key.as_ref().map(|k| encode_cursor(k, &index))
        } else if items.len() > q.limit {
            items.truncate(q.limit);
            items.last().map(|i| encode_cursor(i, &index))
        } else if items.len() == q.limit {
            // Resume after the last returned item (there may be more).
            last_key
                .as_ref()
                .and(items.last())
                .map(|i| encode_cursor(i, &index))
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

    async fn find_bookings_by_intent(
        &self,
        payment_intent_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("GSI2")
            .key_condition_expression("GSI2PK = :pk")
            .expression_attribute_values(":pk", s(keys::intent(payment_intent_id)))
            .send()
            .await
            .map_err(store_error)?;
        // One page: an intent pays one booking, or a series of at most 52 occurrences.
        Ok(out
            .items
            .unwrap_or_default()
            .iter()
            .filter_map(|i| i.get("GSI2SK"))
            .filter_map(|v| v.as_s().ok())
            .filter_map(|sk| sk.strip_prefix("BOOKING#"))
            .map(str::to_owned)
            .collect())
    }

    async fn has_upcoming_bookings(
        &self,
        space_id: &str,
        item_id: Option<&str>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .expression_attribute_values(":pk", s(keys::upcoming(space_id)))
            .expression_attribute_values(":now", s(sortable(now)))
            .filter_expression(
                "end_time > :now AND (attribute_not_exists(hold_expires_at) OR hold_expires_at > :now)",
            )
            .consistent_read(true);
        query = match item_id {
            Some(item) => query
                .key_condition_expression("PK = :pk AND begins_with(SK, :item)")
                .expression_attribute_values(":item", s(format!("{item}#"))),
            None => query.key_condition_expression("PK = :pk"),
        };
        let mut start = None;
        loop {
            let out = query
                .clone()
                .set_exclusive_start_key(start)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(store_error)?;
            crate::metrics::record(
                "has_upcoming_bookings",
                out.consumed_capacity().and_then(|c| c.capacity_units),
            );
            if out.count > 0 {
                return Ok(true);
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(false);
            }
        }
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
        // A block is keyed by its start: one that started up to a day (the longest
        // block) before `from` may still cover it.
        let early = from
            .checked_sub(jiff::SignedDuration::from_mins(
                domain::claims::Level::Day.minutes() as i64,
            ))
            .unwrap_or(from);
        for pk in keys::slot_partitions(space_id, early, to) {
            let (client, table) = (self.client.clone(), self.table.clone());
            let (lo, hi) = (sortable(early), sortable(to));
            tasks.spawn(crate::telemetry::context::inherit(async move {
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
            }));
        }
        let mut claims = Vec::new();
        while let Some(done) = tasks.join_next().await {
            for item in done.map_err(|e| StoreError::Other(Box::new(e)))?? {
                // Blocks only marked as partly used carry no booking: skipped.
                claims.extend(slot_claim(&item).filter(|c| c.end > from));
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
    let start: Timestamp = start.parse().ok()?;
    let minutes: i64 = item
        .get("minutes")
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(domain::claims::CELL_MINUTES as i64);
    let at = |k: &str| text(k).and_then(|t| t.parse::<Timestamp>().ok());
    Some(SlotClaim {
        booking: at("booking_start").zip(at("booking_end")),
        item_id: text("item_id")?.clone(),
        start,
        end: start
            .checked_add(jiff::SignedDuration::from_mins(minutes))
            .ok()?,
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

/// Reads of one index per list request, at most (filters can skip many rows; the page
/// then ends early with a cursor, rather than reading a whole history).
const MAX_LIST_PAGES: usize = 8;

/// The index a list reads and its partition.
pub(super) struct ListIndex {
    pub(super) name: &'static str,
    pub(super) pk: String,
}

impl ListIndex {
    pub(super) fn new(name: &'static str, pk: String) -> Self {
        Self { name, pk }
    }

    /// The attributes of an item's position in this index (what a cursor holds).
    fn cursor_keys(&self) -> [String; 4] {
        [
            "PK".into(),
            "SK".into(),
            format!("{}PK", self.name),
            format!("{}SK", self.name),
        ]
    }
}

pub(super) fn encode_cursor(item: &Item, index: &ListIndex) -> String {
    let keys: HashMap<String, &str> = index
        .cursor_keys()
        .into_iter()
        .filter_map(|k| {
            let v = item.get(&k)?.as_s().ok()?.as_str();
            Some((k, v))
        })
        .collect();
    B64.encode(serde_json::to_vec(&keys).unwrap_or_default())
}

/// A cursor is only accepted for the index and partition it came from: it cannot be
/// turned into a way to page through someone else's bookings.
pub(super) fn decode_cursor(cursor: &str, index: &ListIndex) -> Result<Item, StoreError> {
    let invalid = || StoreError::BadCursor;
    let bytes = B64.decode(cursor).map_err(|_| invalid())?;
    let keys: HashMap<String, String> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let expected = index.cursor_keys();
    if keys.len() != expected.len()
        || expected
            .iter()
            .any(|k| keys.get(k).is_none_or(|v| v.is_empty()))
        || keys.get(&format!("{}PK", index.name)) != Some(&index.pk)
    {
        return Err(invalid());
    }
    Ok(keys
        .into_iter()
        .map(|(k, v)| (k, AttributeValue::S(v)))
        .collect())
}
