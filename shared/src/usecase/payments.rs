//! What a Stripe event does to bookings and payments.
//!
//! Stripe delivers at least once and in any order, so every effect is a conditional
//! transition of the booking (versioned) that also records the event id: a replay fails
//! the transaction on the event id and changes nothing; a late or out-of-order event finds
//! the booking in a state where it has no effect. Money moved at Stripe (refunds) carries
//! an idempotency key derived from the booking, so a retry never refunds twice.

use jiff::Timestamp;

use crate::domain::booking::{Booking, BookingStatus};
use crate::domain::events::DomainEvent;
use crate::domain::payment::{PaymentStatus, PaymentTransaction, RefundRecord};
use crate::error::ApiError;
use crate::ports::bookings::{BookingStore, SlotChange, Transition, TransitionError};
use crate::ports::payments::{Payments, RefundRequest};
use crate::stripe::event::{PaymentIntentObject, RefundObject};

/// What handling an event did (logged, and asserted on by tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Confirmed,
    /// Paid after the hold ran out, and every slot was still free: booked anyway.
    Reclaimed,
    /// Paid, but the booking could not take it (slots gone, or cancelled before the
    /// money arrived): refunded in full, booking failed (or left cancelled).
    Refunded,
    Released,
    Recorded,
    /// Seen before: nothing changed.
    Duplicate,
    /// Not ours or nothing to do (unknown booking, stale event): acknowledged, no change.
    Ignored(&'static str),
}

const ATTEMPTS: usize = 4;

/// Remembers an event that changes nothing, so a replay is reported as one.
async fn ignore<S: BookingStore>(
    store: &S,
    event_id: &str,
    why: &'static str,
    now: Timestamp,
) -> Result<Outcome, ApiError> {
    Ok(if store.remember_stripe_event(event_id, now).await? {
        Outcome::Ignored(why)
    } else {
        Outcome::Duplicate
    })
}

/// The booking an intent or refund belongs to, if it is ours and matches.
async fn load<S: BookingStore>(
    store: &S,
    metadata: &std::collections::HashMap<String, String>,
    intent_id: Option<&str>,
) -> Result<Result<(Booking, PaymentTransaction), &'static str>, ApiError> {
    let Some(booking_id) = metadata.get("booking_id") else {
        return Ok(Err("no booking_id in metadata"));
    };
    let Some((booking, payment)) = store.get_booking_with_payment(booking_id).await? else {
        return Ok(Err("unknown booking"));
    };
    let Some(payment) = payment else {
        return Ok(Err("booking without a payment"));
    };
    if intent_id.is_some_and(|id| id != payment.stripe_payment_intent_id) {
        return Ok(Err("payment intent does not match the booking's"));
    }
    Ok(Ok((booking, payment)))
}

fn with_status(b: &Booking, status: BookingStatus, now: Timestamp) -> Booking {
    let mut next = b.clone();
    next.status = status;
    next.hold_expires_at = None;
    next.version += 1;
    next.updated_at = now;
    next
}

