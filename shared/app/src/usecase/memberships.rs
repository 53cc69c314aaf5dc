//! Memberships: a per-container cache of members' subscriptions for pricing, and keeping
//! our record in step with Stripe's subscription.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use jiff::Timestamp;

use crate::error::AppError;
use crate::ports::bookings::BookingStore;
use crate::ports::memberships::{MemberState, MembershipStore, SaveMembershipError};
use crate::ports::payments::{PaymentError, Payments, Subscription};
use crate::ports::store::StoreError;
use crate::usecase::catalog::TTL;
use domain::events::DomainEvent;
use domain::lifecycle::Outcome;
use domain::membership::{Membership, MembershipStatus};

/// Beyond this many members a container forgets them all (a cold read each, nothing else).
const MAX_ENTRIES: usize = 10_000;

/// Like the catalog: a speed-up only. Bookings check the membership version and the
/// included-minutes counter in their transaction, so a stale entry fails safe.
#[derive(Default)]
pub struct MemberCache {
    entries: Mutex<HashMap<String, (Instant, Arc<MemberState>)>>,
}

impl MemberCache {
    pub async fn get<S: MembershipStore>(
        &self,
        store: &S,
        user_id: &str,
        fresh: bool,
    ) -> Result<Arc<MemberState>, StoreError> {
        if !fresh
            && let Some((at, state)) = self.entries.lock().unwrap().get(user_id)
            && at.elapsed() < TTL
        {
            return Ok(Arc::clone(state));
        }
        let state = Arc::new(store.member_state(user_id).await?);
        let mut entries = self.entries.lock().unwrap();
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(user_id.to_string(), (Instant::now(), Arc::clone(&state)));
        Ok(state)
    }

    /// Counts minutes a committed booking took, so the next booking prices right without
    /// a read.
    pub fn used(&self, user_id: &str, month: &str, minutes: u32) {
        if let Some((_, state)) = self.entries.lock().unwrap().get_mut(user_id) {
            let mut next = (**state).clone();
            *next.usage.entry(month.to_string()).or_default() += minutes;
            *state = Arc::new(next);
        }
    }
}

/// Applies Stripe's view of a subscription (from a subscription event, or fetched after
/// an invoice event) to our record, once per event and never backwards in time.
///
/// Stripe's `created` has one-second granularity, so news from the very second of what we
/// applied last (the answer to our own call, say) may be older or newer than it: its
/// snapshot is then not trusted, and Stripe is asked for the subscription as it is now.
/// Without that, a `customer.subscription.created` snapshot arriving late could undo a
/// cancellation made in the same second.
pub async fn sync_subscription<S: MembershipStore + BookingStore, P: Payments>(
    store: &S,
    payments: &P,
    event_id: &str,
    event_created: i64,
    sub: &Subscription,
    now: Timestamp,
) -> Result<Outcome, AppError> {
    let ignore = |why: &'static str| async move {
        Ok(if store.remember_stripe_event(event_id, now).await? {
            Outcome::Ignored(why)
        } else {
            Outcome::Duplicate
        })
    };
    let Some(user_id) = sub.user_id.as_deref() else {
        return ignore("subscription without user_id").await;
    };
    let mut sub = sub.clone();
    for _ in 0..4 {
        let Some(current) = store.member_state(user_id).await?.membership else {
            return ignore("unknown membership").await;
        };
        if current.stripe_subscription_id != sub.id {
            return ignore("not the member's current subscription").await;
        }
        if event_created < current.stripe_event_at {
            return ignore("older than the news already applied").await;
        }
        if event_created == current.stripe_event_at {
            sub = match payments.get_subscription(&sub.id).await {
                Ok(fresh) => fresh,
                // Gone at Stripe (its customer was erased): nothing to apply. Any other
                // refusal goes back to Stripe, which retries the event.
                Err(PaymentError::Rejected(detail)) if detail.starts_with("404") => {
                    return ignore("no longer known to the provider").await;
                }
                Err(e) => return Err(e.into()),
            };
        }
        let mut next = current.clone();
        next.status = MembershipStatus::from_stripe(&sub.status);
        next.cancel_at_period_end = sub.cancel_at_period_end;
        if let Some(end) = sub
            .current_period_end
            .and_then(|s| Timestamp::from_second(s).ok())
        {
            next.current_period_end = Some(end);
        }
        next.stripe_event_at = event_created;
        if same_state(&next, &current) {
            return ignore("no change").await;
        }
        next.version += 1;
        next.updated_at = now;
        let event = membership_event(&next, now);
        match store
            .save_membership(&next, &event, Some(event_id), now)
            .await
        {
            Ok(()) => return Ok(Outcome::Recorded),
            Err(SaveMembershipError::Duplicate) => return Ok(Outcome::Duplicate),
            // Someone saved meanwhile: read again (and ask Stripe again if still needed).
            Err(SaveMembershipError::Changed) => continue,
            Err(SaveMembershipError::Store(e)) => return Err(e.into()),
        }
    }
    Err(AppError::conflict(
        "the membership kept changing; Stripe will retry",
    ))
}

fn same_state(a: &Membership, b: &Membership) -> bool {
    a.status == b.status
        && a.cancel_at_period_end == b.cancel_at_period_end
        && a.current_period_end == b.current_period_end
}

/// `MembershipChanged`: ids, plan and status only.
pub fn membership_event(m: &Membership, now: Timestamp) -> DomainEvent {
    DomainEvent::new(
        domain::events::PAYMENTS_SOURCE,
        "MembershipChanged",
        now,
        serde_json::json!({
            "user_id": m.user_id,
            "plan_id": m.plan_id,
            "status": m.status,
            "cancel_at_period_end": m.cancel_at_period_end,
            "current_period_end": m.current_period_end,
        }),
    )
}
