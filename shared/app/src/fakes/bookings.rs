//! An in-memory model of the table for the booking lifecycle: spaces and items, bookings,
//! payments, claims, markers, counters, due actions, Stripe event ids. Every write is
//! all-or-nothing and checks the same conditions the DynamoDB adapter puts in its
//! transactions (`adapters::dynamo::booking_txn`), in the same order of precedence, so a
//! unit test of a flow sees what the real store would answer. Its clock is settable:
//! conditions on holds use it, as the adapter uses the wall clock.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};

use crate::ports::bookings::*;
use crate::ports::memberships::{MembershipStore, SaveMembershipError};
use crate::ports::schedule::{DueAction, ScheduleStore};
use crate::ports::spaces::SpaceStore;
use crate::ports::store::StoreError;
use domain::audit::AuditEntry;
use domain::booking::{Booking, SlotKind};
use domain::claims::Block;
use domain::events::DomainEvent;
use domain::lifecycle::{ClaimChange, Creation, Effects, MarkerChange, QuotaChange, UsageChange};
use domain::membership::{MemberState, Membership};
use domain::payment::PaymentTransaction;
use domain::schedule::DueKind;
use domain::space::{BookableItem, Space, SpaceStatus};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeClaim {
    pub booking_id: String,
    pub kind: SlotKind,
    /// `Some` while held (pending), `None` once booked.
    pub held_until: Option<Timestamp>,
    pub booking: (Timestamp, Timestamp),
}

pub type ClaimKey = (String, String, Block);

fn key(b: &Booking, block: Block) -> ClaimKey {
    (b.space_id.clone(), b.bookable_item_id.clone(), block)
}

impl FakeClaim {
    /// A hold that has run out: the next booking may take the block.
    fn expired(&self, now: Timestamp) -> bool {
        self.held_until.is_some_and(|until| until < now)
    }
}

impl World {
    /// Whether a whole claim on `k` is possible (the adapter's `claim_put` condition).
    fn claimable(&self, k: &ClaimKey, booking_id: &str, ours: bool, now: Timestamp) -> bool {
        let claim = self.claims.get(k);
        let marked = self.marks.get(k).is_some_and(|m| !m.is_empty());
        (claim.is_none() && !marked)
            || claim.is_some_and(|c| c.expired(now))
            || (ours && claim.is_some_and(|c| c.booking_id == booking_id))
    }

    /// Whether a mark on `k` is possible (the adapter's `mark_update` condition).
    fn markable(&self, k: &ClaimKey, now: Timestamp) -> bool {
        self.claims.get(k).is_none_or(|c| c.expired(now))
    }

    fn mark(&mut self, k: ClaimKey, booking_id: &str) {
        self.claims.remove(&k); // an expired hold's whole claim ends
        self.marks
            .entry(k)
            .or_default()
            .insert(booking_id.to_string());
    }

    fn unmark(&mut self, k: &ClaimKey, booking_id: &str) {
        if let Some(m) = self.marks.get_mut(k) {
            m.remove(booking_id);
        }
    }
}

#[derive(Default)]
pub struct World {
    pub spaces: HashMap<String, Space>,
    pub items: HashMap<String, BookableItem>,
    pub bookings: HashMap<String, Booking>,
    pub payments: HashMap<String, PaymentTransaction>,
    /// (space, item, block) -> whole claim.
    pub claims: BTreeMap<ClaimKey, FakeClaim>,
    /// (space, item, block) -> bookings marking it as partly used.
    pub marks: BTreeMap<ClaimKey, BTreeSet<String>>,
    /// (space, item, booking) -> (end, hold).
    pub markers: HashMap<(String, String, String), (Timestamp, Option<Timestamp>)>,
    pub idempotency: HashMap<(String, String), IdempotencyRecord>,
    pub stripe_events: HashSet<String>,
    pub holds: HashMap<String, i64>,
    pub usage: HashMap<(String, String), i64>,
    /// (user, quota counter) -> used.
    pub quotas: HashMap<(String, String), i64>,
    pub memberships: HashMap<String, Membership>,
    /// user -> subscribe lock held until.
    pub subscribing: HashMap<String, Timestamp>,
    pub due: Vec<DueAction>,
    pub scheduler_ran: Option<Timestamp>,
    pub events: Vec<DomainEvent>,
    pub audit: Vec<AuditEntry>,
    pub series: HashMap<String, domain::series::Series>,
    pub rentals: HashMap<String, domain::rental::Rental>,
    pub waitlist: Vec<domain::waitlist::WaitlistEntry>,
    pub invoices: super::invoices::Invoices,
    pub promos: super::promos::Promos,
}

