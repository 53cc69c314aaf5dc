//! Waitlists (`domain::waitlist`): joining the line for taken time, leaving it, and
//! offering freed time to the first in line.
//!
//! The offer is made by `waitlist-worker` from the booking events that free time
//! (cancelled, expired, failed), not in the request that freed it: a Stripe or table
//! outage then delays an offer (the queue retries, then its DLQ) and never fails a
//! cancellation. The offer is an ordinary hold made by the single booking's path for the
//! waiter, under a key derived from the entry and its version, so a redelivered event
//! makes no second booking; the entry then points to it, with a `WaitlistOffered` event
//! (the notification) in the same transaction.

use jiff::Timestamp;

use crate::caller::Caller;
use crate::error::AppError;
use crate::ports::bookings::BookingStore;
use crate::ports::memberships::MembershipStore;
use crate::ports::payments::Payments;
use crate::ports::spaces::SpaceStore;
use crate::ports::waitlist::WaitlistStore;
use crate::usecase::create_booking::{BookingDesk, CreateBookingCommand};
use domain::events::DomainEvent;
use domain::lifecycle::{self, Actor, NewBooking, Period};
use domain::waitlist::{MAX_WAITING_PER_MEMBER, WaitStatus, WaitlistEntry, next_in_line};

/// What freed time: a booking event's detail, read by the worker.
pub struct Freed<'a> {
    pub booking_id: &'a str,
    pub item_id: &'a str,
    pub start: Timestamp,
    pub end: Timestamp,
}

