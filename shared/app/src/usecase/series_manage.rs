//! Reading and cancelling a recurring series (`domain::series`): one occurrence is
//! cancelled like any booking (`cancel_booking`); these cancel the rest of a series, or
//! the whole of an unpaid one, each occurrence by its own lifecycle transaction.

use jiff::Timestamp;

use crate::caller::Caller;
use crate::error::AppError;
use crate::ports::bookings::BookingStore;
use crate::ports::payments::Payments;
use crate::ports::series::SeriesStore;
use crate::ports::spaces::SpaceStore;
use crate::usecase::bookings::visible_booking;
use crate::usecase::lifecycle::{Ran, run};
use crate::usecase::series::SeriesAnswer;
use domain::booking::{Booking, BookingStatus};
use domain::lifecycle::{self, Actor};
use domain::payment::PaymentTransaction;
use domain::series::Series;

/// The booked occurrences of a series as stored now (in series order).
pub async fn occurrence_bookings<S: BookingStore>(
    store: &S,
    series: &Series,
) -> Result<Vec<(Booking, Option<PaymentTransaction>)>, AppError> {
    // At most `MAX_OCCURRENCES` consistent reads, one at a time (a series is small).
    let mut reads = Vec::new();
    for id in series
        .occurrences
        .iter()
        .filter_map(|o| o.booking_id.as_deref())
    {
        reads.push(store.get_booking_with_payment(id).await?);
    }
    Ok(reads.into_iter().flatten().collect())
}

/// A series as `caller` may see it: its member's, or (for the space's operator or an
/// admin) through its first booked occurrence. 404 for anyone else.
pub async fn visible_series<S: BookingStore + SpaceStore + SeriesStore>(
    store: &S,
    caller: &Caller,
    id: &str,
) -> Result<SeriesAnswer, AppError> {
    let not_found = || AppError::NotFound(format!("no series {id}"));
    let series = store.get_series(id).await?.ok_or_else(not_found)?;
    if series.user_id != caller.user_id {
        let first = series
            .occurrences
            .iter()
            .find_map(|o| o.booking_id.as_deref())
            .ok_or_else(not_found)?;
        visible_booking(store, caller, first)
            .await
            .map_err(|_| not_found())?;
    }
    let bookings = occurrence_bookings(store, &series).await?;
    Ok(SeriesAnswer { series, bookings })
}

/// Cancels the occurrences of a series that start at or after `from` (all that have not
/// ended when `from` is None), each under the policy copied onto it (in full when an
/// operator or admin cancels). An unpaid series is cancelled whole, and its intent with
/// it: its one payment covers every occurrence, so `from` must then be absent.
pub async fn cancel_series<S, P>(
    store: &S,
    payments: &P,
    caller: &Caller,
    id: &str,
    from: Option<Timestamp>,
    now: Timestamp,
) -> Result<SeriesAnswer, AppError>
where
    S: BookingStore + SpaceStore + SeriesStore,
    P: Payments,
{
    let found = visible_series(store, caller, id).await?;
    let unpaid = found
        .bookings
        .iter()
        .any(|(b, _)| b.status_at(now) == BookingStatus::Pending);
    if unpaid && from.is_some() {
        return Err(AppError::Conflict {
            detail:
                "this series is not paid yet: it is paid or cancelled as a whole (leave out `from`)"
                    .into(),
            conflict: Some(serde_json::json!({"series_id": id, "status": "pending"})),
        });
    }
    let actor = if caller.user_id == found.series.user_id {
        Actor::Booker
    } else {
        Actor::Manager
    };
    for (b, _) in &found.bookings {
        if from.is_some_and(|f| b.start_time < f) || b.end_time <= now {
            continue;
        }
        let policy = b.cancellation_policy.clone().unwrap_or_default();
        let ran = run(store, payments, &b.id, now, |b, p| {
            let audit = (actor == Actor::Manager).then(|| {
                caller
                    .audit("booking.cancel", format!("booking/{}", b.id))
                    .before(&serde_json::json!({"status": b.status_at(now)}))
                    .after(&serde_json::json!({"status": "cancelled", "series_id": id}))
            });
            Ok(lifecycle::cancel_in_series(
                b, p, actor, &policy, audit, now,
            )?)
        })
        .await?;
        if let Ran::Applied(e, _) = &ran {
            tracing::info!(booking_id = %b.id, series_id = id, refund = e.refund_decision.map_or(0, |d| d.amount), "series occurrence cancelled");
        }
    }
    if unpaid
        && let Some(p) = &found.series.payment
        && let Err(e) = payments.cancel_intent(&p.stripe_payment_intent_id).await
    {
        tracing::warn!(series_id = id, error = %e, "could not cancel the series' payment intent");
    }
    let bookings = occurrence_bookings(store, &found.series).await?;
    Ok(SeriesAnswer {
        series: found.series,
        bookings,
    })
}
