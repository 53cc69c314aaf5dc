//! The transactions of a booking's lifecycle: `Creation` and `Effects` (decided in
//! `domain::lifecycle`) translated into TransactWriteItems actions, one for one. Nothing
//! here decides; each action is tagged so a cancellation reason maps back to its meaning.
//! Pure functions: the tests below count the actions of every worst case.

use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem, Update,
};
use jiff::Timestamp;
use serde::Serialize;

use super::writes::{audit_put, built, due_put, event_put, n, s, stripe_event_put, ttl_after};
use super::{Item, keys, to_item, to_item_with_indexes};
use app::ports::bookings::IdempotencyRecord;
use app::ports::store::StoreError;
use domain::booking::{Booking, PlannedSlot, SlotKind};
use domain::claims::Block;
use domain::instant::sortable;
use domain::lifecycle::{ClaimChange, Creation, Effects, MarkerChange, QuotaChange, UsageChange};
use domain::payment::PaymentTransaction;

/// What a transaction action is, to read its cancellation reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tag {
    Idempotency,
    StripeEvent,
    /// Space, item or membership version check.
    Version,
    /// The included-minutes counter (taking minutes).
    Usage,
    /// The member's unpaid-holds counter (with its limit).
    HoldLimit,
    /// A quota counter taken (its index in the change list).
    Quota(usize),
    Booking,
    /// A block claimed whole (its index in the booking's slots).
    Claim(usize),
    /// A block marked as partly used.
    Mark(Block),
    /// An invoice or credit note and its issuer's sequence (the number was taken).
    Number,
    /// A promo code's redemption counter (changed, switched off or used up).
    PromoCode,
    /// A member's redemptions of a promo code (their limit reached).
    PromoMember,
    /// Writes without a condition that can fail for a reason of ours.
    Other,
}

pub(super) struct Txn {
    pub actions: Vec<TransactWriteItem>,
    pub tags: Vec<Tag>,
}

impl Txn {
    fn new() -> Self {
        Self {
            actions: Vec::new(),
            tags: Vec::new(),
        }
    }

    fn push(&mut self, tag: Tag, action: TransactWriteItem) {
        self.actions.push(action);
        self.tags.push(tag);
    }
}

