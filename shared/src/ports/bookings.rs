//! Bookings, their slot claims, idempotency records and outbox events.

use std::future::Future;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::domain::booking::{Booking, BookingStatus, SlotKind};
use crate::domain::events::DomainEvent;
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
    pub now: Timestamp,
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

pub struct Page<T> {
    pub items: Vec<T>,
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
    /// Marks `booking` (as read) cancelled and, when `release` is set, frees its slots, in
    /// one transaction with `event`. `Conflict` if the booking changed meanwhile.
    fn cancel_booking(
        &self,
        booking: &Booking,
        release: bool,
        event: &DomainEvent,
        now: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Confirms a pending booking whose hold is still valid, turning its held slots into
    /// booked ones, in one transaction with `event`. `Conflict` if the hold expired.
    fn confirm_booking(
        &self,
        booking: &Booking,
        event: &DomainEvent,
        now: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Claims on a space's slots starting in `[from, to)`.
    fn slot_claims(
        &self,
        space_id: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> impl Future<Output = Result<Vec<SlotClaim>, StoreError>> + Send;
}