/// Clones share one world and one clock (a store handed to several use cases).
#[derive(Clone)]
pub struct MemoryBookings {
    pub world: Arc<Mutex<World>>,
    clock: Arc<Mutex<Timestamp>>,
}

impl MemoryBookings {
    pub fn new(now: Timestamp) -> Self {
        Self {
            world: Arc::new(Mutex::new(World::default())),
            clock: Arc::new(Mutex::new(now)),
        }
    }

    pub fn now(&self) -> Timestamp {
        *self.clock.lock().unwrap()
    }

    pub fn advance(&self, by: SignedDuration) {
        *self.clock.lock().unwrap() += by;
    }

    /// Puts a space and its items as they are (set-up, and operators' edits in tests).
    pub fn put_space(&self, space: Space, items: Vec<BookableItem>) {
        let mut w = self.world.lock().unwrap();
        for item in items {
            w.items.insert(item.id.clone(), item);
        }
        w.spaces.insert(space.id.clone(), space);
    }

    pub fn put_membership(&self, m: Membership) {
        self.world
            .lock()
            .unwrap()
            .memberships
            .insert(m.user_id.clone(), m);
    }
}

fn apply_usage(w: &mut World, user: &str, u: &UsageChange) -> bool {
    let counter = w
        .usage
        .entry((user.to_string(), u.month.clone()))
        .or_insert(0);
    if u.minutes > 0 && *counter > u.allowance as i64 - u.minutes {
        return false;
    }
    *counter += u.minutes;
    true
}

/// Whether a quota change may apply (a take stays within its limit).
fn quota_ok(w: &World, user: &str, q: &QuotaChange) -> bool {
    let used = *w
        .quotas
        .get(&(user.to_string(), q.counter.clone()))
        .unwrap_or(&0);
    q.limit.is_none_or(|limit| used <= limit - q.delta)
}

fn apply_quota(w: &mut World, user: &str, q: &QuotaChange) {
    *w.quotas
        .entry((user.to_string(), q.counter.clone()))
        .or_insert(0) += q.delta;
}

fn put_marker(w: &mut World, b: &Booking, change: MarkerChange) {
    let key = (b.space_id.clone(), b.bookable_item_id.clone(), b.id.clone());
    match change {
        MarkerChange::Keep => {}
        MarkerChange::Delete => {
            w.markers.remove(&key);
        }
        MarkerChange::Put { hold_expires_at } => {
            w.markers.insert(key, (b.end_time, hold_expires_at));
        }
    }
}

fn push_due(w: &mut World, kind: DueKind, booking_id: &str, at: Timestamp) {
    let key = (
        format!("DUE#{}", at.strftime("%Y-%m-%dT%H")),
        format!("{at}#{}#{booking_id}", kind.as_str()),
    );
    if !w.due.iter().any(|d| d.key == key) {
        w.due.push(DueAction {
            kind,
            booking_id: booking_id.to_string(),
            at,
            key,
        });
    }
}