pub(super) fn booking_item(b: &Booking) -> Result<Item, StoreError> {
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

/// The payment record, findable by its PaymentIntent (GSI2): Stripe's news about a
/// refund made in its dashboard carries only the intent.
pub(super) fn payment_item(p: &PaymentTransaction) -> Result<Item, StoreError> {
    let mut item = to_item(
        keys::booking(&p.booking_id),
        keys::PAYMENT.into(),
        "PaymentTransaction",
        p,
    )?;
    item.insert(
        "GSI2PK".into(),
        s(keys::intent(&p.stripe_payment_intent_id)),
    );
    item.insert("GSI2SK".into(), s(keys::booking(&p.booking_id)));
    Ok(item)
}

fn put(item: Item, table: &str) -> aws_sdk_dynamodb::types::builders::PutBuilder {
    Put::builder().table_name(table).set_item(Some(item))
}

fn action_put(
    p: aws_sdk_dynamodb::types::builders::PutBuilder,
) -> Result<TransactWriteItem, StoreError> {
    Ok(TransactWriteItem::builder().put(built(p.build())?).build())
}

fn action_update(
    u: aws_sdk_dynamodb::types::builders::UpdateBuilder,
) -> Result<TransactWriteItem, StoreError> {
    Ok(TransactWriteItem::builder()
        .update(built(u.build())?)
        .build())
}

fn action_delete(
    d: aws_sdk_dynamodb::types::builders::DeleteBuilder,
) -> Result<TransactWriteItem, StoreError> {
    Ok(TransactWriteItem::builder()
        .delete(built(d.build())?)
        .build())
}

/// The hold limits a new hold is checked against.
struct HoldLimits {
    limit: u32,
    /// While the counter's `new_until` (the account's probation) is after `now`.
    new_account: u32,
    now: Timestamp,
}

/// The member's count of unpaid holds moves by `delta`; with limits, only while below the
/// one that applies (no read: the counter carries the account's probation end).
fn holds_update(
    table: &str,
    user_id: &str,
    delta: i64,
    limits: Option<HoldLimits>,
) -> Result<TransactWriteItem, StoreError> {
    let mut update = Update::builder()
        .table_name(table)
        .key("PK", s(keys::user(user_id)))
        .key("SK", s(keys::HOLDS))
        .update_expression("ADD active :delta")
        .expression_attribute_values(":delta", n(delta));
    if let Some(l) = limits {
        update = update
            .condition_expression(
                "(attribute_not_exists(active) OR active < :limit) AND \
                 (attribute_not_exists(new_until) OR new_until <= :now \
                  OR attribute_not_exists(active) OR active < :new_limit)",
            )
            .expression_attribute_values(":limit", n(l.limit))
            .expression_attribute_values(":new_limit", n(l.new_account))
            .expression_attribute_values(":now", s(sortable(l.now)))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
    }
    action_update(update)
}

/// Included minutes taken (only while the month's counter leaves room) or given back.
fn usage_update(
    table: &str,
    user_id: &str,
    u: &UsageChange,
) -> Result<(Tag, TransactWriteItem), StoreError> {
    let mut update = Update::builder()
        .table_name(table)
        .key("PK", s(keys::user(user_id)))
        .key("SK", s(keys::usage(&u.month)))
        .update_expression("ADD minutes :n")
        .expression_attribute_values(":n", n(u.minutes));
    if u.minutes > 0 {
        let max = (u.allowance as i64 - u.minutes).max(-1);
        update = update
            .condition_expression("attribute_not_exists(minutes) OR minutes <= :max")
            .expression_attribute_values(":max", n(max));
        return Ok((Tag::Usage, action_update(update)?));
    }
    Ok((Tag::Other, action_update(update)?))
}

/// A quota counter taken (only while it stays within its limit) or given back.
fn quota_update(
    table: &str,
    user_id: &str,
    q: &QuotaChange,
) -> Result<TransactWriteItem, StoreError> {
    let mut update = Update::builder()
        .table_name(table)
        .key("PK", s(keys::user(user_id)))
        .key("SK", s(keys::quota(&q.counter)))
        .update_expression("ADD used :n")
        .expression_attribute_values(":n", n(q.delta));
    if let Some(limit) = q.limit {
        // A take larger than the whole limit never fits, not even on a fresh counter.
        let condition = if q.delta > limit {
            "used <= :max"
        } else {
            "attribute_not_exists(used) OR used <= :max"
        };
        update = update
            .condition_expression(condition)
            .expression_attribute_values(":max", n((limit - q.delta).max(-1)));
    }
    action_update(update)
}

fn membership_check(
    table: &str,
    user_id: &str,
    version: Option<u64>,
) -> Result<TransactWriteItem, StoreError> {
    let check = ConditionCheck::builder()
        .table_name(table)
        .key("PK", s(keys::user(user_id)))
        .key("SK", s(keys::MEMBERSHIP));
    let check = match version {
        Some(v) => check
            .condition_expression("version = :v")
            .expression_attribute_values(":v", n(v)),
        None => check.condition_expression("attribute_not_exists(PK)"),
    };
    Ok(TransactWriteItem::builder()
        .condition_check(built(check.build())?)
        .build())
}

#[derive(Serialize)]
struct SlotRecord<'a> {
    booking_id: &'a str,
    item_id: &'a str,
    kind: SlotKind,
    /// `held` until payment confirms it, then `booked`.
    state: &'static str,
    /// The block's length: 15 (a cell), 60 (an hour) or 1440 (a day), `domain::claims`.
    minutes: u32,
    booking_start: String,
    booking_end: String,
}

