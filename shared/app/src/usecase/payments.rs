//! What a Stripe event does to bookings and payments: find the booking, let the
//! lifecycle decide (`domain::lifecycle`), write it with the event id.
//!
//! Stripe delivers at least once and in any order, so every effect is a conditional
//! transition of the booking (versioned) that also records the event id: a replay fails
//! the transaction on the event id and changes nothing; a late or out-of-order event finds
//! the booking in a state where it has no effect. An event that changes nothing is
//! remembered too, so its replay is reported as one.

use std::collections::HashMap;

use jiff::Timestamp;

use crate::error::AppError;
use crate::ports::bookings::BookingStore;
use crate::ports::payments::Payments;
use crate::ports::payments::{PaymentIntentObject, RefundObject};
use crate::ports::series::SeriesStore;
use crate::usecase::lifecycle::{Ran, run};
use domain::lifecycle::{self, Outcome};
use domain::payment::RefundRecord;
use domain::series::Series;

/// Remembers an event that changes nothing, so a replay is reported as one.
async fn ignore<S: BookingStore>(
    store: &S,
    event_id: &str,
    why: &'static str,
    now: Timestamp,
) -> Result<Outcome, AppError> {
    Ok(if store.remember_stripe_event(event_id, now).await? {
        Outcome::Ignored(why)
    } else {
        Outcome::Duplicate
    })
}

/// The booking an object is about: our metadata's booking id, or, for objects made
/// outside our code (a refund in Stripe's dashboard), the PaymentIntent's booking.
async fn booking_of<S: BookingStore>(
    store: &S,
    metadata: &HashMap<String, String>,
    intent_id: Option<&str>,
) -> Result<Option<String>, AppError> {
    if let Some(id) = metadata.get("booking_id") {
        return Ok(Some(id.clone()));
    }
    let Some(pi) = intent_id else {
        return Ok(None);
    };
    let mut paid = store.find_bookings_by_intent(pi).await?;
    if paid.len() > 1 {
        // A series' intent: news without our booking id (a refund made in Stripe's
        // dashboard) cannot say which occurrence it is for. It is left for a person to
        // record, never put on an arbitrary occurrence.
        tracing::error!(
            payment_intent = pi,
            occurrences = paid.len(),
            "news about a series payment without a booking id: record it by hand"
        );
        return Ok(None);
    }
    Ok(paid.pop())
}

/// Runs a decision about the booking `intent_id` belongs to (if it does).
async fn about<S, P, F>(
    store: &S,
    payments: &P,
    event_id: &str,
    metadata: &HashMap<String, String>,
    intent_id: &str,
    now: Timestamp,
    mut decide: F,
) -> Result<Outcome, AppError>
where
    S: BookingStore,
    P: Payments,
    F: FnMut(
        &domain::booking::Booking,
        Option<&domain::payment::PaymentTransaction>,
    ) -> lifecycle::Decision,
{
    let Some(booking_id) = booking_of(store, metadata, Some(intent_id)).await? else {
        return ignore(store, event_id, "not one of our bookings", now).await;
    };
    let ran = run(store, payments, &booking_id, now, |b, p| {
        if p.is_some_and(|p| p.stripe_payment_intent_id != intent_id) {
            return Ok(lifecycle::Decision::Ignore(
                "payment intent does not match the booking's",
            ));
        }
        Ok(decide(b, p))
    })
    .await?;
    match ran {
        Ran::Ignored(why, ..) => ignore(store, event_id, why, now).await,
        Ran::Missing => ignore(store, event_id, "unknown booking", now).await,
        other => Ok(other.outcome()),
    }
}