impl BookingStore for MemoryBookings {
    async fn create_booking(
        &self,
        c: &Creation,
        idempotency: Option<&IdempotencyRecord>,
    ) -> Result<(), CreateBookingError> {
        let now = self.now();
        let mut w = self.world.lock().unwrap();
        let b = &c.booking;
        if let Some(idem) = idempotency
            && w.idempotency
                .contains_key(&(b.user_id.clone(), idem.key.clone()))
        {
            return Err(CreateBookingError::KeyUsed);
        }
        if c.holds != 0 && *w.holds.get(&b.user_id).unwrap_or(&0) >= c.hold_limit as i64 {
            return Err(CreateBookingError::TooManyHolds {
                limit: c.hold_limit,
                new_account: false,
            });
        }
        let space_ok = w
            .spaces
            .get(&b.space_id)
            .is_some_and(|s| s.status == SpaceStatus::Active && s.version == c.space_version);
        let item_ok = w
            .items
            .get(&b.bookable_item_id)
            .is_some_and(|i| i.version == c.item_version);
        let membership_ok =
            w.memberships.get(&b.user_id).map(|m| m.version) == c.membership_version;
        let usage_ok = c.usage.as_ref().is_none_or(|u| {
            let used = *w
                .usage
                .get(&(b.user_id.clone(), u.month.clone()))
                .unwrap_or(&0);
            used <= u.allowance as i64 - u.minutes
        });
        if !(space_ok && item_ok && membership_ok && usage_ok) {
            return Err(CreateBookingError::Stale);
        }
        if let Some(index) = c.quotas.iter().position(|q| !quota_ok(&w, &b.user_id, q)) {
            return Err(CreateBookingError::QuotaReached { index });
        }
        if let Some(p) = &c.promo {
            match w.promos.check(&b.user_id, p) {
                Ok(()) => {}
                Err(super::promos::Refused::Changed) => return Err(CreateBookingError::Stale),
                Err(super::promos::Refused::UsedUp { member }) => {
                    return Err(CreateBookingError::PromoUsedUp { member });
                }
            }
        }
        let taken = |k: &ClaimKey, start: Timestamp| {
            // A block only marked as partly used names a live claim in the way instead
            // (the adapter reads one after the refusal).
            let old = w.claims.get(k).or_else(|| {
                let end = b.slots.last().map_or(b.end_time, |s| s.block().end());
                w.claims
                    .iter()
                    .filter(|((sp, it, blk), c)| {
                        sp == &b.space_id
                            && it == &b.bookable_item_id
                            && blk.start < end
                            && b.start_time < blk.end()
                            && !c.expired(now)
                    })
                    .map(|(_, c)| c)
                    .next()
            });
            let marked_by: BTreeSet<String> = b
                .slots
                .iter()
                .map(|s| key(b, s.block()))
                .filter(|k| !w.claims.contains_key(k))
                .filter_map(|k| w.marks.get(&k))
                .flatten()
                .cloned()
                .collect();
            CreateBookingError::SlotTaken {
                slot_start: start,
                kind: old.map(|c| c.kind),
                taken: old.map(|c| c.booking),
                marked_by: marked_by.into_iter().collect(),
            }
        };
        for slot in &b.slots {
            let k = key(b, slot.block());
            if !w.claimable(&k, &b.id, false, now) {
                return Err(taken(&k, slot.start));
            }
        }
        for block in b.intents() {
            let k = key(b, block);
            if !w.markable(&k, now) {
                return Err(taken(&k, block.start));
            }
        }
        if w.bookings.contains_key(&b.id) {
            return Err(StoreError::AlreadyExists.into());
        }
        // Every condition holds: write it all.
        if let Some(idem) = idempotency {
            w.idempotency
                .insert((b.user_id.clone(), idem.key.clone()), idem.clone());
        }
        if let Some(u) = &c.usage {
            apply_usage(&mut w, &b.user_id, u);
        }
        for q in &c.quotas {
            apply_quota(&mut w, &b.user_id, q);
        }
        if let Some(p) = &c.promo {
            w.promos.count(&b.user_id, p);
        }
        *w.holds.entry(b.user_id.clone()).or_insert(0) += c.holds;
        for slot in &b.slots {
            w.marks.remove(&key(b, slot.block()));
            w.claims.insert(
                key(b, slot.block()),
                FakeClaim {
                    booking_id: b.id.clone(),
                    kind: slot.kind,
                    held_until: b.hold_expires_at,
                    booking: (b.start_time, b.end_time),
                },
            );
        }
        for block in b.intents() {
            w.mark(key(b, block), &b.id);
        }
        if let Some(p) = &c.payment {
            w.payments.insert(b.id.clone(), p.clone());
        }
        for due in &c.due {
            push_due(&mut w, due.kind, &b.id, due.at);
        }
        w.events.push(c.event.clone());
        put_marker(&mut w, b, c.marker);
        w.bookings.insert(b.id.clone(), b.clone());
        Ok(())
    }