fn claim_key(b: &Booking, block: Block) -> (AttributeValue, AttributeValue) {
    (
        s(keys::slot_partition(&b.space_id, block.start)),
        s(keys::slot(block, &b.bookable_item_id)),
    )
}

fn claim_item(
    b: &Booking,
    slot: &PlannedSlot,
    hold: Option<Timestamp>,
) -> Result<Item, StoreError> {
    let block = slot.block();
    let mut item = to_item(
        keys::slot_partition(&b.space_id, block.start),
        keys::slot(block, &b.bookable_item_id),
        "Slot",
        &SlotRecord {
            booking_id: &b.id,
            item_id: &b.bookable_item_id,
            kind: slot.kind,
            state: if hold.is_some() { "held" } else { "booked" },
            minutes: block.level.minutes(),
            booking_start: sortable(b.start_time),
            booking_end: sortable(b.end_time),
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
    Ok(item)
}

/// A whole claim on a block: free (neither claimed nor marked as partly used), claimed by
/// a hold that has run out, or (`ours`, taking time back) already this booking's.
fn claim_put(
    table: &str,
    b: &Booking,
    slot: &PlannedSlot,
    hold: Option<Timestamp>,
    ours: bool,
    now: Timestamp,
) -> Result<TransactWriteItem, StoreError> {
    let mut condition = String::from(
        "(attribute_not_exists(booking_id) AND attribute_not_exists(#users)) OR (#state = :held AND hold_expires_at < :now)",
    );
    let mut p = put(claim_item(b, slot, hold)?, table);
    if ours {
        condition.push_str(" OR booking_id = :id");
        p = p.expression_attribute_values(":id", s(&b.id));
    }
    action_put(
        p.condition_expression(condition)
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#users", "users")
            .expression_attribute_values(":held", s("held"))
            .expression_attribute_values(":now", s(sortable(now)))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld),
    )
}

/// Marks a block as partly used by this booking (`domain::claims::intents`): refused
/// while another booking claims it whole, unless that claim is a hold that has run out,
/// whose claim the mark then ends. Marks are a set of booking ids, so two bookings of
/// one day mark it side by side and each withdraws only its own.
fn mark_update(
    table: &str,
    b: &Booking,
    block: Block,
    now: Timestamp,
) -> Result<TransactWriteItem, StoreError> {
    let (pk, sk) = claim_key(b, block);
    action_update(
        Update::builder()
            .table_name(table)
            .key("PK", pk)
            .key("SK", sk)
            .update_expression(
                "ADD #users :me SET item_id = :item, minutes = :minutes, #ttl = :ttl \
                 REMOVE booking_id, #state, hold_expires_at, kind, booking_start, booking_end",
            )
            .condition_expression(
                "attribute_not_exists(booking_id) OR (#state = :held AND hold_expires_at < :now)",
            )
            .expression_attribute_names("#users", "users")
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":me", AttributeValue::Ss(vec![b.id.clone()]))
            .expression_attribute_values(":item", s(&b.bookable_item_id))
            .expression_attribute_values(":minutes", n(block.level.minutes() as u64))
            .expression_attribute_values(":ttl", ttl_after(block.end(), 30))
            .expression_attribute_values(":held", s("held"))
            .expression_attribute_values(":now", s(sortable(now)))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld),
    )
}

/// Withdraws this booking's mark (no condition: removing our own id is always right; on
/// a block whose item has gone, the item left behind carries only its keys and a TTL).
fn unmark_update(table: &str, b: &Booking, block: Block) -> Result<TransactWriteItem, StoreError> {
    let (pk, sk) = claim_key(b, block);
    action_update(
        Update::builder()
            .table_name(table)
            .key("PK", pk)
            .key("SK", sk)
            .update_expression("DELETE #users :me SET #ttl = if_not_exists(#ttl, :ttl)")
            .expression_attribute_names("#users", "users")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":me", AttributeValue::Ss(vec![b.id.clone()]))
            .expression_attribute_values(":ttl", ttl_after(block.end(), 30)),
    )
}