/// Runs a decision about every booked occurrence of the series an intent pays for. Each
/// occurrence records the event under its own id (`<event>#<index>`), so a replay is a
/// duplicate for each and a partial run is finished by Stripe's retry.
async fn about_series<S, P, F>(
    store: &S,
    payments: &P,
    event_id: &str,
    series_id: &str,
    intent_id: &str,
    now: Timestamp,
    mut decide: F,
) -> Result<Outcome, AppError>
where
    S: BookingStore + SeriesStore,
    P: Payments,
    F: FnMut(
        Option<&Series>,
        &domain::booking::Booking,
        Option<&domain::payment::PaymentTransaction>,
        &str,
    ) -> lifecycle::Decision,
{
    let series = store.get_series(series_id).await?.filter(|s| {
        s.payment
            .as_ref()
            .is_some_and(|p| p.stripe_payment_intent_id == intent_id)
    });
    // Each occurrence the intent pays for, with the id its news is recorded under. Without
    // the series' record (a request that never answered), the bookings that point to the
    // intent: `decide` sees no series, so a payment goes under review, never ignored.
    let paid: Vec<(String, String)> = match &series {
        Some(s) => s
            .occurrences
            .iter()
            .filter_map(|o| {
                let id = o.booking_id.clone()?;
                Some((id, format!("{event_id}#{}", o.index)))
            })
            .collect(),
        None => store
            .find_bookings_by_intent(intent_id)
            .await?
            .into_iter()
            .map(|id| {
                let own = format!("{event_id}#{id}");
                (id, own)
            })
            .collect(),
    };
    let mut outcomes = Vec::new();
    for (booking_id, own_event) in &paid {
        let ran = run(store, payments, booking_id, now, |b, p| {
            if p.is_some_and(|p| p.stripe_payment_intent_id != intent_id) {
                return Ok(lifecycle::Decision::Ignore(
                    "payment intent does not match the booking's",
                ));
            }
            Ok(decide(series.as_ref(), b, p, own_event))
        })
        .await?;
        outcomes.push(ran.outcome());
    }
    // What the series' news did: the first change made, else a duplicate, else ignored.
    if let Some(changed) = outcomes
        .iter()
        .find(|o| !matches!(o, Outcome::Ignored(_) | Outcome::Duplicate))
    {
        // Remembered whole too, so its replay is reported as one.
        store.remember_stripe_event(event_id, now).await?;
        return Ok(*changed);
    }
    if outcomes.contains(&Outcome::Duplicate) {
        return Ok(Outcome::Duplicate);
    }
    ignore(
        store,
        event_id,
        "the series' occurrences are past this news",
        now,
    )
    .await
}

/// `payment_intent.succeeded`: confirms the booking, takes its time back after the hold
/// ran out, or refunds; never confirms an amount or currency other than the recorded one.
/// A series' intent confirms each occurrence once the paid amount is the series' total.
pub async fn payment_succeeded<S: BookingStore + SeriesStore, P: Payments>(
    store: &S,
    payments: &P,
    event_id: &str,
    pi: &PaymentIntentObject,
    now: Timestamp,
) -> Result<Outcome, AppError> {
    if let Some(series_id) = pi.metadata.get("series_id") {
        let received = (pi.amount, pi.currency.as_str());
        return about_series(
            store,
            payments,
            event_id,
            series_id,
            &pi.id,
            now,
            |series, b, p, ev| {
                let matches = series.and_then(|s| s.payment.as_ref()).is_some_and(|sp| {
                    sp.amount == pi.amount && sp.currency.eq_ignore_ascii_case(&pi.currency)
                });
                lifecycle::series_payment_succeeded(b, p, matches, received, ev, now)
            },
        )
        .await;
    }
    about(
        store,
        payments,
        event_id,
        &pi.metadata,
        &pi.id,
        now,
        |b, p| lifecycle::payment_succeeded(b, p, (pi.amount, &pi.currency), event_id, now),
    )
    .await
}

/// `payment_intent.payment_failed`: a declined payment releases the hold at once (every
/// occurrence of a series).
pub async fn payment_failed<S: BookingStore + SeriesStore, P: Payments>(
    store: &S,
    payments: &P,
    event_id: &str,
    pi: &PaymentIntentObject,
    now: Timestamp,
) -> Result<Outcome, AppError> {
    if let Some(series_id) = pi.metadata.get("series_id") {
        return about_series(
            store,
            payments,
            event_id,
            series_id,
            &pi.id,
            now,
            |_, b, p, ev| lifecycle::payment_failed(b, p, ev, now),
        )
        .await;
    }
    about(
        store,
        payments,
        event_id,
        &pi.metadata,
        &pi.id,
        now,
        |b, p| lifecycle::payment_failed(b, p, event_id, now),
    )
    .await
}

/// `refund.created|updated`: a refund made anywhere (ours, or in Stripe's dashboard,
/// matched by its PaymentIntent) is recorded once on the payment.
pub async fn refund_updated<S: BookingStore + SeriesStore, P: Payments>(
    store: &S,
    payments: &P,
    event_id: &str,
    refund: &RefundObject,
    now: Timestamp,
) -> Result<Outcome, AppError> {
    if refund.status.as_deref().is_some_and(|s| s != "succeeded") {
        return ignore(store, event_id, "refund not succeeded", now).await;
    }
    let Some(intent) = refund.payment_intent.as_deref() else {
        return ignore(store, event_id, "refund without a payment intent", now).await;
    };
    let record = RefundRecord {
        stripe_refund_id: refund.id.clone(),
        amount: refund.amount,
        reason: refund
            .metadata
            .get("reason")
            .cloned()
            .unwrap_or_else(|| "stripe".into()),
        idempotency_key: refund.metadata.get("refund_key").cloned(),
        created_at: now,
        credit_note: None,
    };
    about(
        store,
        payments,
        event_id,
        &refund.metadata,
        intent,
        now,
        |b, p| lifecycle::refund_settled(b, p, record.clone(), Some(event_id), now),
    )
    .await
}