    async fn apply(&self, e: &Effects) -> Result<(), TransitionError> {
        let now = self.now();
        let mut w = self.world.lock().unwrap();
        let b = &e.after;
        if let Some(id) = &e.stripe_event_id
            && w.stripe_events.contains(id)
        {
            return Err(TransitionError::Duplicate);
        }
        let stored = w.bookings.get(&b.id).ok_or(TransitionError::Changed)?;
        let live_hold = stored.status == domain::booking::BookingStatus::Pending
            && stored.hold_expires_at.is_some_and(|h| h > now);
        if stored.version != e.before.version || (e.require_live_hold && !live_hold) {
            return Err(TransitionError::Changed);
        }
        let refused = |w: &World| -> bool {
            let claims_ok = e.before.slots.iter().all(|slot| {
                let k = key(b, slot.block());
                match e.claims {
                    ClaimChange::Keep | ClaimChange::Abandon => true,
                    ClaimChange::Book | ClaimChange::Release => {
                        w.claims.get(&k).is_some_and(|c| c.booking_id == b.id)
                    }
                    ClaimChange::Reclaim => w.claimable(&k, &b.id, true, now),
                }
            }) && (e.claims != ClaimChange::Reclaim
                || e.before
                    .intents()
                    .into_iter()
                    .all(|block| w.markable(&key(b, block), now)));
            let bookable = !e.require_bookable
                || (w
                    .spaces
                    .get(&b.space_id)
                    .is_some_and(|s| s.status == SpaceStatus::Active)
                    && w.items
                        .get(&b.bookable_item_id)
                        .is_some_and(|i| i.retired_at.is_none()));
            let usage_ok = e.usage.as_ref().is_none_or(|u| {
                u.minutes <= 0
                    || *w
                        .usage
                        .get(&(b.user_id.clone(), u.month.clone()))
                        .unwrap_or(&0)
                        <= u.allowance as i64 - u.minutes
            });
            let quotas_ok = e.quotas.iter().all(|q| quota_ok(w, &b.user_id, q));
            !(claims_ok && usage_ok && quotas_ok && bookable)
        };
        if refused(&w) {
            return Err(match e.claims {
                ClaimChange::Reclaim => TransitionError::ReclaimRefused,
                _ => TransitionError::Changed,
            });
        }
        if e.promo
            .as_ref()
            .is_some_and(|p| w.promos.check(&b.user_id, p).is_err())
        {
            return Err(match e.claims {
                ClaimChange::Reclaim => TransitionError::ReclaimRefused,
                _ => TransitionError::Changed,
            });
        }
        if !w.invoices.numbers_free(&e.documents) {
            return Err(TransitionError::NumberTaken);
        }
        w.invoices.issue(&e.documents);
        if let Some(id) = &e.stripe_event_id {
            w.stripe_events.insert(id.clone());
        }
        for block in e.before.intents() {
            match e.claims {
                ClaimChange::Keep | ClaimChange::Book => {}
                ClaimChange::Release | ClaimChange::Abandon => w.unmark(&key(b, block), &b.id),
                ClaimChange::Reclaim => w.mark(key(b, block), &b.id),
            }
        }
        for slot in &e.before.slots {
            let key = key(b, slot.block());
            match e.claims {
                ClaimChange::Keep | ClaimChange::Abandon => {}
                ClaimChange::Release => {
                    w.claims.remove(&key);
                }
                ClaimChange::Book | ClaimChange::Reclaim => {
                    w.marks.remove(&key);
                    w.claims.insert(
                        key,
                        FakeClaim {
                            booking_id: b.id.clone(),
                            kind: slot.kind,
                            held_until: None,
                            booking: (b.start_time, b.end_time),
                        },
                    );
                }
            }
        }
        if let Some(p) = &e.payment {
            w.payments.insert(b.id.clone(), p.clone());
        }
        *w.holds.entry(b.user_id.clone()).or_insert(0) += e.holds;
        if let Some(u) = &e.usage {
            apply_usage(&mut w, &b.user_id, u);
        }
        for q in &e.quotas {
            apply_quota(&mut w, &b.user_id, q);
        }
        if let Some(p) = &e.promo {
            w.promos.count(&b.user_id, p);
        }
        put_marker(&mut w, b, e.marker);
        for due in &e.due {
            push_due(&mut w, due.kind, &b.id, due.at);
        }
        w.events.extend(e.events.iter().cloned());
        w.audit.extend(e.audit.iter().cloned());
        w.bookings.insert(b.id.clone(), b.clone());
        Ok(())
    }