fn marker_action(
    table: &str,
    b: &Booking,
    change: MarkerChange,
) -> Result<Option<TransactWriteItem>, StoreError> {
    let (pk, sk) = (
        keys::upcoming(&b.space_id),
        keys::upcoming_entry(&b.bookable_item_id, &b.id),
    );
    Ok(match change {
        MarkerChange::Keep => None,
        MarkerChange::Delete => Some(action_delete(
            Delete::builder()
                .table_name(table)
                .key("PK", s(pk))
                .key("SK", s(sk)),
        )?),
        MarkerChange::Put { hold_expires_at } => {
            let mut item: Item = Item::new();
            item.insert("PK".into(), s(pk));
            item.insert("SK".into(), s(sk));
            item.insert("end_time".into(), s(sortable(b.end_time)));
            if let Some(hold) = hold_expires_at {
                item.insert("hold_expires_at".into(), s(sortable(hold)));
            }
            item.insert("ttl".into(), ttl_after(b.end_time, 1));
            Some(action_put(put(item, table))?)
        }
    })
}

/// Creating a booking: see `ports::bookings::BookingStore::create_booking`.
pub(super) fn create(
    table: &str,
    c: &Creation,
    idempotency: Option<&IdempotencyRecord>,
    now: Timestamp,
) -> Result<Txn, StoreError> {
    let b = &c.booking;
    let hold = b.hold_expires_at;
    let mut t = Txn::new();
    // The idempotency record goes first: when it fails, that is the answer that counts.
    if let Some(idem) = idempotency {
        let mut item = to_item(
            keys::user(&b.user_id),
            keys::idempotency(&idem.key),
            "Idempotency",
            idem,
        )?;
        item.insert("ttl".into(), ttl_after(now, 1));
        t.push(
            Tag::Idempotency,
            action_put(put(item, table).condition_expression("attribute_not_exists(PK)"))?,
        );
    }
    let space_check = ConditionCheck::builder()
        .table_name(table)
        .key("PK", s(keys::space(&b.space_id)))
        .key("SK", s(keys::PROFILE))
        .condition_expression("#status = :active AND version = :v")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":active", s("active"))
        .expression_attribute_values(":v", n(c.space_version));
    let item_check = ConditionCheck::builder()
        .table_name(table)
        .key("PK", s(keys::space(&b.space_id)))
        .key("SK", s(keys::item(&b.bookable_item_id)))
        .condition_expression("version = :v")
        .expression_attribute_values(":v", n(c.item_version));
    for check in [space_check, item_check] {
        t.push(
            Tag::Version,
            TransactWriteItem::builder()
                .condition_check(built(check.build())?)
                .build(),
        );
    }
    t.push(
        Tag::Version,
        membership_check(table, &b.user_id, c.membership_version)?,
    );
    if let Some(u) = &c.usage {
        let (tag, action) = usage_update(table, &b.user_id, u)?;
        t.push(tag, action);
    }
    for (i, q) in c.quotas.iter().enumerate() {
        t.push(Tag::Quota(i), quota_update(table, &b.user_id, q)?);
    }
    if let Some(p) = &c.promo {
        let [code, member] = super::promos::redemption(table, &b.user_id, p)?;
        t.push(Tag::PromoCode, code);
        t.push(Tag::PromoMember, member);
    }
    if c.holds != 0 {
        t.push(
            Tag::HoldLimit,
            holds_update(
                table,
                &b.user_id,
                c.holds,
                Some(HoldLimits {
                    limit: c.hold_limit,
                    new_account: c.new_account_hold_limit,
                    now,
                }),
            )?,
        );
    }
    t.push(
        Tag::Booking,
        action_put(put(booking_item(b)?, table).condition_expression("attribute_not_exists(PK)"))?,
    );
    // Each block claimed whole: free, or held by a hold that has run out; each block
    // above them marked as partly used. Never a read-then-write.
    for (i, slot) in b.slots.iter().enumerate() {
        t.push(Tag::Claim(i), claim_put(table, b, slot, hold, false, now)?);
    }
    for block in b.intents() {
        t.push(Tag::Mark(block), mark_update(table, b, block, now)?);
    }
    if let Some(p) = &c.payment {
        t.push(Tag::Other, action_put(put(payment_item(p)?, table))?);
    }
    for due in &c.due {
        t.push(Tag::Other, due_put(table, due.kind, &b.id, due.at)?);
    }
    t.push(Tag::Other, event_put(table, &c.event)?);
    if let Some(marker) = marker_action(table, b, c.marker)? {
        t.push(Tag::Other, marker);
    }
    Ok(t)
}

