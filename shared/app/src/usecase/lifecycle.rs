//! Carrying out a lifecycle decision (`domain::lifecycle`): the provider call that must
//! come first (making an unpaid intent unpayable), the one transaction, and the refund
//! that must come after (recorded as owed by that transaction, so it is asked for again
//! with the same amount and key until Stripe confirms it).

use jiff::Timestamp;

use crate::error::AppError;
use crate::ports::bookings::{BookingStore, TransitionError};
use crate::ports::payments::{PaymentError, Payments, RefundRequest};
use crate::usecase::invoicing::write_billed;
use domain::booking::Booking;
use domain::lifecycle::{self, Decision, Effects, Outcome};
use domain::payment::{PaymentTransaction, RefundRecord};

/// Attempts at a decision whose booking keeps changing under it (each re-reads).
pub const ATTEMPTS: usize = 4;

/// Writes `e` with the invoices and credit notes it owes (`invoicing`), after its
/// pre-write provider call. The refund it owes is NOT asked for here: see
/// [`settle_refund`].
pub async fn write<S: BookingStore, P: Payments>(
    store: &S,
    payments: &P,
    e: &mut Effects,
    now: Timestamp,
) -> Result<(), WriteError> {
    if let Some(intent) = &e.cancel_intent {
        match payments.cancel_intent(intent).await {
            Ok(()) => {}
            // Already paid or cancelled at Stripe: if paid, its news finds the booking
            // changed and the lifecycle refunds it.
            Err(PaymentError::Rejected(reason)) => {
                tracing::warn!(booking_id = %e.before.id, %reason, "payment intent not cancellable");
            }
            Err(e) => return Err(WriteError::Api(e.into())),
        }
    }
    // Boxed: numbering reads and retries, and its future would otherwise sit inside
    // every lifecycle flow's own.
    Box::pin(write_billed(store, e, now))
        .await
        .map_err(WriteError::Store)
}

#[derive(Debug)]
pub enum WriteError {
    Store(TransitionError),
    Api(AppError),
}

impl From<WriteError> for AppError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Api(e) => e,
            WriteError::Store(TransitionError::Store(e)) => e.into(),
            WriteError::Store(other) => AppError::conflict(other.to_string()),
        }
    }
}

/// Asks Stripe for the refund the booking's payment owes (if any) and records it. Safe
/// to call any number of times from anywhere (the cancel answer, the scheduler's retry):
/// the amount and key are the recorded ones, and the recording happens once. Returns the
/// payment as it is afterwards.
pub async fn settle_refund<S: BookingStore, P: Payments>(
    store: &S,
    payments: &P,
    booking_id: &str,
    now: Timestamp,
) -> Result<Option<PaymentTransaction>, AppError> {
    for _ in 0..ATTEMPTS {
        let Some((booking, Some(payment))) = store.get_booking_with_payment(booking_id).await?
        else {
            return Ok(None);
        };
        let Some(due) = payment.refund_due.clone() else {
            return Ok(Some(payment));
        };
        let decision = match payments
            .refund(&RefundRequest {
                payment_intent_id: &payment.stripe_payment_intent_id,
                amount: due.amount,
                booking_id: &booking.id,
                reason: &due.reason,
                idempotency_key: &due.idempotency_key,
            })
            .await
        {
            Ok(refund) if refund.failed() => {
                tracing::error!(booking_id = %booking.id, status = %refund.status, "Stripe could not refund");
                lifecycle::refund_refused(&booking, Some(&payment), &refund.status, now)
            }
            Ok(refund) => lifecycle::refund_settled(
                &booking,
                Some(&payment),
                RefundRecord {
                    stripe_refund_id: refund.id,
                    amount: refund.amount,
                    reason: due.reason.clone(),
                    idempotency_key: Some(due.idempotency_key.clone()),
                    created_at: now,
                    credit_note: None,
                },
                None,
                now,
            ),
            Err(PaymentError::Rejected(why)) => {
                tracing::error!(booking_id = %booking.id, %why, "Stripe refused a refund we owe");
                lifecycle::refund_refused(&booking, Some(&payment), &why, now)
            }
            // Stripe is away: the due action asks again.
            Err(PaymentError::Unavailable(e)) => {
                tracing::warn!(booking_id = %booking.id, error = %e, "refund not confirmed yet");
                return Ok(Some(payment));
            }
        };
        match decision {
            // Recorded meanwhile (its webhook was faster): read again.
            Decision::Ignore(_) => continue,
            Decision::Apply(mut e) => match Box::pin(write_billed(store, &mut e, now)).await {
                Ok(()) => return Ok(e.payment.clone()),
                Err(TransitionError::Changed | TransitionError::Duplicate) => continue,
                Err(TransitionError::ReclaimRefused | TransitionError::NumberTaken) => continue,
                Err(TransitionError::Store(e)) => return Err(e.into()),
            },
        }
    }
    Err(AppError::conflict(
        "the payment kept changing while refunding",
    ))
}

/// Decides and writes, re-reading the booking whenever it changed meanwhile, then settles
/// the refund the decision owes. `decide` sees the booking and payment as read.
pub async fn run<S, P, F>(
    store: &S,
    payments: &P,
    booking_id: &str,
    now: Timestamp,
    mut decide: F,
) -> Result<Ran, AppError>
where
    S: BookingStore,
    P: Payments,
    F: FnMut(&Booking, Option<&PaymentTransaction>) -> Result<Decision, AppError>,
{
    for _ in 0..ATTEMPTS {
        let Some((booking, payment)) = store.get_booking_with_payment(booking_id).await? else {
            return Ok(Ran::Missing);
        };
        let mut e = match decide(&booking, payment.as_ref())? {
            Decision::Ignore(why) => return Ok(Ran::Ignored(why, Box::new(booking), payment)),
            Decision::Apply(e) => e,
        };
        let e = match write(store, payments, &mut e, now).await {
            Ok(()) => e,
            Err(WriteError::Store(TransitionError::Changed)) => continue,
            Err(WriteError::Store(TransitionError::Duplicate)) => return Ok(Ran::Duplicate),
            // Paid after the hold ran out and the time is gone: the payment goes back.
            Err(WriteError::Store(TransitionError::ReclaimRefused)) => {
                let mut refund = lifecycle::reclaim_refused(&e, now);
                match write(store, payments, &mut refund, now).await {
                    Ok(()) => Box::new(refund),
                    Err(WriteError::Store(TransitionError::Changed)) => continue,
                    Err(WriteError::Store(TransitionError::Duplicate)) => {
                        return Ok(Ran::Duplicate);
                    }
                    Err(other) => return Err(other.into()),
                }
            }
            Err(other) => return Err(other.into()),
        };
        let payment = match &e.refund {
            Some(_) => settle_refund(store, payments, booking_id, now).await?,
            None => e.payment.clone(),
        };
        return Ok(Ran::Applied(e, payment));
    }
    Err(AppError::conflict("the booking kept changing; retry"))
}

/// What [`run`] did.
#[derive(Debug)]
pub enum Ran {
    /// Written; with the payment as it is after any refund was settled.
    Applied(Box<Effects>, Option<PaymentTransaction>),
    Ignored(&'static str, Box<Booking>, Option<PaymentTransaction>),
    Duplicate,
    Missing,
}

impl Ran {
    pub fn outcome(&self) -> Outcome {
        match self {
            Self::Applied(e, _) => e.outcome,
            Self::Ignored(why, ..) => Outcome::Ignored(why),
            Self::Duplicate => Outcome::Duplicate,
            Self::Missing => Outcome::Ignored("unknown booking"),
        }
    }
}
