//! The lifecycle of a booking, in one place: every way a booking is made and changes
//! (create, pay, fail, cancel, expire, refund) as pure decisions that return every effect
//! as data. The caller performs the provider calls the effects name and writes the rest
//! in ONE transaction (`ports::bookings::BookingStore::apply`); adapters translate,
//! never decide.
//!
//! ```text
//!            create ──► pending ──pay──► confirmed ──cancel──► cancelled
//!              │          │  │                                   ▲
//!           (free)        │  └─hold runs out─► expired ──pay──┐  │ (paid after: refunded)
//!              ▼          │                                   ├──► confirmed (reclaimed)
//!          confirmed      └──payment fails─► failed ──pay─────┘    or failed + refunded
//! ```
//!
//! Bookkeeping follows the STORED status, so every transition knows exactly what to undo:
//! - the member's unpaid-holds counter counts stored `pending` bookings;
//! - claims, the upcoming-booking marker and the included minutes belong to bookings
//!   whose stored status is live (`pending` or `confirmed`); leaving a live status gives
//!   them back (minutes by the cancellation policy's percent when a confirmed booking is
//!   cancelled), and reclaiming takes them again (refused if another booking holds a
//!   cell or the month's allowance is spent meanwhile: then the payment is refunded).
//!
//! Money: the amount Stripe reports must match the payment record or nothing is
//! confirmed; every refund is decided once, recorded with its amount and idempotency key
//! before Stripe is asked, and asked again with exactly those until Stripe confirms it.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::audit::AuditEntry;
use crate::booking::{Booking, BookingStatus, IncludedUse, SlotKind};
use crate::booking_rules::{grid_slots, plan_claims};
use crate::error::DomainError;
use crate::events::DomainEvent;
use crate::hours::time_zone;
use crate::instant::whole_seconds;
use crate::membership::{MemberState, usage_month};
use crate::payment::{
    PaymentMismatch, PaymentStatus, PaymentTransaction, RefundDecision, RefundDue, RefundRecord,
    refund_for,
};
use crate::pricing::price;
use crate::quota::{QuotaUse, Scope, quota_reached, quota_uses, too_far_ahead};
use crate::rental::RentalLink;
use crate::schedule::{DueKind, REFUND_RETRY, reminder_at};
use crate::series::SeriesLink;
use crate::space::{BookableItem, CancellationPolicy, Space};
use crate::stay::{BookingUnit, StayRequest, plan_stay, stay_price};

/// Who asks for a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    /// The member who booked.
    Booker,
    /// The space's operator or an admin, acting for the member: they refund in full.
    Manager,
    /// The scheduler, releasing a booking nobody checked in to: the booking's
    /// `no_show_refund_percent` goes back.
    NoShowRelease,
    /// The series request that made this occurrence, taking it back before answering
    /// (another occurrence was taken meanwhile and the member asked for all or none):
    /// nothing was paid, nobody is told.
    Withdrawn,
}

/// What happens to the booking's claims.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimChange {
    Keep,
    /// Held claims become booked (each must still be this booking's).
    Book,
    /// Claims are deleted (each must still be this booking's).
    Release,
    /// Claims are written as booked if each is free, this booking's, or an expired hold.
    Reclaim,
    /// The hold ran out: its whole claims are left (another booking may own them now, and
    /// an expired hold's are taken over by the next booking), and its marks on partly
    /// used blocks are withdrawn, so a whole day there can be booked again.
    Abandon,
}

/// What leaving a live status does to the booking's claims.
fn give_up_claims(b: &Booking, now: Timestamp) -> ClaimChange {
    if b.holds_slots(now) {
        ClaimChange::Release
    } else if b.status.is_live() {
        ClaimChange::Abandon
    } else {
        ClaimChange::Keep
    }
}

/// A change of the member's included-minutes counter for a month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageChange {
    pub month: String,
    /// Minutes taken (> 0) or given back (< 0).
    pub minutes: i64,
    /// For a take: the month's whole allowance, which the counter may not pass.
    pub allowance: u32,
}

/// A change of one of the member's quota counters (`domain::quota`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuotaChange {
    pub counter: String,
    /// Taken (> 0) or given back (< 0).
    pub delta: i64,
    /// For a take: the counter may not pass it.
    pub limit: Option<i64>,
}

impl QuotaChange {
    fn take(u: &QuotaUse) -> Self {
        Self {
            counter: u.counter.clone(),
            delta: u.amount,
            limit: Some(u.limit),
        }
    }

    fn give_back(u: &QuotaUse) -> Self {
        Self {
            counter: u.counter.clone(),
            delta: -u.amount,
            limit: None,
        }
    }
}

/// A promo code's redemption counted (+1, when booking) or given back (-1: the booking
/// ended with everything given back, `domain::promo`). A take counts only while the code
/// is as it was read (`version`) and below its limits: the transaction's conditions, so
/// concurrent members never pass a limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromoUse {
    pub code: String,
    pub delta: i64,
    /// For a take: the code's version as read, its total and per-member limits.
    pub version: Option<u64>,
    pub max_redemptions: Option<u32>,
    pub per_member_limit: Option<u32>,
}

impl PromoUse {
    fn take(code: &crate::promo::PromoCode) -> Self {
        Self {
            code: code.code.clone(),
            delta: 1,
            version: Some(code.version),
            max_redemptions: crate::promo::redemption_condition(code),
            per_member_limit: code.per_member_limit,
        }
    }