/// The booking's next state, if the stored one is still `before`.
fn booking_put(table: &str, e: &Effects, now: Timestamp) -> Result<TransactWriteItem, StoreError> {
    let mut p =
        put(booking_item(&e.after)?, table).expression_attribute_values(":v", n(e.before.version));
    p = if e.require_live_hold {
        p.condition_expression("version = :v AND #status = :pending AND hold_expires_at > :now")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":now", s(sortable(now)))
    } else {
        p.condition_expression("version = :v")
    };
    action_put(p)
}

/// What a claim change does to one block the booking claims whole.
fn claim_action(
    table: &str,
    b: &Booking,
    slot: &PlannedSlot,
    change: ClaimChange,
    now: Timestamp,
) -> Result<Option<TransactWriteItem>, StoreError> {
    let (pk, sk) = claim_key(b, slot.block());
    Ok(Some(match change {
        // An expired hold's whole claims may be someone else's by now: left alone.
        ClaimChange::Keep | ClaimChange::Abandon => return Ok(None),
        ClaimChange::Book => action_update(
            Update::builder()
                .table_name(table)
                .key("PK", pk)
                .key("SK", sk)
                .update_expression("SET #state = :booked, #ttl = :ttl REMOVE hold_expires_at")
                .condition_expression("booking_id = :id")
                .expression_attribute_names("#state", "state")
                .expression_attribute_names("#ttl", "ttl")
                .expression_attribute_values(":booked", s("booked"))
                .expression_attribute_values(":ttl", ttl_after(b.end_time, 30))
                .expression_attribute_values(":id", s(&b.id)),
        )?,
        ClaimChange::Release => action_delete(
            Delete::builder()
                .table_name(table)
                .key("PK", pk)
                .key("SK", sk)
                .condition_expression("booking_id = :id")
                .expression_attribute_values(":id", s(&b.id)),
        )?,
        ClaimChange::Reclaim => claim_put(table, b, slot, None, true, now)?,
    }))
}

/// What a claim change does to one block the booking marks as partly used.
fn mark_action(
    table: &str,
    b: &Booking,
    block: Block,
    change: ClaimChange,
    now: Timestamp,
) -> Result<Option<TransactWriteItem>, StoreError> {
    Ok(match change {
        ClaimChange::Keep | ClaimChange::Book => None,
        ClaimChange::Release | ClaimChange::Abandon => Some(unmark_update(table, b, block)?),
        ClaimChange::Reclaim => Some(mark_update(table, b, block, now)?),
    })
}