    async fn get_booking(&self, id: &str) -> Result<Option<Booking>, StoreError> {
        Ok(self.world.lock().unwrap().bookings.get(id).cloned())
    }

    async fn get_idempotency(
        &self,
        user_id: &str,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        Ok(self
            .world
            .lock()
            .unwrap()
            .idempotency
            .get(&(user_id.to_string(), key.to_string()))
            .cloned())
    }

    async fn find_item_space(&self, item_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .world
            .lock()
            .unwrap()
            .items
            .get(item_id)
            .map(|i| i.space_id.clone()))
    }

    async fn list_bookings(&self, q: &BookingQuery<'_>) -> Result<Page<Booking>, StoreError> {
        let w = self.world.lock().unwrap();
        let mut items: Vec<Booking> = w
            .bookings
            .values()
            .filter(|b| match q.of {
                BookingsOf::User(id) => b.user_id == id,
                BookingsOf::Space(id) => b.space_id == id,
            })
            .filter(|b| match q.when {
                When::Upcoming => b.end_time > q.now,
                When::Past => b.end_time <= q.now,
                When::All => true,
            })
            .filter(|b| q.status.is_none_or(|s| b.status_at(q.now) == s))
            .cloned()
            .collect();
        match q.of {
            BookingsOf::User(_) => items.sort_by_key(|b| b.start_time),
            BookingsOf::Space(_) => items.sort_by_key(|b| b.end_time),
        }
        items.truncate(q.limit);
        Ok(Page {
            items,
            next_cursor: None,
        })
    }

    async fn get_booking_with_payment(
        &self,
        id: &str,
    ) -> Result<Option<(Booking, Option<PaymentTransaction>)>, StoreError> {
        let w = self.world.lock().unwrap();
        Ok(w.bookings
            .get(id)
            .map(|b| (b.clone(), w.payments.get(id).cloned())))
    }

    async fn find_bookings_by_intent(
        &self,
        payment_intent_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        let w = self.world.lock().unwrap();
        let mut ids: Vec<String> = w
            .payments
            .values()
            .filter(|p| p.stripe_payment_intent_id == payment_intent_id)
            .map(|p| p.booking_id.clone())
            .collect();
        ids.sort();
        Ok(ids)
    }

    async fn remember_stripe_event(
        &self,
        event_id: &str,
        _now: Timestamp,
    ) -> Result<bool, StoreError> {
        Ok(self
            .world
            .lock()
            .unwrap()
            .stripe_events
            .insert(event_id.to_string()))
    }

    async fn slot_claims(
        &self,
        space_id: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<SlotClaim>, StoreError> {
        let w = self.world.lock().unwrap();
        let mut out: Vec<SlotClaim> = w
            .claims
            .iter()
            .filter(|((s, _, block), _)| s == space_id && block.start < to && block.end() > from)
            .map(|((_, item, block), c)| SlotClaim {
                item_id: item.clone(),
                start: block.start,
                end: block.end(),
                booking_id: c.booking_id.clone(),
                booking: Some(c.booking),
                kind: c.kind,
                held_until: c.held_until,
            })
            .collect();
        out.sort_by(|a, b| (a.start, &a.item_id).cmp(&(b.start, &b.item_id)));
        Ok(out)
    }

    async fn has_upcoming_bookings(
        &self,
        space_id: &str,
        item_id: Option<&str>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        Ok(self
            .world
            .lock()
            .unwrap()
            .markers
            .iter()
            .any(|((s, i, _), (end, hold))| {
                s == space_id
                    && item_id.is_none_or(|id| id == i)
                    && *end > now
                    && hold.is_none_or(|h| h > now)
            }))
    }
}