    /// Given back (no condition), or taken again by a booking that takes its time back (a
    /// late payment): within the limits it was first counted under, else the time is not
    /// taken back and the payment is refunded (`ReclaimRefused`), as for a quota.
    fn change(terms: &crate::promo::PromoTerms, delta: i64) -> Self {
        let take = delta > 0;
        Self {
            code: terms.code.clone(),
            delta,
            version: None,
            max_redemptions: terms.max_redemptions.filter(|_| take),
            per_member_limit: terms.per_member_limit.filter(|_| take),
        }
    }
}

/// The upcoming-booking marker (what item and space deletion look for, read consistently).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkerChange {
    Keep,
    /// Written as given: the booking is live, held until `hold_expires_at` if pending.
    Put {
        hold_expires_at: Option<Timestamp>,
    },
    Delete,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DueAt {
    pub kind: DueKind,
    pub at: Timestamp,
}

/// What handling a command did (answered to Stripe, logged, asserted by tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Confirmed,
    /// Paid after the hold ran out, and every cell was still free: booked anyway.
    Reclaimed,
    /// Paid, but the booking could not take it: refunded in full.
    Refunded,
    /// Payment failed: the hold is released.
    Released,
    /// A payment or refund recorded, nothing else changed.
    Recorded,
    /// Stripe's amount or currency differs from the record: not confirmed, under review.
    Mismatch,
    Cancelled,
    /// Released as a no-show.
    NoShow,
    /// Checked in (or already was).
    CheckedIn,
    Expired,
    /// Stripe refused a refund we owed: recorded for an admin.
    RefundRefused,
    /// Seen before: nothing changed.
    Duplicate,
    /// Nothing to do: acknowledged, no change.
    Ignored(&'static str),
}

/// Every effect of one decision. `after` replaces `before` only if the stored booking is
/// still at `before.version` (and, with `require_live_hold`, still pending with a hold
/// that has not run out): concurrent decisions serialize on the booking.
#[derive(Clone, Debug)]
pub struct Effects {
    pub before: Booking,
    pub after: Booking,
    pub require_live_hold: bool,
    /// Also require the space to be active and the item to exist and not be retiring:
    /// taking time again (a late payment) is booking anew.
    pub require_bookable: bool,
    pub claims: ClaimChange,
    /// The payment record as it will be (written with the booking).
    pub payment: Option<PaymentTransaction>,
    /// Change of the member's unpaid-holds counter.
    pub holds: i64,
    pub usage: Option<UsageChange>,
    pub quotas: Vec<QuotaChange>,
    /// A promo code's redemption given back or taken again.
    pub promo: Option<PromoUse>,
    pub marker: MarkerChange,
    pub due: Vec<DueAt>,
    pub events: Vec<DomainEvent>,
    pub audit: Option<AuditEntry>,
    /// The Stripe event that caused it: written with it, so a replay changes nothing.
    pub stripe_event_id: Option<String>,
    /// An unpaid intent to make unpayable BEFORE writing.
    pub cancel_intent: Option<String>,
    /// The refund to ask Stripe for AFTER writing (recorded on `payment` as `refund_due`).
    pub refund: Option<RefundDue>,
    /// What a cancellation gives back under the policy.
    pub refund_decision: Option<RefundDecision>,
    /// Invoices and credit notes issued with it, numbered (`invoice::documents_due`
    /// says which; the caller fills them in, as they need the parties' details).
    pub documents: Vec<crate::invoice::Document>,
    pub outcome: Outcome,
}

#[derive(Clone, Debug)]
pub enum Decision {
    Apply(Box<Effects>),
    Ignore(&'static str),
}

/// Everything a new booking writes in its one transaction.
#[derive(Clone, Debug)]
pub struct Creation {
    pub booking: Booking,
    /// The space and item versions it was planned against.
    pub space_version: u64,
    pub item_version: u64,
    /// The membership version its price assumed (None: no membership then).
    pub membership_version: Option<u64>,
    pub usage: Option<UsageChange>,
    /// Quota counters taken, each only while it stays within its limit.
    pub quotas: Vec<QuotaChange>,
    /// The promo code redeemed (counted within its limits).
    pub promo: Option<PromoUse>,
    /// +1 for a pending booking: taken only while the member has fewer than `hold_limit`
    /// (`new_account_hold_limit` while the account is in its probation).
    pub holds: i64,
    pub hold_limit: u32,
    pub new_account_hold_limit: u32,
    pub marker: MarkerChange,
    pub due: Vec<DueAt>,
    pub event: DomainEvent,
    /// The payment due (attached once the provider's intent exists; none when free).
    pub payment: Option<PaymentTransaction>,
}

impl Creation {
    /// Something is left to pay: the caller creates the provider's intent for it.
    pub fn needs_payment(&self) -> bool {
        self.booking.status == BookingStatus::Pending
    }

    /// Makes this booking an occurrence of a series (`domain::series`): only the
    /// occurrence that `counts_hold` takes the member's unpaid-hold place.
    pub fn in_series(&mut self, link: SeriesLink) {
        if !link.counts_hold {
            self.holds = 0;
        }
        self.booking.series = Some(link);
        self.event = DomainEvent::booking(
            &self.event.detail_type,
            &self.booking,
            self.booking.created_at,
        );
    }