/// Applying a lifecycle decision: see `domain::lifecycle::Effects`.
pub(super) fn apply(table: &str, e: &Effects, now: Timestamp) -> Result<Txn, StoreError> {
    let b = &e.after;
    let mut t = Txn::new();
    if let Some(id) = &e.stripe_event_id {
        t.push(Tag::StripeEvent, stripe_event_put(table, id, now)?);
    }
    t.push(Tag::Booking, booking_put(table, e, now)?);
    if e.require_bookable {
        let space = ConditionCheck::builder()
            .table_name(table)
            .key("PK", s(keys::space(&b.space_id)))
            .key("SK", s(keys::PROFILE))
            .condition_expression("#status = :active")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":active", s("active"));
        let item = ConditionCheck::builder()
            .table_name(table)
            .key("PK", s(keys::space(&b.space_id)))
            .key("SK", s(keys::item(&b.bookable_item_id)))
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(retired_at)");
        for check in [space, item] {
            t.push(
                Tag::Version,
                TransactWriteItem::builder()
                    .condition_check(built(check.build())?)
                    .build(),
            );
        }
    }
    for (i, slot) in e.before.slots.iter().enumerate() {
        if let Some(action) = claim_action(table, b, slot, e.claims, now)? {
            t.push(Tag::Claim(i), action);
        }
    }
    for block in e.before.intents() {
        if let Some(action) = mark_action(table, b, block, e.claims, now)? {
            t.push(Tag::Mark(block), action);
        }
    }
    if let Some(p) = &e.payment {
        t.push(Tag::Other, action_put(put(payment_item(p)?, table))?);
    }
    if e.holds != 0 {
        t.push(Tag::Other, holds_update(table, &b.user_id, e.holds, None)?);
    }
    if let Some(u) = &e.usage {
        let (tag, action) = usage_update(table, &b.user_id, u)?;
        t.push(tag, action);
    }
    for (i, q) in e.quotas.iter().enumerate() {
        let tag = if q.limit.is_some() {
            Tag::Quota(i)
        } else {
            Tag::Other
        };
        t.push(tag, quota_update(table, &b.user_id, q)?);
    }
    if let Some(marker) = marker_action(table, b, e.marker)? {
        t.push(Tag::Other, marker);
    }
    // Given back, or taken again within its limits (see `lifecycle::PromoUse`).
    if let Some(p) = &e.promo {
        let [code, member] = super::promos::redemption(table, &b.user_id, p)?;
        t.push(Tag::PromoCode, code);
        t.push(Tag::PromoMember, member);
    }
    for due in &e.due {
        t.push(Tag::Other, due_put(table, due.kind, &b.id, due.at)?);
    }
    for event in &e.events {
        t.push(Tag::Other, event_put(table, event)?);
    }
    if let Some(entry) = &e.audit {
        t.push(Tag::Other, audit_put(table, entry)?);
    }
    for doc in &e.documents {
        for action in super::invoices::issue(table, doc)? {
            t.push(Tag::Number, action);
        }
    }
    Ok(t)
}

