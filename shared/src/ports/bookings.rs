//! Bookings, their slot claims, idempotency records and outbox events.

use std::future::Future;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::domain::audit::AuditEntry;
use crate::domain::booking::{Booking, BookingStatus, SlotKind};
use crate::domain::events::DomainEvent;
use crate::domain::payment::PaymentTransaction;
use crate::ports::store::StoreError;

/// What an `Idempotency-Key` was first used for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    pub key: String,
    /// The request it answered, canonicalized (`item|start|end`).
    pub request: String,
    pub booking_id: String,
}

/// Everything written by one booking creation, in one transaction.
pub struct NewBooking<'a> {
    pub booking: &'a Booking,
    /// The space and item versions the booking was planned against.
    pub space_version: u64,
    pub item_version: u64,
    pub event: &'a DomainEvent,
    pub idempotency: Option<&'a IdempotencyRecord>,
    /// The payment due for it (none when the booking is free and confirmed at once).
    pub payment: Option<&'a PaymentTransaction>,
    /// What the price assumed about the member's subscription.
    pub membership: Option<MembershipGuard<'a>>,
    /// How many unpaid holds the member may have at once (taken in the same transaction
    /// from a per-member counter; a hold gives its place back when it is paid, cancelled,
    /// fails or expires). Only pending bookings count.
    pub hold_limit: u32,
    pub now: Timestamp,
}

/// Checked in the booking's transaction, so a cached membership cannot be stale: the
/// membership must still be at `version` (or still absent), and included minutes are
/// taken from the month's counter only if they are still there. Either failing reads as
/// `CreateBookingError::Stale` (reload, price again).
#[derive(Clone, Copy, Debug)]
pub struct MembershipGuard<'a> {
    pub user_id: &'a str,
    pub version: Option<u64>,
    pub included: Option<IncludedMinutes<'a>>,
}

#[derive(Clone, Copy, Debug)]
pub struct IncludedMinutes<'a> {
    /// `YYYY-MM`, see `domain::membership::usage_month`.
    pub month: &'a str,
    pub minutes: u32,
    /// All included minutes of the month (the counter may not exceed it).
    pub allowance: u32,
}

/// What a status change does to the booking's slot claims.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotChange {
    Keep,
    /// Held claims become booked (each must still be this booking's).
    Book,
    /// Claims are deleted (each must still be this booking's).
    Release,
    /// Claims are written as booked if each is free, this booking's, or an expired hold:
    /// confirming a payment that arrived after the hold ran out.
    Reclaim,
}

/// One booking status change and everything that goes with it, in one transaction.
pub struct Transition<'a> {
    /// The booking as read: the write is conditional on its version.
    pub booking: &'a Booking,
    pub to: BookingStatus,
    /// Also require the booking to be pending with a hold that has not run out.
    pub require_live_hold: bool,
    pub slots: SlotChange,
    /// Written as given (the payment record always changes with its booking).
    pub payment: Option<&'a PaymentTransaction>,
    /// A Stripe event id to remember: the transaction fails if it was seen before.
    pub stripe_event_id: Option<&'a str>,
    pub events: &'a [DomainEvent],
    /// The audit entry when an operator or admin makes the change for the booker.
    pub audit: Option<&'a AuditEntry>,
    pub now: Timestamp,
}

#[derive(Debug, Error)]
pub enum TransitionError {
    /// The booking changed since it was read (or its hold ran out).
    #[error("the booking changed meanwhile")]
    Changed,
    /// Reclaiming: a slot belongs to another booking now.
    #[error("a slot is taken by another booking")]
    SlotTaken,
    /// The Stripe event was processed before.
    #[error("event already processed")]
    Duplicate,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Error)]
pub enum CreateBookingError {
    /// A slot is held or booked by another booking: `taken` is that booking's interval.
    #[error("slot {slot_start} is taken")]
    SlotTaken {
        slot_start: Timestamp,
        kind: Option<SlotKind>,
        taken: Option<(Timestamp, Timestamp)>,
    },
    /// The space or item changed (or the space was deleted) since it was read.
    #[error("the space or item changed")]
    Stale,
    /// The idempotency key was used before.
    #[error("idempotency key already used")]
    KeyUsed,
    /// The member already has `limit` unpaid holds.
    #[error("too many active holds")]
    TooManyHolds { limit: u32 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A claimed slot as availability sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotClaim {
    pub item_id: String,
    pub start: Timestamp,
    pub booking_id: String,
    pub kind: SlotKind,
    /// Set while the booking is pending: the claim lapses at this instant.
    pub held_until: Option<Timestamp>,
}

impl SlotClaim {
    pub fn active_at(&self, now: Timestamp) -> bool {
        self.held_until.is_none_or(|until| until > now)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Upcoming,
    Past,
    All,
}

pub struct BookingQuery<'a> {
    pub user_id: &'a str,
    pub when: When,
    pub status: Option<BookingStatus>,
    pub cursor: Option<&'a str>,
    pub limit: usize,
    pub now: Timestamp,
}

/// One page of a list, as stored and as answered (`{"items": [...], "next_cursor": ...}`).
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

pub trait BookingStore: Send + Sync + 'static {
    /// One transaction: idempotency record, version checks, the booking, its slot claims
    /// (each free, or held by an expired hold), its event. No read happens before it.
    fn create_booking(
        &self,
        new: &NewBooking<'_>,
    ) -> impl Future<Output = Result<(), CreateBookingError>> + Send;
    fn get_booking(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<Booking>, StoreError>> + Send;
    fn get_idempotency(
        &self,
        user_id: &str,
        key: &str,
    ) -> impl Future<Output = Result<Option<IdempotencyRecord>, StoreError>> + Send;
    /// The space an item belongs to (the relation never changes, so callers may cache it).
    fn find_item_space(
        &self,
        item_id: &str,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    fn list_user_bookings(
        &self,
        q: &BookingQuery<'_>,
    ) -> impl Future<Output = Result<Page<Booking>, StoreError>> + Send;
    /// A booking with its payment record, read consistently in one query.
    fn get_booking_with_payment(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<(Booking, Option<PaymentTransaction>)>, StoreError>> + Send;
    /// Applies `t` in one transaction (see [`Transition`]).
    fn transition_booking(
        &self,
        t: &Transition<'_>,
    ) -> impl Future<Output = Result<(), TransitionError>> + Send;
    /// Records a Stripe event id; false when it was recorded before.
    fn remember_stripe_event(
        &self,
        event_id: &str,
        now: Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Claims on a space's slots starting in `[from, to)`.
    fn slot_claims(
        &self,
        space_id: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> impl Future<Output = Result<Vec<SlotClaim>, StoreError>> + Send;
}