    /// Makes this booking month `link.index` of an open-ended rental (`domain::rental`),
    /// at the rental's fixed `rent`, paid by the subscription's invoice (a pending payment
    /// record without an intent of ours; the invoice's intent is recorded when it is paid).
    /// A month after the first is held until its own end and takes no unpaid-hold place:
    /// Stripe's renewal and its retries decide, and a failed one releases it.
    pub fn in_rental(&mut self, link: RentalLink, rent: &crate::money::Money, now: Timestamp) {
        let b = &mut self.booking;
        if b.price.total != rent.amount || b.price.currency != rent.currency {
            let minutes = u32::try_from((b.end_time - b.start_time).as_mins()).unwrap_or(0);
            b.price = crate::rental::rent_price(rent, b.price.price_per_hour, minutes);
        }
        if link.index > 0 && b.status == BookingStatus::Pending {
            self.holds = 0;
            b.hold_expires_at = Some(b.end_time);
            for due in &mut self.due {
                if due.kind == DueKind::Expire {
                    due.at = b.end_time;
                }
            }
        }
        let placeholder = format!("rent_{}_{}", link.id, link.index);
        b.rental = Some(link);
        if b.status == BookingStatus::Pending {
            self.attach_intent(&placeholder, "", now);
        }
        self.event = DomainEvent::booking(
            &self.event.detail_type,
            &self.booking,
            self.booking.created_at,
        );
    }

    pub fn attach_intent(&mut self, intent_id: &str, client_secret: &str, now: Timestamp) {
        let b = &mut self.booking;
        let payment = PaymentTransaction::for_booking(
            &b.id,
            &b.user_id,
            b.price.total,
            &b.price.currency,
            intent_id,
            client_secret,
            now,
        );
        b.payment_transaction_id = Some(payment.id.clone());
        self.payment = Some(payment);
    }
}

/// What is booked: an interval on the item's hourly grid, or whole local days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Hours { start: Timestamp, end: Timestamp },
    Stay(StayRequest),
}

impl From<(Timestamp, Timestamp)> for Period {
    fn from((start, end): (Timestamp, Timestamp)) -> Self {
        Period::Hours { start, end }
    }
}

/// A booking request with everything its rules and price depend on.
pub struct NewBooking<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub space: &'a Space,
    pub item: &'a BookableItem,
    pub period: Period,
    pub member: &'a MemberState,
    /// How long a pending booking holds its claims.
    pub hold: SignedDuration,
    pub hold_limit: u32,
    /// A promo code the member gave, with how often they redeemed it already.
    pub promo: Option<(&'a crate::promo::PromoCode, u32)>,
    pub now: Timestamp,
}

/// Plans a new booking: every rule, the cells it claims, its price with the member's
/// benefits (only inside the period paid for), and what its transaction writes.
pub fn create(n: &NewBooking<'_>) -> Result<Creation, DomainError> {
    let (space, item) = (n.space, n.item);
    let tz: TimeZone = time_zone(&space.time_zone).ok_or_else(|| {
        DomainError::Inconsistent(format!("space {} has an invalid time zone", space.id))
    })?;
    let (start, end, slots, stay) = match n.period {
        Period::Hours { start, end } => {
            if !item.hourly {
                return Err(DomainError::field(
                    "unit",
                    "not_offered",
                    "this item is not sold by the hour: ask for a day, week or month stay",
                ));
            }
            (
                start,
                end,
                plan_claims(space, item, start, end, n.now)?,
                None,
            )
        }
        Period::Stay(req) => {
            let p = plan_stay(space, item, &req, n.now)?;
            (p.start, p.end, p.slots, Some((req, p.rate)))
        }
    };
    let membership = n.member.membership.as_ref();
    let mut scopes = vec![(Scope::Space(&space.id), &space.quotas)];
    if let Some(m) = membership.filter(|m| m.applies(&space.id, (start, end), n.now)) {
        scopes.push((Scope::Plan(&m.plan_id), &m.benefits.quotas));
    }
    scopes.retain(|(_, q)| !q.is_empty());
    too_far_ahead(&scopes, start, n.now)?;
    let quotas = quota_uses(&scopes, start, end, &tz, stay.is_none());
    // One booking larger than a whole quota never fits, whatever the counter says.
    if let Some(u) = quotas.iter().find(|u| u.amount > u.limit) {
        return Err(quota_reached(u));
    }
    let month = usage_month(start, &tz);
    let used = n.member.usage.get(&month).copied().unwrap_or(0);
    let benefit = membership.and_then(|m| m.benefit_for(&space.id, (start, end), n.now, used));
    let breakdown = match stay {
        None => price(
            item.price_per_hour.amount,
            &item.price_per_hour.currency,
            item.slot_minutes,
            &grid_slots(item, start, end),
            &tz,
            &space.pricing_rules,
            benefit.as_ref(),
        ),
        Some((req, rate)) => {
            let minutes = u32::try_from((end - start).as_mins()).unwrap_or(u32::MAX);
            stay_price(item, &req, rate, minutes, benefit.as_ref())
        }
    };
    // A promo code takes its discount off what is left to pay after the plan's benefits.
    let (breakdown, promo) = match n.promo {
        None => (breakdown, None),
        Some((code, member_redeemed)) => {
            let refused = crate::promo::refusal(
                code,
                &space.id,
                item.kind,
                &breakdown.currency,
                n.now,
                member_redeemed,
            );
            if let Some(refusal) = refused {
                return Err(refusal.answer(&code.code));
            }
            (
                crate::promo::apply_promo(&breakdown, code),
                Some(PromoUse::take(code)),
            )
        }
    };
    let included = membership
        .filter(|_| breakdown.included_minutes_applied > 0)
        .map(|m| IncludedUse {
            month: month.clone(),
            minutes: breakdown.included_minutes_applied,
            allowance: m.benefits.included_hours_per_month.saturating_mul(60),
            returned: 0,
        });
    let free = breakdown.total == 0;
    let hold_expires_at = (!free).then(|| whole_seconds(n.now + n.hold));
    let booking = Booking {
        id: n.id.to_string(),
        user_id: n.user_id.to_string(),
        space_id: space.id.clone(),
        bookable_item_id: item.id.clone(),
        item_identifier: item.identifier.clone(),
        item_kind: item.kind,
        start_time: start,
        end_time: end,
        time_zone: space.time_zone.clone(),
        status: if free {
            BookingStatus::Confirmed
        } else {
            BookingStatus::Pending
        },
        hold_expires_at,
        price: breakdown,
        slots,
        unit: stay.map_or(BookingUnit::Hour, |(r, _)| r.unit),
        quantity: stay.map_or(1, |(r, _)| r.quantity),
        slot_minutes: item.slot_minutes,
        cancellation_policy: Some(space.cancellation_policy.clone()),
        // A stay starts at midnight: nobody checks in then (`domain::stay`).
        check_in: space.check_in.filter(|_| stay.is_none()),
        checked_in_at: None,
        no_show: false,
        included: included.clone(),
        quotas: quotas.clone(),
        series: None,
        rental: None,
        promo: n
            .promo
            .map(|(code, _)| crate::promo::PromoTerms::from(code)),
        payment_transaction_id: None,
        version: 1,
        created_at: n.now,
        updated_at: n.now,
    };
    let due = match hold_expires_at {
        Some(at) => vec![DueAt {
            kind: DueKind::Expire,
            at,
        }],
        // Confirmed at once (free): what a paid booking gets when it is confirmed.
        None => {
            let mut due: Vec<DueAt> = reminder_at(start, n.now)
                .map(|at| DueAt {
                    kind: DueKind::Remind,
                    at,
                })
                .into_iter()
                .collect();
            due.extend(no_show_due(&booking));
            due
        }
    };
    let event = DomainEvent::booking(
        if free {
            "BookingConfirmed"
        } else {
            "BookingCreated"
        },
        &booking,
        n.now,
    );
    Ok(Creation {
        space_version: space.version,
        item_version: item.version,
        membership_version: membership.map(|m| m.version),
        quotas: quotas.iter().map(QuotaChange::take).collect(),
        promo,
        usage: included.map(|inc| UsageChange {
            month: inc.month,
            minutes: inc.minutes as i64,
            allowance: inc.allowance,
        }),
        holds: if free { 0 } else { 1 },
        hold_limit: n.hold_limit,
        new_account_hold_limit: crate::booking::NEW_ACCOUNT_MAX_HOLDS.min(n.hold_limit),
        marker: MarkerChange::Put { hold_expires_at },
        due,
        event,
        payment: None,
        booking,
    })
}