/// The interval and kind of the claim that was in the way (its old image).
pub(super) fn taken_interval(
    item: Option<&std::collections::HashMap<String, AttributeValue>>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use domain::claims::{MAX_CLAIMS_PER_BOOKING, MAX_TRANSACTION_ACTIONS};
    use domain::lifecycle::{self, Actor, Decision, NewBooking};
    use domain::membership::{MemberState, Membership, MembershipStatus};
    use domain::plan::PlanBenefits;
    use domain::samples::{sample_item, sample_space};
    use domain::space::{LocalInterval, OpeningHours};

    fn ts(x: &str) -> Timestamp {
        x.parse().unwrap()
    }

    fn member(now: Timestamp) -> MemberState {
        MemberState {
            membership: Some(Membership {
                user_id: "u".into(),
                plan_id: "p".into(),
                plan_name: "Pro".into(),
                benefits: PlanBenefits {
                    discount_percent: 10,
                    included_hours_per_month: 1,
                    space_ids: vec![],
                    quotas: every_counted_quota(),
                },
                stripe_customer_id: "cus".into(),
                stripe_subscription_id: "sub".into(),
                monthly_price: None,
                status: MembershipStatus::Active,
                current_period_end: Some(now + jiff::SignedDuration::from_hours(24 * 30)),
                cancel_at_period_end: false,
                stripe_event_at: 0,
                version: 3,
                created_at: now,
                updated_at: now,
            }),
            usage: Default::default(),
        }
    }

    /// Both counted quotas, generous enough never to refuse.
    fn every_counted_quota() -> domain::quota::Quotas {
        domain::quota::Quotas {
            hours_per_week: Some(168),
            bookings_per_day: Some(100),
            days_ahead: None,
        }
    }

    fn open_all_week() -> domain::space::Space {
        let mut space = sample_space();
        space.quotas = every_counted_quota();
        let day = vec![LocalInterval {
            open: "00:00".into(),
            close: "24:00".into(),
        }];
        space.opening_hours = OpeningHours {
            monday: day.clone(),
            tuesday: day.clone(),
            wednesday: day.clone(),
            thursday: day.clone(),
            friday: day.clone(),
            saturday: day.clone(),
            sunday: day,
        };
        space
    }

    fn plan(
        space: &domain::space::Space,
        item: &domain::space::BookableItem,
        period: lifecycle::Period,
        now: Timestamp,
    ) -> Creation {
        let state = member(now);
        let mut c = lifecycle::create(&NewBooking {
            id: "b1",
            user_id: "u",
            space,
            item,
            period,
            member: &state,
            hold: jiff::SignedDuration::from_mins(15),
            hold_limit: 5,
            now,
            promo: None,
        })
        .unwrap();
        c.attach_intent("pi_1", "pi_1_secret", now);
        c
    }

    /// The longest hourly booking the item rules allow, by a member whose benefits cover
    /// part of it: every optional action of every transaction is present.
    fn worst_case() -> (Creation, Timestamp) {
        let now = ts("2027-03-01T00:00:00Z");
        let space = open_all_week();
        let mut item = sample_item();
        item.slot_minutes = 15;
        item.min_booking_minutes = 15;
        item.buffer_minutes = 15;
        item.max_booking_minutes = MAX_CLAIMS_PER_BOOKING * 15 - item.buffer_minutes;
        domain::space_rules::validate_item(&item).unwrap();
        // Starting a quarter past: cells and hours at both ends.
        let start = ts("2027-03-10T00:15:00Z");
        let end = start + jiff::SignedDuration::from_mins(item.max_booking_minutes as i64);
        let c = plan(&space, &item, (start, end).into(), now);
        assert!(c.needs_payment() && c.usage.is_some() && !c.due.is_empty());
        assert_eq!(
            c.quotas.len(),
            4,
            "a space's and a plan's two counted quotas"
        );
        (c, now)
    }

    /// The month stay with the most claims and marks: quarter-hour zones, every start
    /// day of a year.
    fn worst_stay() -> (Creation, Timestamp) {
        let now = ts("2027-03-01T00:00:00Z");
        let mut item = sample_item();
        item.stay_rates.month = Some(90_000);
        let mut worst: Option<Creation> = None;
        for zone in ["Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Chatham"] {
            let mut space = open_all_week();
            space.time_zone = zone.into();
            space.booking_horizon_days = 400;
            let mut day = jiff::civil::date(2027, 3, 3);
            for _ in 0..365 {
                let stay = domain::stay::StayRequest {
                    unit: domain::stay::BookingUnit::Month,
                    start_date: day,
                    quantity: 1,
                };
                let c = plan(&space, &item, lifecycle::Period::Stay(stay), now);
                let size = |c: &Creation| c.booking.slots.len() + c.booking.intents().len();
                if worst.as_ref().is_none_or(|w| size(&c) > size(w)) {
                    worst = Some(c);
                }
                day = day.tomorrow().unwrap();
            }
        }
        (worst.unwrap(), now)
    }

    /// `e` with the most documents one transaction issues: an invoice and a credit note.
    fn billed(mut e: Effects, now: Timestamp) -> Effects {
        use domain::invoice::{Party, Sale, booking_invoice, credit_note};
        let sale = Sale {
            seller: Party::default(),
            seller_country: "DE".into(),
            buyer: Party::default(),
            description: "d".into(),
        };
        let invoice = booking_invoice(&e.after, "op", 7, sale, now);
        let note = credit_note(&invoice, &[], 3, 1, "re_1", now);
        e.documents = vec![invoice, note];
        e
    }

    fn count(t: Txn) -> u32 {
        assert_eq!(t.actions.len(), t.tags.len());
        t.actions.len() as u32
    }

    #[test]
    fn every_transaction_of_the_longest_bookings_fits_one_transaction() {
        let (stay, now) = worst_stay();
        let claims = (stay.booking.slots.len() + stay.booking.intents().len()) as u32;
        assert!(
            (50..=MAX_CLAIMS_PER_BOOKING).contains(&claims),
            "the worst month stay needs {claims} claims and marks"
        );
        every_transaction_fits(stay, now);
        let (hourly, now) = worst_case();
        every_transaction_fits(hourly, now);
    }

    fn every_transaction_fits(c: Creation, now: Timestamp) {
        let idem = IdempotencyRecord {
            key: "k".into(),
            request: "r".into(),
            booking_id: "b1".into(),
        };
        let created = count(create("T", &c, Some(&idem), now).unwrap());
        assert!(created <= MAX_TRANSACTION_ACTIONS, "create: {created}");

        let mut pending = c.booking.clone();
        let payment = c.payment.clone().unwrap();
        let amount = (payment.amount, payment.currency.as_str());
        let apply_of = |d: Decision| match d {
            Decision::Apply(e) => count(apply("T", &billed(*e, now), now).unwrap()),
            Decision::Ignore(why) => panic!("{why}"),
        };
        // Confirm, and (hold run out) reclaim, and its refusal.
        let confirm = lifecycle::payment_succeeded(&pending, Some(&payment), amount, "evt", now);
        assert!(apply_of(confirm) <= MAX_TRANSACTION_ACTIONS);
        let late = pending.hold_expires_at.unwrap() + jiff::SignedDuration::from_secs(1);
        let Decision::Apply(reclaim) =
            lifecycle::payment_succeeded(&pending, Some(&payment), amount, "evt", late)
        else {
            panic!()
        };
        assert!(
            count(apply("T", &billed((*reclaim).clone(), late), late).unwrap())
                <= MAX_TRANSACTION_ACTIONS
        );
        assert!(
            count(
                apply(
                    "T",
                    &billed(lifecycle::reclaim_refused(&reclaim, late), late),
                    late
                )
                .unwrap()
            ) <= MAX_TRANSACTION_ACTIONS
        );
        // Expired by the scheduler, then paid: the minutes are taken again.
        let Decision::Apply(expired) = lifecycle::expire(&pending, Some(&payment), late) else {
            panic!()
        };
        let after = expired.after.clone();
        let Decision::Apply(reclaim) =
            lifecycle::payment_succeeded(&after, expired.payment.as_ref(), amount, "evt", late)
        else {
            panic!()
        };
        assert_eq!(
            reclaim.usage.as_ref().is_some_and(|u| u.minutes > 0),
            c.usage.is_some()
        );
        assert!(
            count(apply("T", &billed(*reclaim, late), late).unwrap()) <= MAX_TRANSACTION_ACTIONS
        );
        // Failure, cancellation of a paid booking by its operator (audited).
        assert!(
            apply_of(lifecycle::payment_failed(
                &pending,
                Some(&payment),
                "evt",
                now
            )) <= MAX_TRANSACTION_ACTIONS
        );
        pending.status = domain::booking::BookingStatus::Confirmed;
        pending.hold_expires_at = None;
        let mut paid = payment.clone();
        paid.status = domain::payment::PaymentStatus::Succeeded;
        let audit = domain::audit::AuditEntry::system("t", "booking.cancel", "b".into(), now);
        let cancel = lifecycle::cancel(
            &pending,
            Some(&paid),
            Actor::Manager,
            &Default::default(),
            Some(audit),
            now,
        )
        .unwrap();
        assert!(apply_of(cancel) <= MAX_TRANSACTION_ACTIONS);
    }
}
