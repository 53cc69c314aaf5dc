//! Bookings, their slot claims, idempotency records and outbox events.

use std::future::Future;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ports::store::StoreError;
use domain::booking::{Booking, BookingStatus, SlotKind};
pub use domain::lifecycle::{Creation, Effects};
use domain::payment::PaymentTransaction;

/// What an `Idempotency-Key` was first used for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    pub key: String,
    /// The request it answered, canonicalized (`item|start|end`).
    pub request: String,
    pub booking_id: String,
}

#[derive(Debug, Error)]
pub enum TransitionError {
    /// The booking changed since it was read (or its hold ran out).
    #[error("the booking changed meanwhile")]
    Changed,
    /// Reclaiming: a cell belongs to another booking now, or the month's included
    /// minutes were spent meanwhile.
    #[error("the booking cannot take its time back")]
    ReclaimRefused,
    /// The Stripe event was processed before.
    #[error("event already processed")]
    Duplicate,
    /// Another payment took the number an invoice or credit note was given: number
    /// again and retry (nothing else changed).
    #[error("the document's number was taken meanwhile")]
    NumberTaken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Error)]
pub enum CreateBookingError {
    /// A cell is held or booked by another booking: `taken` is that booking's interval.
    #[error("slot {slot_start} is taken")]
    SlotTaken {
        slot_start: Timestamp,
        kind: Option<SlotKind>,
        taken: Option<(Timestamp, Timestamp)>,
        /// Bookings marking a refused block as partly used (when that is all that was in
        /// the way): some may be holds that ran out, whose marks expiry withdraws.
        marked_by: Vec<String>,
    },
    /// The space, item or membership changed (or the space was deleted, or the month's
    /// included minutes were spent) since they were read: reload and plan again.
    #[error("the space, item or membership changed")]
    Stale,
    /// The idempotency key was used before.
    #[error("idempotency key already used")]
    KeyUsed,
    /// The promo code was redeemed as often as it may be (`member`: by this member).
    #[error("the promo code is used up")]
    PromoUsedUp { member: bool },
    /// The member already has `limit` unpaid holds (the smaller limit of a brand-new
    /// account when `new_account`).
    #[error("too many active holds")]
    TooManyHolds { limit: u32, new_account: bool },
    /// Taking the booking's `index`-th quota (`Creation::quotas`, `Booking::quotas`) would
    /// pass its limit.
    #[error("a quota is reached")]
    QuotaReached { index: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A block claimed whole (`domain::claims`) as availability sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotClaim {
    pub item_id: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub booking_id: String,
    /// The claiming booking's own interval (what a 409 names).
    pub booking: Option<(Timestamp, Timestamp)>,
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

/// Whose bookings a list reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookingsOf<'a> {
    /// A member's, by start time.
    User(&'a str),
    /// A space's (for its operator), by end time.
    Space(&'a str),
}

pub struct BookingQuery<'a> {
    pub of: BookingsOf<'a>,
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

/// The store of bookings also issues their invoices and credit notes (written in the
/// transaction that records the payment or refund) and counts promo-code redemptions (in
/// the transaction that makes or ends the booking).
pub trait BookingStore:
    crate::ports::invoices::InvoiceStore + crate::ports::promos::PromoStore + Send + Sync + 'static
{
    /// One transaction: idempotency record, version checks, the booking, its claims (each
    /// free, or held by an expired hold), its counters, marker, due action and event.
    /// No read happens before it.
    fn create_booking(
        &self,
        new: &Creation,
        idempotency: Option<&IdempotencyRecord>,
    ) -> impl Future<Output = Result<(), CreateBookingError>> + Send;
    /// Writes every effect of a lifecycle decision in one transaction (see [`Effects`]).
    fn apply(&self, effects: &Effects) -> impl Future<Output = Result<(), TransitionError>> + Send;
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
    fn list_bookings(
        &self,
        q: &BookingQuery<'_>,
    ) -> impl Future<Output = Result<Page<Booking>, StoreError>> + Send;
    /// A booking with its payment record, read consistently in one query.
    fn get_booking_with_payment(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<(Booking, Option<PaymentTransaction>)>, StoreError>> + Send;
    /// The bookings paid through a PaymentIntent (for Stripe news without our metadata):
    /// one, or the occurrences of a series.
    fn find_bookings_by_intent(
        &self,
        payment_intent_id: &str,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
    /// Records a Stripe event id; false when it was recorded before.
    fn remember_stripe_event(
        &self,
        event_id: &str,
        now: Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Claims on a space's cells starting in `[from, to)`.
    fn slot_claims(
        &self,
        space_id: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> impl Future<Output = Result<Vec<SlotClaim>, StoreError>> + Send;
    /// Whether a live booking of the space (or of one item) ends after `now`, read
    /// consistently from the bookings' markers (a pending one only while its hold lasts).
    fn has_upcoming_bookings(
        &self,
        space_id: &str,
        item_id: Option<&str>,
        now: Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