impl<S, P> BookingDesk<S, P>
where
    S: SpaceStore + BookingStore + MembershipStore + WaitlistStore,
    P: Payments,
{
    /// Joins the line for `[start, end)` of an item: only time that is bookable by the
    /// space's rules and taken now (free time is booked, not waited for).
    pub async fn join_waitlist(
        &self,
        caller: &Caller,
        item_id: &str,
        (start, end): (Timestamp, Timestamp),
        now: Timestamp,
    ) -> Result<WaitlistEntry, AppError> {
        let entry = self
            .catalog
            .for_item(&self.store, item_id, false)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no bookable item {item_id}")))?;
        let item = entry
            .item(item_id)
            .ok_or_else(|| AppError::NotFound(format!("no bookable item {item_id}")))?;
        let member = self
            .members
            .get(&self.store, &caller.user_id, false)
            .await?;
        let planned = lifecycle::create(&NewBooking {
            id: "waitlist-check",
            user_id: &caller.user_id,
            space: &entry.space,
            item,
            period: Period::Hours { start, end },
            member: &member,
            hold: self.hold,
            hold_limit: self.hold_limit,
            now,
            promo: None,
        })?;
        if self.taken(&planned.booking, now).await?.is_none() {
            return Err(AppError::Conflict {
                detail: "this time is free: book it instead of waiting".into(),
                conflict: Some(serde_json::json!({"free": true})),
            });
        }
        let mine = self.store.entries_of(&caller.user_id).await?;
        // Entries whose time is still to come (an offer paid for stays `offered`).
        let open: Vec<&WaitlistEntry> = mine
            .iter()
            .filter(|e| e.status != WaitStatus::Closed && e.end_time > now)
            .collect();
        if let Some(same) = open
            .iter()
            .find(|e| e.bookable_item_id == item_id && e.start_time == start && e.end_time == end)
        {
            return Ok((*same).clone());
        }
        if open.len() >= MAX_WAITING_PER_MEMBER {
            return Err(AppError::Conflict {
                detail: format!(
                    "you are already waiting for {MAX_WAITING_PER_MEMBER} times: leave one first"
                ),
                conflict: Some(serde_json::json!({"waiting_limit": MAX_WAITING_PER_MEMBER})),
            });
        }
        let joined = WaitlistEntry {
            id: uuid::Uuid::new_v4().to_string(),
            user_id: caller.user_id.clone(),
            space_id: entry.space.id.clone(),
            bookable_item_id: item_id.to_string(),
            start_time: start,
            end_time: end,
            joined_at: now,
            status: WaitStatus::Waiting,
            offer_booking_id: None,
            version: 1,
        };
        self.store.join_line(&joined).await?;
        Ok(joined)
    }

    /// Offers freed time to the first in line whose interval is now free, then to the
    /// next ones whose intervals do not overlap an offer made here (a freed 10-12 may go to
    /// the waiter for 10-11 and to the one for 11-12). Returns the entries offered.
    pub async fn offer_freed(
        &self,
        freed: &Freed<'_>,
        now: Timestamp,
    ) -> Result<Vec<WaitlistEntry>, AppError> {
        let line = self.store.line(freed.item_id).await?;
        let overlaps = |e: &WaitlistEntry| e.start_time < freed.end && freed.start < e.end_time;
        if !line
            .iter()
            .any(|e| e.status != WaitStatus::Closed && e.end_time > now && overlaps(e))
        {
            return Ok(Vec::new());
        }
        // Which offers on this time still hold it (one read each).
        let mut live = Vec::new();
        for e in line
            .iter()
            .filter(|e| e.status == WaitStatus::Offered && e.end_time > now && overlaps(e))
        {
            if let Some(id) = &e.offer_booking_id
                && let Some(b) = self.store.get_booking(id).await?
                && b.holds_slots(now)
            {
                live.push(e.id.clone());
            }
        }
        let turn = next_in_line(
            &line,
            freed.booking_id,
            (freed.start, freed.end),
            now,
            |e| live.contains(&e.id),
        );
        if let Some(lapsed) = turn.lapsed {
            let mut closed = lapsed.clone();
            closed.status = WaitStatus::Closed;
            closed.version += 1;
            self.store.update_entry(&closed, None).await?;
        }
        let mut offered: Vec<WaitlistEntry> = Vec::new();
        for waiter in turn.candidates {
            if offered
                .iter()
                .any(|o| o.start_time < waiter.end_time && waiter.start_time < o.end_time)
            {
                continue;
            }
            if let Some(made) = self.offer_to(waiter, freed.item_id, now).await? {
                offered.push(made);
            }
        }
        Ok(offered)
    }

    /// One waiter's turn: a hold for their time if it is free for them, with the entry's
    /// update and its notification. None when they are passed over (they keep their place).
    async fn offer_to(
        &self,
        waiter: &WaitlistEntry,
        item_id: &str,
        now: Timestamp,
    ) -> Result<Option<WaitlistEntry>, AppError> {
        // Still taken by a live booking: passed over without asking Stripe for an intent.
        let claims = self
            .store
            .slot_claims(&waiter.space_id, waiter.start_time, waiter.end_time)
            .await?;
        if claims.iter().any(|c| {
            c.item_id == item_id
                && c.active_at(now)
                && c.start < waiter.end_time
                && waiter.start_time < c.end
        }) {
            return Ok(None);
        }
        // A '#' no client key may contain: a member cannot take this key first.
        let key = format!("waitlist#{}#{}", waiter.id, waiter.version);
        let made = self
            .create(
                &CreateBookingCommand {
                    user_id: &waiter.user_id,
                    idempotency_key: &key,
                    item_id,
                    period: Period::Hours {
                        start: waiter.start_time,
                        end: waiter.end_time,
                    },
                    promo_code: None,
                },
                now,
            )
            .await;
        let booking = match made {
            Ok((b, _)) if b.holds_slots(now) => b,
            // A hold made for this turn before and never announced (the entry's update
            // failed) that has run out since: this turn is over, the next one gets a new key.
            Ok(_) => {
                let mut again = waiter.clone();
                again.version += 1;
                self.store.update_entry(&again, None).await?;
                return Ok(None);
            }
            // Still taken (by another booking), the waiter cannot hold more, or the rules
            // changed: they keep their place, the next one is tried.
            Err(
                e @ (AppError::Conflict { .. }
                | AppError::Validation(_)
                | AppError::NotFound(_)
                | AppError::Unprocessable(_)),
            ) => {
                tracing::info!(entry = %waiter.id, reason = %e, "waiter passed over for now");
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        let mut entry = waiter.clone();
        entry.status = WaitStatus::Offered;
        entry.offer_booking_id = Some(booking.id.clone());
        entry.version += 1;
        let mut event = DomainEvent::booking("WaitlistOffered", &booking, now);
        if let Some(d) = event.detail.as_object_mut() {
            d.insert("waitlist_entry_id".into(), waiter.id.clone().into());
            d.insert(
                "hold_expires_at".into(),
                serde_json::json!(booking.hold_expires_at),
            );
        }
        if !self.store.update_entry(&entry, Some(&event)).await? {
            // The member left the line meanwhile: the hold they did not ask for goes.
            tracing::warn!(entry = %waiter.id, booking_id = %booking.id, "waiter left while offered");
            let policy = booking.cancellation_policy.clone().unwrap_or_default();
            crate::usecase::lifecycle::run(
                &self.store,
                &self.payments,
                &booking.id,
                now,
                |b, p| {
                    Ok(lifecycle::cancel(
                        b,
                        p,
                        Actor::Withdrawn,
                        &policy,
                        None,
                        now,
                    )?)
                },
            )
            .await?;
            return Ok(None);
        }
        tracing::info!(entry = %waiter.id, booking_id = %booking.id, "freed time offered");
        Ok(Some(entry))
    }
}

/// The caller's entries, newest first.
pub async fn my_entries<S: WaitlistStore>(
    store: &S,
    caller: &Caller,
) -> Result<Vec<WaitlistEntry>, AppError> {
    let mut entries = store.entries_of(&caller.user_id).await?;
    entries.reverse();
    Ok(entries)
}

/// Leaves the line (an offer already made stays the member's to pay or let lapse).
/// Leaving twice is harmless; 404 for an entry that is not the caller's.
pub async fn leave_waitlist<S: WaitlistStore>(
    store: &S,
    caller: &Caller,
    entry_id: &str,
) -> Result<WaitlistEntry, AppError> {
    for _ in 0..3 {
        let entries = store.entries_of(&caller.user_id).await?;
        let entry = entries
            .into_iter()
            .find(|e| e.id == entry_id)
            .ok_or_else(|| AppError::NotFound(format!("no waitlist entry {entry_id}")))?;
        if entry.status == WaitStatus::Closed {
            return Ok(entry);
        }
        let mut closed = entry;
        closed.status = WaitStatus::Closed;
        closed.version += 1;
        if store.update_entry(&closed, None).await? {
            return Ok(closed);
        }
    }
    Err(AppError::conflict("the entry kept changing; retry"))
}