impl SpaceStore for MemoryBookings {
    async fn create_space(
        &self,
        space: &Space,
        items: &[BookableItem],
        _audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        self.put_space(space.clone(), items.to_vec());
        Ok(())
    }

    async fn get_space(&self, id: &str) -> Result<Option<(Space, Vec<BookableItem>)>, StoreError> {
        let w = self.world.lock().unwrap();
        Ok(w.spaces.get(id).map(|s| {
            let mut items: Vec<BookableItem> = w
                .items
                .values()
                .filter(|i| i.space_id == id)
                .cloned()
                .collect();
            items.sort_by(|a, b| a.id.cmp(&b.id));
            (s.clone(), items)
        }))
    }

    async fn get_space_profile(&self, id: &str) -> Result<Option<Space>, StoreError> {
        Ok(self.world.lock().unwrap().spaces.get(id).cloned())
    }

    async fn list_owned_spaces(&self, owner_id: &str) -> Result<Vec<Space>, StoreError> {
        let w = self.world.lock().unwrap();
        let mut spaces: Vec<Space> = w
            .spaces
            .values()
            .filter(|s| s.owner_id == owner_id)
            .cloned()
            .collect();
        spaces.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(spaces)
    }

    async fn update_space(
        &self,
        old: &Space,
        new: &Space,
        _audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut w = self.world.lock().unwrap();
        match w.spaces.get(&old.id) {
            Some(s) if s.version == old.version => {
                w.spaces.insert(new.id.clone(), new.clone());
                Ok(())
            }
            _ => Err(StoreError::Conflict("space changed".into())),
        }
    }

    async fn create_item(
        &self,
        _space: &Space,
        item: &BookableItem,
        _audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        self.world
            .lock()
            .unwrap()
            .items
            .insert(item.id.clone(), item.clone());
        Ok(())
    }

    async fn get_item(
        &self,
        _space_id: &str,
        item_id: &str,
    ) -> Result<Option<BookableItem>, StoreError> {
        Ok(self.world.lock().unwrap().items.get(item_id).cloned())
    }

    async fn update_item(
        &self,
        _space: &Space,
        old: &BookableItem,
        new: &BookableItem,
        _audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut w = self.world.lock().unwrap();
        match w.items.get(&old.id) {
            Some(i) if i.version == old.version => {
                w.items.insert(new.id.clone(), new.clone());
                Ok(())
            }
            _ => Err(StoreError::Conflict("item changed".into())),
        }
    }

    async fn delete_item(
        &self,
        _space: &Space,
        item: &BookableItem,
        _audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut w = self.world.lock().unwrap();
        match w.items.get(&item.id) {
            Some(i) if i.version == item.version => {
                w.items.remove(&item.id);
                Ok(())
            }
            _ => Err(StoreError::Conflict("item changed".into())),
        }
    }