pub async fn payment_succeeded<S: BookingStore, P: Payments>(
    store: &S,
    payments: &P,
    event_id: &str,
    pi: &PaymentIntentObject,
    now: Timestamp,
) -> Result<Outcome, ApiError> {
    for _ in 0..ATTEMPTS {
        let (booking, payment) = match load(store, &pi.metadata, Some(&pi.id)).await? {
            Ok(found) => found,
            Err(why) => return ignore(store, event_id, why, now).await,
        };
        if payment.status.was_paid() {
            return ignore(store, event_id, "payment already recorded", now).await;
        }
        let mut paid = payment.clone();
        paid.status = PaymentStatus::Succeeded;
        paid.updated_at = now;
        let (to, slots, outcome) = match booking.status_at(now) {
            BookingStatus::Pending => (
                BookingStatus::Confirmed,
                SlotChange::Book,
                Outcome::Confirmed,
            ),
            // The hold ran out (or a declined attempt released it) before this payment:
            // keep the booking if its slots are still free.
            BookingStatus::Expired | BookingStatus::Failed => (
                BookingStatus::Confirmed,
                SlotChange::Reclaim,
                Outcome::Reclaimed,
            ),
            BookingStatus::Confirmed => (
                BookingStatus::Confirmed,
                SlotChange::Keep,
                Outcome::Recorded,
            ),
            // Cancelled before the money arrived: it goes back in full.
            BookingStatus::Cancelled => {
                return refund_in_full(
                    store,
                    payments,
                    event_id,
                    &booking,
                    paid,
                    "cancelled_before_payment",
                    now,
                )
                .await;
            }
        };
        let confirmed = with_status(&booking, to, now);
        let events = [
            DomainEvent::payment("PaymentSucceeded", &paid, now),
            DomainEvent::booking("BookingConfirmed", &confirmed, now),
        ];
        let t = Transition {
            booking: &booking,
            to,
            require_live_hold: slots == SlotChange::Book,
            slots,
            payment: Some(&paid),
            stripe_event_id: Some(event_id),
            events: if outcome == Outcome::Recorded {
                &events[..1]
            } else {
                &events
            },
            audit: None,
            now,
        };
        match store.transition_booking(&t).await {
            Ok(()) => return Ok(outcome),
            Err(TransitionError::Duplicate) => return Ok(Outcome::Duplicate),
            // The hold ran out between reading and writing, or another event moved the
            // booking: read again and decide again.
            Err(TransitionError::Changed) => continue,
            Err(TransitionError::SlotTaken) => {
                return refund_in_full(store, payments, event_id, &booking, paid, "slot_lost", now)
                    .await;
            }
            Err(TransitionError::Store(e)) => return Err(e.into()),
        }
    }
    Err(ApiError::conflict(
        "the booking kept changing; Stripe will retry",
    ))
}

/// Gives the whole payment back and records it; the booking ends `failed` (or stays
/// `cancelled`). The refund's idempotency key makes a retried event refund once.
async fn refund_in_full<S: BookingStore, P: Payments>(
    store: &S,
    payments: &P,
    event_id: &str,
    booking: &Booking,
    mut paid: PaymentTransaction,
    reason: &'static str,
    now: Timestamp,
) -> Result<Outcome, ApiError> {
    let key = format!("refund-{}-{reason}", booking.id);
    let refund = payments
        .refund(&RefundRequest {
            payment_intent_id: &paid.stripe_payment_intent_id,
            amount: paid.amount,
            booking_id: &booking.id,
            reason,
            idempotency_key: &key,
        })
        .await?;
    paid.record_refund(
        RefundRecord {
            stripe_refund_id: refund.id,
            amount: refund.amount,
            reason: reason.into(),
            created_at: now,
        },
        now,
    );
    let to = if booking.status == BookingStatus::Cancelled {
        BookingStatus::Cancelled
    } else {
        BookingStatus::Failed
    };
    let failed = with_status(booking, to, now);
    let events = [
        DomainEvent::payment("PaymentSucceeded", &paid, now),
        DomainEvent::payment("PaymentRefunded", &paid, now),
        DomainEvent::booking("BookingFailed", &failed, now),
    ];
    let t = Transition {
        booking,
        to,
        require_live_hold: false,
        slots: SlotChange::Keep,
        payment: Some(&paid),
        stripe_event_id: Some(event_id),
        events: if to == BookingStatus::Failed {
            &events
        } else {
            &events[..2]
        },
        audit: None,
        now,
    };
    match store.transition_booking(&t).await {
        Ok(()) => Ok(Outcome::Refunded),
        Err(TransitionError::Duplicate) => Ok(Outcome::Duplicate),
        // Stripe retries the event; the refund call then returns the same refund.
        Err(TransitionError::Changed | TransitionError::SlotTaken) => Err(ApiError::conflict(
            "the booking changed while refunding; Stripe will retry",
        )),
        Err(TransitionError::Store(e)) => Err(e.into()),
    }
}