/// The 409 for a claim that another booking holds: which interval is in the way.
pub fn slot_taken(
    item_id: &str,
    cell: Timestamp,
    kind: Option<SlotKind>,
    taken: Option<(Timestamp, Timestamp)>,
) -> DomainError {
    let detail = match (kind, taken) {
        (Some(SlotKind::Buffer), Some((a, b))) => {
            format!("the item is kept free after a booking from {a} to {b} (changeover buffer)")
        }
        (_, Some((a, b))) => format!("the item is already booked from {a} to {b}"),
        _ => format!("the time from {cell} is already taken"),
    };
    DomainError::conflict(
        detail,
        Some(serde_json::json!({
            "bookable_item_id": item_id,
            "slot_start": cell,
            "taken": taken.map(|(a, b)| serde_json::json!({"start_time": a, "end_time": b})),
            "kind": kind,
        })),
    )
}

fn next(b: &Booking, status: BookingStatus, now: Timestamp) -> Booking {
    let mut after = b.clone();
    after.status = status;
    after.hold_expires_at = None;
    after.version += 1;
    after.updated_at = now;
    after
}

/// Effects that change nothing but the booking's version (recording news).
fn base(b: &Booking, to: BookingStatus, now: Timestamp, outcome: Outcome) -> Effects {
    Effects {
        before: b.clone(),
        after: next(b, to, now),
        require_live_hold: false,
        require_bookable: false,
        claims: ClaimChange::Keep,
        payment: None,
        holds: 0,
        usage: None,
        quotas: Vec::new(),
        promo: None,
        marker: MarkerChange::Keep,
        due: Vec::new(),
        events: Vec::new(),
        audit: None,
        stripe_event_id: None,
        cancel_intent: None,
        refund: None,
        refund_decision: None,
        documents: Vec::new(),
        outcome,
    }
}

/// The bookkeeping of moving from the stored status to `e.after.status`: the holds
/// counter, the marker and the included minutes (`back_percent` of them when leaving).
fn bookkeeping(e: &mut Effects, back_percent: u8) {
    let (from, to) = (e.before.status, e.after.status);
    let counts_hold = e.before.series.as_ref().is_none_or(|s| s.counts_hold);
    if from == BookingStatus::Pending && to != BookingStatus::Pending && counts_hold {
        e.holds = -1;
    }
    match (from.is_live(), to.is_live()) {
        (true, false) => {
            e.marker = MarkerChange::Delete;
            e.quotas = e.after.quotas.iter().map(QuotaChange::give_back).collect();
            // Ended with everything given back (expired, failed, cancelled in full): the
            // code's redemption goes back too.
            if back_percent >= 100 {
                e.promo = e.after.promo.as_ref().map(|t| PromoUse::change(t, -1));
            }
            if let Some(inc) = e.after.included.as_mut() {
                let back = inc.minutes.saturating_sub(inc.returned) as u64
                    * back_percent.min(100) as u64
                    / 100;
                if back > 0 {
                    inc.returned += back as u32;
                    e.usage = Some(UsageChange {
                        month: inc.month.clone(),
                        minutes: -(back as i64),
                        allowance: inc.allowance,
                    });
                }
            }
        }
        (false, true) => {
            e.marker = MarkerChange::Put {
                hold_expires_at: None,
            };
            e.quotas = e.after.quotas.iter().map(QuotaChange::take).collect();
            e.promo = e.after.promo.as_ref().map(|t| PromoUse::change(t, 1));
            if let Some(inc) = e.after.included.as_mut().filter(|i| i.returned > 0) {
                e.usage = Some(UsageChange {
                    month: inc.month.clone(),
                    minutes: inc.returned as i64,
                    allowance: inc.allowance,
                });
                inc.returned = 0;
            }
        }
        (true, true) if from != to => {
            e.marker = MarkerChange::Put {
                hold_expires_at: None,
            };
        }
        _ => {}
    }
}