    async fn set_item_retired(
        &self,
        item: &BookableItem,
        retired_at: Option<Timestamp>,
    ) -> Result<BookableItem, StoreError> {
        let mut w = self.world.lock().unwrap();
        match w.items.get(&item.id) {
            Some(i) if i.version == item.version => {
                let mut next = item.clone();
                next.retired_at = retired_at;
                next.version += 1;
                w.items.insert(next.id.clone(), next.clone());
                Ok(next)
            }
            _ => Err(StoreError::Conflict("item changed".into())),
        }
    }
}

impl MembershipStore for MemoryBookings {
    async fn member_state(&self, user_id: &str) -> Result<MemberState, StoreError> {
        let w = self.world.lock().unwrap();
        Ok(MemberState {
            membership: w.memberships.get(user_id).cloned(),
            usage: w
                .usage
                .iter()
                .filter(|((u, _), _)| u == user_id)
                .map(|((_, month), minutes)| (month.clone(), (*minutes).max(0) as u32))
                .collect(),
        })
    }

    async fn reserve_subscribing(
        &self,
        user_id: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut w = self.world.lock().unwrap();
        if w.subscribing.get(user_id).is_some_and(|held| *held >= now) {
            return Ok(false);
        }
        w.subscribing.insert(user_id.to_string(), until);
        Ok(true)
    }

    async fn release_subscribing(&self, user_id: &str) -> Result<(), StoreError> {
        self.world.lock().unwrap().subscribing.remove(user_id);
        Ok(())
    }

    async fn save_membership(
        &self,
        m: &Membership,
        event: &DomainEvent,
        stripe_event_id: Option<&str>,
        _now: Timestamp,
    ) -> Result<(), SaveMembershipError> {
        let mut w = self.world.lock().unwrap();
        if let Some(id) = stripe_event_id
            && w.stripe_events.contains(id)
        {
            return Err(SaveMembershipError::Duplicate);
        }
        let stored = w.memberships.get(&m.user_id).map(|m| m.version);
        let expected = (m.version > 1).then(|| m.version - 1);
        if stored != expected {
            return Err(SaveMembershipError::Changed);
        }
        if let Some(id) = stripe_event_id {
            w.stripe_events.insert(id.to_string());
        }
        w.memberships.insert(m.user_id.clone(), m.clone());
        w.events.push(event.clone());
        Ok(())
    }
}

impl ScheduleStore for MemoryBookings {
    async fn due_actions(
        &self,
        now: Timestamp,
        lookback_hours: i64,
    ) -> Result<Vec<DueAction>, StoreError> {
        let w = self.world.lock().unwrap();
        // As the adapter: only the hour buckets of the look-back are read.
        let first_bucket = format!(
            "DUE#{}",
            (now - SignedDuration::from_hours(lookback_hours)).strftime("%Y-%m-%dT%H")
        );
        let mut due: Vec<DueAction> = w
            .due
            .iter()
            .filter(|d| d.at <= now && d.key.0 >= first_bucket)
            .cloned()
            .collect();
        due.sort_by_key(|d| d.at);
        Ok(due)
    }

    async fn last_run(&self) -> Result<Option<Timestamp>, StoreError> {
        Ok(self.world.lock().unwrap().scheduler_ran)
    }

    async fn record_run(&self, at: Timestamp) -> Result<(), StoreError> {
        let mut w = self.world.lock().unwrap();
        w.scheduler_ran = w.scheduler_ran.max(Some(at));
        Ok(())
    }

    async fn finish_due(&self, action: &DueAction) -> Result<(), StoreError> {
        self.world
            .lock()
            .unwrap()
            .due
            .retain(|d| d.key != action.key);
        Ok(())
    }

    async fn postpone(&self, action: &DueAction, to: Timestamp) -> Result<(), StoreError> {
        let mut w = self.world.lock().unwrap();
        let before = w.due.len();
        w.due.retain(|d| d.key != action.key);
        if w.due.len() < before {
            push_due(&mut w, action.kind, &action.booking_id, to);
        }
        Ok(())
    }