/// A declined payment releases the hold at once, so the slot is free for others. A
/// booking that is already confirmed (an older failure arriving late) is left alone.
pub async fn payment_failed<S: BookingStore>(
    store: &S,
    event_id: &str,
    pi: &PaymentIntentObject,
    now: Timestamp,
) -> Result<Outcome, ApiError> {
    for _ in 0..ATTEMPTS {
        let (booking, payment) = match load(store, &pi.metadata, Some(&pi.id)).await? {
            Ok(found) => found,
            Err(why) => return ignore(store, event_id, why, now).await,
        };
        if payment.status.was_paid() || booking.status != BookingStatus::Pending {
            return ignore(store, event_id, "booking no longer waits for payment", now).await;
        }
        let mut failed_payment = payment.clone();
        failed_payment.status = PaymentStatus::Failed;
        failed_payment.updated_at = now;
        let live = booking.status_at(now) == BookingStatus::Pending;
        let failed = with_status(&booking, BookingStatus::Failed, now);
        let events = [
            DomainEvent::payment("PaymentFailed", &failed_payment, now),
            DomainEvent::booking("BookingFailed", &failed, now),
        ];
        let t = Transition {
            booking: &booking,
            to: BookingStatus::Failed,
            require_live_hold: false,
            // An expired hold's claims may already belong to someone else: leave them.
            slots: if live {
                SlotChange::Release
            } else {
                SlotChange::Keep
            },
            payment: Some(&failed_payment),
            stripe_event_id: Some(event_id),
            events: &events,
            audit: None,
            now,
        };
        match store.transition_booking(&t).await {
            Ok(()) => return Ok(Outcome::Released),
            Err(TransitionError::Duplicate) => return Ok(Outcome::Duplicate),
            Err(TransitionError::Changed | TransitionError::SlotTaken) => continue,
            Err(TransitionError::Store(e)) => return Err(e.into()),
        }
    }
    Err(ApiError::conflict(
        "the booking kept changing; Stripe will retry",
    ))
}

/// `refund.created|updated`: a refund made anywhere (our cancellation, the Stripe
/// dashboard) is recorded once on the payment.
pub async fn refund_updated<S: BookingStore>(
    store: &S,
    event_id: &str,
    refund: &RefundObject,
    now: Timestamp,
) -> Result<Outcome, ApiError> {
    if refund.status.as_deref().is_some_and(|s| s != "succeeded") {
        return ignore(store, event_id, "refund not succeeded", now).await;
    }
    for _ in 0..ATTEMPTS {
        let (booking, payment) =
            match load(store, &refund.metadata, refund.payment_intent.as_deref()).await? {
                Ok(found) => found,
                Err(why) => return ignore(store, event_id, why, now).await,
            };
        let mut next = payment.clone();
        let reason = refund
            .metadata
            .get("reason")
            .cloned()
            .unwrap_or_else(|| "stripe".into());
        let record = RefundRecord {
            stripe_refund_id: refund.id.clone(),
            amount: refund.amount,
            reason,
            created_at: now,
        };
        if !next.record_refund(record, now) {
            return ignore(store, event_id, "refund already recorded", now).await;
        }
        let events = [DomainEvent::payment("PaymentRefunded", &next, now)];
        let t = Transition {
            booking: &booking,
            to: booking.status,
            require_live_hold: false,
            slots: SlotChange::Keep,
            payment: Some(&next),
            stripe_event_id: Some(event_id),
            events: &events,
            audit: None,
            now,
        };
        match store.transition_booking(&t).await {
            Ok(()) => return Ok(Outcome::Recorded),
            Err(TransitionError::Duplicate) => return Ok(Outcome::Duplicate),
            Err(TransitionError::Changed | TransitionError::SlotTaken) => continue,
            Err(TransitionError::Store(e)) => return Err(e.into()),
        }
    }
    Err(ApiError::conflict(
        "the booking kept changing; Stripe will retry",
    ))
}