/// When a confirmed booking with a check-in rule is released if nobody checked in.
pub fn no_show_due(b: &Booking) -> Option<DueAt> {
    let rule = b.check_in?;
    Some(DueAt {
        kind: DueKind::NoShow,
        at: b.start_time + SignedDuration::from_mins(rule.grace_minutes as i64),
    })
}

fn remind(e: &mut Effects, now: Timestamp) {
    if let Some(at) = reminder_at(e.after.start_time, now) {
        e.due.push(DueAt {
            kind: DueKind::Remind,
            at,
        });
    }
}

/// `payment_intent.succeeded` for the booking's intent, `amount` in `currency`.
pub fn payment_succeeded(
    b: &Booking,
    p: Option<&PaymentTransaction>,
    (amount, currency): (i64, &str),
    event_id: &str,
    now: Timestamp,
) -> Decision {
    let Some(p) = p else {
        return Decision::Ignore("booking without a payment");
    };
    if p.status.was_paid() {
        return Decision::Ignore("payment already recorded");
    }
    if p.status == PaymentStatus::UnderReview {
        return Decision::Ignore("payment under review");
    }
    if !p.matches(amount, currency) {
        return Decision::Apply(Box::new(mismatch(b, p, (amount, currency), event_id, now)));
    }
    let mut paid = p.clone();
    paid.status = PaymentStatus::Succeeded;
    paid.updated_at = now;
    paid.derive_refund_status();
    let e = match b.status_at(now) {
        BookingStatus::Pending => {
            let mut e = base(b, BookingStatus::Confirmed, now, Outcome::Confirmed);
            e.claims = ClaimChange::Book;
            e.require_live_hold = true;
            confirm(e, paid, now)
        }
        // The hold ran out (or a declined attempt released it) before this payment:
        // keep the booking if its time is still to come, the item still bookable and
        // every cell still free (else `reclaim_refused`: refunded in full).
        BookingStatus::Expired | BookingStatus::Failed if b.end_time > now => {
            let mut e = base(b, BookingStatus::Confirmed, now, Outcome::Reclaimed);
            e.claims = ClaimChange::Reclaim;
            e.require_bookable = true;
            confirm(e, paid, now)
        }
        BookingStatus::Expired | BookingStatus::Failed => {
            refund_in_full(b, &paid, "ended_before_payment", now)
        }
        BookingStatus::Confirmed => {
            let mut e = base(b, BookingStatus::Confirmed, now, Outcome::Recorded);
            e.events
                .push(DomainEvent::payment("PaymentSucceeded", &paid, now));
            e.payment = Some(paid);
            e
        }
        // Cancelled before the money arrived: it all goes back.
        BookingStatus::Cancelled => refund_in_full(b, &paid, "cancelled_before_payment", now),
    };
    Decision::Apply(Box::new(with_event(e, event_id)))
}

/// A rental's invoice paid month `b` (its amount and currency are checked here, as for
/// any payment): the invoice's PaymentIntent becomes the month's, so a later refund of
/// the month finds it.
pub fn rent_paid(
    b: &Booking,
    p: Option<&PaymentTransaction>,
    invoice_intent: Option<&str>,
    received: (i64, &str),
    event_id: &str,
    now: Timestamp,
) -> Decision {
    let Some(p) = p else {
        return Decision::Ignore("booking without a payment");
    };
    let mut p = p.clone();
    if let Some(intent) = invoice_intent.filter(|_| !p.status.was_paid()) {
        p.stripe_payment_intent_id = intent.to_string();
    }
    payment_succeeded(b, Some(&p), received, event_id, now)
}

/// `payment_intent.succeeded` for one occurrence of a series paid by one intent: the
/// caller checked the paid amount against the series' recorded total (`series_matches`).
/// When it matches, the occurrence takes its own share as paid; when not, every unpaid
/// occurrence goes under review with what was received, as a single booking would.
pub fn series_payment_succeeded(
    b: &Booking,
    p: Option<&PaymentTransaction>,
    series_matches: bool,
    received: (i64, &str),
    event_id: &str,
    now: Timestamp,
) -> Decision {
    match p {
        // Its own share, in the currency that was paid (so another currency is refused).
        Some(p) if series_matches => {
            payment_succeeded(b, Some(p), (p.amount, received.1), event_id, now)
        }
        Some(p) if !p.status.was_paid() && p.status != PaymentStatus::UnderReview => {
            Decision::Apply(Box::new(mismatch(b, p, received, event_id, now)))
        }
        Some(_) => Decision::Ignore("payment already recorded"),
        None => Decision::Ignore("booking without a payment"),
    }
}

fn with_event(mut e: Effects, event_id: &str) -> Effects {
    e.stripe_event_id = Some(event_id.to_string());
    e
}

fn confirm(mut e: Effects, paid: PaymentTransaction, now: Timestamp) -> Effects {
    bookkeeping(&mut e, 100);
    remind(&mut e, now);
    e.due.extend(no_show_due(&e.after));
    e.events
        .push(DomainEvent::payment("PaymentSucceeded", &paid, now));
    e.events
        .push(DomainEvent::booking("BookingConfirmed", &e.after, now));
    e.payment = Some(paid);
    e
}