    async fn finish_due_with_event(
        &self,
        action: &DueAction,
        event: &DomainEvent,
    ) -> Result<bool, StoreError> {
        let mut w = self.world.lock().unwrap();
        let before = w.due.len();
        w.due.retain(|d| d.key != action.key);
        if w.due.len() == before {
            return Ok(false);
        }
        w.events.push(event.clone());
        Ok(true)
    }
}

impl crate::ports::series::SeriesStore for MemoryBookings {
    async fn put_series(&self, series: &domain::series::Series) -> Result<bool, StoreError> {
        let mut w = self.world.lock().unwrap();
        if w.series.contains_key(&series.id) {
            return Ok(false);
        }
        w.series.insert(series.id.clone(), series.clone());
        Ok(true)
    }

    async fn get_series(&self, id: &str) -> Result<Option<domain::series::Series>, StoreError> {
        Ok(self.world.lock().unwrap().series.get(id).cloned())
    }
}

impl crate::ports::rentals::RentalStore for MemoryBookings {
    async fn put_rental(&self, rental: &domain::rental::Rental) -> Result<bool, StoreError> {
        let mut w = self.world.lock().unwrap();
        if w.rentals.contains_key(&rental.id) {
            return Ok(false);
        }
        w.rentals.insert(rental.id.clone(), rental.clone());
        Ok(true)
    }

    async fn get_rental(&self, id: &str) -> Result<Option<domain::rental::Rental>, StoreError> {
        Ok(self.world.lock().unwrap().rentals.get(id).cloned())
    }

    async fn save_rental(
        &self,
        rental: &domain::rental::Rental,
        event: Option<&DomainEvent>,
    ) -> Result<bool, StoreError> {
        let mut w = self.world.lock().unwrap();
        match w.rentals.get(&rental.id) {
            Some(stored) if stored.version + 1 == rental.version => {
                w.rentals.insert(rental.id.clone(), rental.clone());
                w.events.extend(event.cloned());
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

impl crate::ports::waitlist::WaitlistStore for MemoryBookings {
    async fn join_line(&self, entry: &domain::waitlist::WaitlistEntry) -> Result<(), StoreError> {
        self.world.lock().unwrap().waitlist.push(entry.clone());
        Ok(())
    }

    async fn line(
        &self,
        item_id: &str,
    ) -> Result<Vec<domain::waitlist::WaitlistEntry>, StoreError> {
        let w = self.world.lock().unwrap();
        let mut line: Vec<_> = w
            .waitlist
            .iter()
            .filter(|e| e.bookable_item_id == item_id)
            .cloned()
            .collect();
        line.sort_by(|a, b| (a.joined_at, &a.id).cmp(&(b.joined_at, &b.id)));
        Ok(line)
    }

    async fn entries_of(
        &self,
        user_id: &str,
    ) -> Result<Vec<domain::waitlist::WaitlistEntry>, StoreError> {
        let w = self.world.lock().unwrap();
        let mut mine: Vec<_> = w
            .waitlist
            .iter()
            .filter(|e| e.user_id == user_id)
            .cloned()
            .collect();
        mine.sort_by(|a, b| (a.joined_at, &a.id).cmp(&(b.joined_at, &b.id)));
        Ok(mine)
    }

    async fn update_entry(
        &self,
        entry: &domain::waitlist::WaitlistEntry,
        event: Option<&DomainEvent>,
    ) -> Result<bool, StoreError> {
        let mut w = self.world.lock().unwrap();
        let Some(stored) = w.waitlist.iter_mut().find(|e| e.id == entry.id) else {
            return Ok(false);
        };
        if stored.version + 1 != entry.version {
            return Ok(false);
        }
        *stored = entry.clone();
        if let Some(e) = event {
            w.events.push(e.clone());
        }
        Ok(true)
    }
}
