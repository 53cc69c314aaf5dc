//! Cancelling a booking, by its booker, the space's operator or an admin.
//!
//! The lifecycle decides (`domain::lifecycle::cancel`): the booker gets what the policy
//! copied onto the booking gives back, an operator or admin refunds in full (and is
//! audited). The status change, the refund owed, the release of every claim and the
//! counters are one transaction; the refund is then asked of Stripe with the recorded
//! amount and key (and again by the scheduler until Stripe confirms it). Cancelling
//! twice is harmless.

use jiff::Timestamp;

use crate::caller::Caller;
use crate::error::AppError;
use crate::ports::bookings::BookingStore;
use crate::ports::payments::Payments;
use crate::ports::spaces::SpaceStore;
use crate::usecase::bookings::visible_booking;
use crate::usecase::lifecycle::{Ran, run, settle_refund};
use domain::booking::Booking;
use domain::lifecycle::{self, Actor, Outcome};
use domain::payment::{PaymentTransaction, RefundDecision};
use domain::space::CancellationPolicy;

pub struct Cancelled {
    pub booking: Booking,
    pub payment: Option<PaymentTransaction>,
    /// What the policy gave back (None when nothing was paid, or when it was cancelled
    /// before).
    pub refund: Option<RefundDecision>,
}

/// The booker cancels under the policy; the space's operator or an admin (cancelling
/// someone else's booking) refunds in full.
fn actor_of(caller: &Caller, booking: &Booking) -> Actor {
    if caller.user_id == booking.user_id {
        Actor::Booker
    } else {
        Actor::Manager
    }
}

/// The policy of bookings made before it was copied onto them: the space's current one
/// (the default when the space is gone).
async fn fallback_policy<S: SpaceStore>(
    store: &S,
    booking: &Booking,
) -> Result<CancellationPolicy, AppError> {
    Ok(match &booking.cancellation_policy {
        Some(_) => CancellationPolicy::default(),
        None => store
            .get_space_profile(&booking.space_id)
            .await?
            .map(|s| s.cancellation_policy)
            .unwrap_or_default(),
    })
}

/// A booking as `caller` may see it, with what cancelling it now would give back to
/// them: decided by the same rule, actor and policy as [`cancel_booking`].
pub async fn booking_with_refund_preview<S: BookingStore + SpaceStore>(
    store: &S,
    caller: &Caller,
    booking_id: &str,
    now: Timestamp,
) -> Result<(Booking, Option<PaymentTransaction>, Option<RefundDecision>), AppError> {
    let (booking, payment) = visible_booking(store, caller, booking_id).await?;
    let fallback = fallback_policy(store, &booking).await?;
    let preview = lifecycle::cancellation_preview(
        &booking,
        payment.as_ref(),
        actor_of(caller, &booking),
        Some(&fallback),
        now,
    );
    Ok((booking, payment, preview))
}

pub async fn cancel_booking<S: BookingStore + SpaceStore, P: Payments>(
    store: &S,
    payments: &P,
    caller: &Caller,
    booking_id: &str,
    now: Timestamp,
) -> Result<Cancelled, AppError> {
    // 404 for anyone who may not see it.
    let (booking, _) = visible_booking(store, caller, booking_id).await?;
    let actor = actor_of(caller, &booking);
    let fallback = fallback_policy(store, &booking).await?;
    let ran = run(store, payments, booking_id, now, |b, p| {
        // An operator or admin cancelling someone's booking is audited.
        let audit = (actor == Actor::Manager).then(|| {
            caller
                .audit("booking.cancel", format!("booking/{}", b.id))
                .before(&serde_json::json!({"status": b.status_at(now)}))
                .after(&serde_json::json!({"status": "cancelled"}))
        });
        Ok(lifecycle::cancel(b, p, actor, &fallback, audit, now)?)
    })
    .await?;
    match ran {
        Ran::Applied(e, payment) => {
            tracing::info!(booking_id, by = %caller.user_id, refund = e.refund_decision.map_or(0, |d| d.amount), "booking cancelled");
            debug_assert_eq!(e.outcome, Outcome::Cancelled);
            Ok(Cancelled {
                booking: e.after.clone(),
                payment,
                refund: e.refund_decision,
            })
        }
        // Cancelled before: a refund still owed is asked for again now.
        Ran::Ignored(_, booking, payment) => {
            let payment = match payment {
                Some(p) if p.refund_due.is_some() => {
                    settle_refund(store, payments, booking_id, now).await?
                }
                other => other,
            };
            Ok(Cancelled {
                booking: *booking,
                payment,
                refund: None,
            })
        }
        Ran::Duplicate | Ran::Missing => {
            Err(AppError::NotFound(format!("no booking {booking_id}")))
        }
    }
}