fn mismatch(
    b: &Booking,
    p: &PaymentTransaction,
    (amount, currency): (i64, &str),
    event_id: &str,
    now: Timestamp,
) -> Effects {
    let mut e = base(b, b.status, now, Outcome::Mismatch);
    e.after.hold_expires_at = b.hold_expires_at;
    let mut held = p.clone();
    held.status = PaymentStatus::UnderReview;
    held.mismatch = Some(PaymentMismatch {
        stripe_event_id: event_id.to_string(),
        amount,
        currency: currency.to_string(),
        at: now,
    });
    held.updated_at = now;
    let recorded = serde_json::json!({"amount": p.amount, "currency": p.currency});
    let received = serde_json::json!({"amount": amount, "currency": currency, "stripe_event_id": event_id,
        "stripe_payment_intent_id": p.stripe_payment_intent_id});
    e.audit = Some(
        AuditEntry::system(
            "payments-webhook",
            "payment.mismatch",
            format!("booking/{}", b.id),
            now,
        )
        .before(&recorded)
        .after(&received),
    );
    let mut event = DomainEvent::payment("PaymentMismatch", &held, now);
    if let Some(detail) = event.detail.as_object_mut() {
        detail.insert("received".into(), received);
    }
    e.events.push(event);
    e.payment = Some(held);
    with_event(e, event_id)
}

/// The payment arrived but the booking cannot take it (cancelled before, or its cells
/// were lost after the hold ran out): everything paid goes back, the booking ends
/// `failed` (or stays `cancelled`). The refund is recorded as owed, then asked for.
pub fn refund_in_full(
    b: &Booking,
    paid: &PaymentTransaction,
    reason: &str,
    now: Timestamp,
) -> Effects {
    let to = if b.status == BookingStatus::Cancelled {
        BookingStatus::Cancelled
    } else {
        BookingStatus::Failed
    };
    let mut e = base(b, to, now, Outcome::Refunded);
    e.claims = give_up_claims(b, now);
    bookkeeping(&mut e, 100);
    let mut paid = paid.clone();
    paid.status = PaymentStatus::Succeeded;
    paid.updated_at = now;
    let amount = paid.refundable();
    e.events
        .push(DomainEvent::payment("PaymentSucceeded", &paid, now));
    if to == BookingStatus::Failed && b.status != BookingStatus::Failed {
        e.events
            .push(DomainEvent::booking("BookingFailed", &e.after, now));
    }
    owe_refund(&mut e, &mut paid, amount, reason, now);
    e.payment = Some(paid);
    e
}

/// Records `amount` as owed on `paid` (one key per booking and reason) and schedules the
/// retry that asks Stripe again until it is confirmed.
fn owe_refund(
    e: &mut Effects,
    paid: &mut PaymentTransaction,
    amount: i64,
    reason: &str,
    now: Timestamp,
) {
    // One refund owed at a time: another one is never replaced (its amount and key are
    // what Stripe may already have been asked for).
    if amount <= 0 || paid.refund_due.is_some() {
        return;
    }
    let due = RefundDue {
        amount,
        reason: reason.to_string(),
        idempotency_key: format!("refund-{}-{reason}", e.before.id),
        decided_at: now,
    };
    paid.refund_due = Some(due.clone());
    e.refund = Some(due);
    e.due.push(DueAt {
        kind: DueKind::Refund,
        at: now + REFUND_RETRY,
    });
}

/// The same refund settled by a different path (after a reclaim refused the payment).
pub fn reclaim_refused(e: &Effects, now: Timestamp) -> Effects {
    let paid = e
        .payment
        .clone()
        .expect("a reclaim always carries its payment");
    let mut refund = refund_in_full(&e.before, &paid, "slot_lost", now);
    refund.stripe_event_id = e.stripe_event_id.clone();
    refund
}

/// `payment_intent.payment_failed`: a declined payment releases the hold at once.
pub fn payment_failed(
    b: &Booking,
    p: Option<&PaymentTransaction>,
    event_id: &str,
    now: Timestamp,
) -> Decision {
    let Some(p) = p else {
        return Decision::Ignore("booking without a payment");
    };
    if p.status != PaymentStatus::RequiresPayment || b.status != BookingStatus::Pending {
        return Decision::Ignore("booking no longer waits for payment");
    }
    let mut failed = p.clone();
    failed.status = PaymentStatus::Failed;
    failed.updated_at = now;
    let mut e = base(b, BookingStatus::Failed, now, Outcome::Released);
    // An expired hold's cells may already belong to someone else: leave them.
    e.claims = give_up_claims(b, now);
    bookkeeping(&mut e, 100);
    e.events
        .push(DomainEvent::payment("PaymentFailed", &failed, now));
    e.events
        .push(DomainEvent::booking("BookingFailed", &e.after, now));
    e.payment = Some(failed);
    Decision::Apply(Box::new(with_event(e, event_id)))
}

/// A cancellation by the booker (refund by the policy copied onto the booking) or by
/// the space's operator or an admin (refund in full). Cancelling twice changes nothing;
/// a booking that has ended cannot be cancelled.
pub fn cancel(
    b: &Booking,
    p: Option<&PaymentTransaction>,
    actor: Actor,
    current_policy: &CancellationPolicy,
    audit: Option<AuditEntry>,
    now: Timestamp,
) -> Result<Decision, DomainError> {
    // A month of a rental is left by ending the rental (its subscription bills on).
    if let Some(rental) = &b.rental
        && actor == Actor::Booker
    {
        return Err(DomainError::conflict(
            "this booking is a month of an open-ended rental: end the rental instead",
            Some(serde_json::json!({"rental_id": rental.id})),
        ));
    }
    // Its payment covers the whole series: one occurrence cannot leave it alone.
    if let Some(series) = &b.series
        && b.status_at(now) == BookingStatus::Pending
    {
        return Err(DomainError::conflict(
            "this booking is part of a series that is not paid yet: pay for the series, or cancel the whole series",
            Some(serde_json::json!({"series_id": series.id, "status": "pending"})),
        ));
    }
    cancel_any(b, p, actor, current_policy, audit, now)
}

/// Cancelling an occurrence as part of cancelling its series (the rest of it, or the
/// whole of an unpaid one): the same rule as [`cancel`], unpaid occurrences included.
pub fn cancel_in_series(
    b: &Booking,
    p: Option<&PaymentTransaction>,
    actor: Actor,
    current_policy: &CancellationPolicy,
    audit: Option<AuditEntry>,
    now: Timestamp,
) -> Result<Decision, DomainError> {
    cancel_any(b, p, actor, current_policy, audit, now)
}

fn cancel_any(
    b: &Booking,
    p: Option<&PaymentTransaction>,
    actor: Actor,
    current_policy: &CancellationPolicy,
    audit: Option<AuditEntry>,
    now: Timestamp,
) -> Result<Decision, DomainError> {
    let status = b.status_at(now);
    match status {
        BookingStatus::Cancelled => return Ok(Decision::Ignore("already cancelled")),
        // It ended without its time (and whatever was paid is being refunded in full).
        _ if matches!(b.status, BookingStatus::Failed | BookingStatus::Expired) => {
            return Ok(Decision::Ignore("already ended without its time"));
        }
        BookingStatus::Pending | BookingStatus::Confirmed if b.end_time <= now => {
            return Err(DomainError::conflict(
                "the booking has already ended",
                Some(serde_json::json!({"booking_id": b.id, "end_time": b.end_time})),
            ));
        }
        _ => {}
    }
    let policy = b.cancellation_policy.as_ref().unwrap_or(current_policy);
    let mut e = base(b, BookingStatus::Cancelled, now, Outcome::Cancelled);
    e.claims = give_up_claims(b, now);
    let percent = match actor {
        Actor::Manager | Actor::Withdrawn => 100,
        Actor::Booker => refund_for(policy, 100, b.start_time, now).percent,
        Actor::NoShowRelease => b
            .check_in
            .map_or(100, |c| c.no_show_refund_percent.min(100)),
    };
    if actor == Actor::NoShowRelease {
        e.after.no_show = true;
        e.outcome = Outcome::NoShow;
    }
    // Included minutes follow the policy like money once the booking is confirmed; an
    // unpaid hold gives them all back (as if it had expired).
    bookkeeping(
        &mut e,
        if b.status == BookingStatus::Confirmed {
            percent
        } else {
            100
        },
    );
    if let Some(p) = p {
        let mut next = p.clone();
        if p.status.was_paid() {
            let amount = (p.amount.max(0) * percent as i64 / 100).min(p.refundable());
            e.refund_decision = Some(RefundDecision { percent, amount });
            owe_refund(&mut e, &mut next, amount, "cancellation", now);
        } else if p.status == PaymentStatus::RequiresPayment {
            // Paid anyway meanwhile? The payment news then finds it cancelled: refunded.
            // A series' intent is shared: cancelling the series cancels it once.
            // A rental's month is paid by its subscription's invoice: no intent of ours.
            if b.series.is_none() && b.rental.is_none() {
                e.cancel_intent = Some(p.stripe_payment_intent_id.clone());
            }
            next.status = PaymentStatus::Canceled;
        }
        next.updated_at = now;
        e.payment = Some(next);
    }
    let mut event = DomainEvent::booking("BookingCancelled", &e.after, now);
    // What analytics needs to undo: had it counted the booking, and what went back.
    if let Some(detail) = event.detail.as_object_mut() {
        detail.insert("previous_status".into(), status.as_str().into());
        detail.insert(
            "refund_amount".into(),
            e.refund_decision.map_or(0, |d| d.amount).into(),
        );
        detail.insert(
            "cancelled_by".into(),
            match actor {
                Actor::Booker => "booker",
                Actor::Manager => "manager",
                Actor::NoShowRelease => "no_show",
                Actor::Withdrawn => "withdrawn",
            }
            .into(),
        );
    }
    e.events.push(event);
    e.audit = audit;
    Ok(Decision::Apply(Box::new(e)))
}

/// What cancelling at `now` would give back, decided by [`cancel`] itself so that the
/// preview a member sees before confirming and the cancellation can never disagree.
/// `None` when the booking cannot be cancelled (already ended or cancelled) or nothing was
/// paid (an unpaid hold is released at no cost), or when the booking predates copied
/// policies and the space's current one is not given.
pub fn cancellation_preview(
    b: &Booking,
    p: Option<&PaymentTransaction>,
    actor: Actor,
    current_policy: Option<&CancellationPolicy>,
    now: Timestamp,
) -> Option<RefundDecision> {
    let policy = b.cancellation_policy.as_ref().or(current_policy)?;
    match cancel(b, p, actor, policy, None, now) {
        Ok(Decision::Apply(e)) => e.refund_decision,
        _ => None,
    }
}

/// Checking in to a confirmed booking, from the check-in window before its start until
/// its end (the window of the space's rule, or an hour where none is required). Checking
/// in twice changes nothing.
pub fn check_in(b: &Booking, now: Timestamp) -> Result<Decision, DomainError> {
    if b.checked_in_at.is_some() {
        return Ok(Decision::Ignore("already checked in"));
    }
    if b.status_at(now) != BookingStatus::Confirmed {
        return Err(DomainError::conflict(
            "only a confirmed booking can be checked in to",
            Some(serde_json::json!({"booking_id": b.id, "status": b.status_at(now)})),
        ));
    }
    let window = b.check_in.map_or(60, |c| c.window_minutes) as i64;
    let opens = b.start_time - SignedDuration::from_mins(window);
    if now < opens || now >= b.end_time {
        return Err(DomainError::conflict(
            "check-in is open from the window before the start until the end",
            Some(serde_json::json!({"check_in_opens": opens, "check_in_closes": b.end_time})),
        ));
    }
    let mut e = base(b, BookingStatus::Confirmed, now, Outcome::CheckedIn);
    e.after.checked_in_at = Some(now);
    e.events
        .push(DomainEvent::booking("BookingCheckedIn", &e.after, now));
    Ok(Decision::Apply(Box::new(e)))
}

/// The scheduler's release of a confirmed booking nobody checked in to, once its grace
/// period is over: cancelled with the rule's refund, its cells freed for others. Too
/// early, checked in, without a rule, or already over: nothing to do.
pub fn release_no_show(
    b: &Booking,
    p: Option<&PaymentTransaction>,
    now: Timestamp,
) -> Result<Decision, DomainError> {
    let Some(rule) = b.check_in else {
        return Ok(Decision::Ignore("no check-in required"));
    };
    if b.checked_in_at.is_some() {
        return Ok(Decision::Ignore("checked in"));
    }
    if b.status_at(now) != BookingStatus::Confirmed {
        return Ok(Decision::Ignore("not a confirmed booking"));
    }
    if now < b.start_time + SignedDuration::from_mins(rule.grace_minutes as i64) {
        return Ok(Decision::Ignore("still within the grace period"));
    }
    if now >= b.end_time {
        return Ok(Decision::Ignore("already over"));
    }
    let policy = b.cancellation_policy.clone().unwrap_or_default();
    cancel(b, p, Actor::NoShowRelease, &policy, None, now)
}

/// The scheduler's release of a hold that ran out: nothing was paid, the unpaid intent is
/// made unpayable, the member's counters get their place and minutes back. The whole
/// claims are left alone: expiry freed them already, and another booking may own them
/// now; its marks on partly used blocks are withdrawn (`ClaimChange::Abandon`).
pub fn expire(b: &Booking, p: Option<&PaymentTransaction>, now: Timestamp) -> Decision {
    if b.status != BookingStatus::Pending || b.status_at(now) != BookingStatus::Expired {
        return Decision::Ignore("not a hold that ran out");
    }
    let mut e = base(b, BookingStatus::Expired, now, Outcome::Expired);
    e.claims = ClaimChange::Abandon;
    bookkeeping(&mut e, 100);
    if let Some(p) = p {
        let mut next = p.clone();
        if p.status == PaymentStatus::RequiresPayment {
            if b.rental.is_none() {
                e.cancel_intent = Some(p.stripe_payment_intent_id.clone());
            }
            next.status = PaymentStatus::Canceled;
            next.updated_at = now;
        }
        e.payment = Some(next);
    }
    e.events
        .push(DomainEvent::booking("BookingExpired", &e.after, now));
    Decision::Apply(Box::new(e))
}

/// Only the payment record changes, under the booking's version: documents owed for it
/// that its own change could not carry (a second refund's credit note: see
/// `invoice::documents_due`).
pub fn record_payment(b: &Booking, p: &PaymentTransaction, now: Timestamp) -> Effects {
    let mut e = base(b, b.status, now, Outcome::Recorded);
    e.after.hold_expires_at = b.hold_expires_at;
    e.payment = Some(p.clone());
    e
}

/// A refund Stripe made (ours, confirmed; or one made in its dashboard), recorded once.
pub fn refund_settled(
    b: &Booking,
    p: Option<&PaymentTransaction>,
    refund: RefundRecord,
    event_id: Option<&str>,
    now: Timestamp,
) -> Decision {
    let Some(p) = p else {
        return Decision::Ignore("booking without a payment");
    };
    let mut next = p.clone();
    if !next.record_refund(refund, now) {
        return Decision::Ignore("refund already recorded");
    }
    let mut e = base(b, b.status, now, Outcome::Recorded);
    e.after.hold_expires_at = b.hold_expires_at;
    e.events
        .push(DomainEvent::payment("PaymentRefunded", &next, now));
    e.payment = Some(next);
    if let Some(id) = event_id {
        e.stripe_event_id = Some(id.to_string());
    }
    Decision::Apply(Box::new(e))
}

/// Stripe refused a refund we owed (e.g. it was refunded in the dashboard meanwhile): the
/// debt is closed and an admin is told, never retried into a double refund.
pub fn refund_refused(
    b: &Booking,
    p: Option<&PaymentTransaction>,
    why: &str,
    now: Timestamp,
) -> Decision {
    let Some(p) = p else {
        return Decision::Ignore("booking without a payment");
    };
    let Some(due) = p.refund_due.clone() else {
        return Decision::Ignore("no refund owed");
    };
    let mut next = p.clone();
    next.refund_due = None;
    next.updated_at = now;
    let mut e = base(b, b.status, now, Outcome::RefundRefused);
    e.after.hold_expires_at = b.hold_expires_at;
    e.audit = Some(
        AuditEntry::system(
            "refunds",
            "payment.refund-refused",
            format!("booking/{}", b.id),
            now,
        )
        .before(&due)
        .after(&serde_json::json!({"refused": why})),
    );
    e.events
        .push(DomainEvent::payment("PaymentRefundRefused", &next, now));
    e.payment = Some(next);
    Decision::Apply(Box::new(e))
}

#[cfg(test)]
mod tests;
