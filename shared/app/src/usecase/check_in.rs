//! Checking in to a booking: its member in the app, or the space's operator (or an admin)
//! at the front desk. The lifecycle decides when it may happen
//! (`domain::lifecycle::check_in`); a booking checked in is never released as a no-show.

use jiff::Timestamp;

use crate::caller::Caller;
use crate::error::AppError;
use crate::ports::bookings::BookingStore;
use crate::ports::payments::Payments;
use crate::ports::spaces::SpaceStore;
use crate::usecase::bookings::visible_booking;
use crate::usecase::lifecycle::{Ran, run};
use domain::booking::Booking;
use domain::lifecycle;

/// The booking as it is after checking in (or was, when checked in before).
pub async fn check_in_booking<S: BookingStore + SpaceStore, P: Payments>(
    store: &S,
    payments: &P,
    caller: &Caller,
    booking_id: &str,
    now: Timestamp,
) -> Result<Booking, AppError> {
    // 404 for anyone who may not see it.
    visible_booking(store, caller, booking_id).await?;
    let ran = run(store, payments, booking_id, now, |b, _| {
        Ok(lifecycle::check_in(b, now)?)
    })
    .await?;
    match ran {
        Ran::Applied(e, _) => {
            tracing::info!(booking_id, by = %caller.user_id, "checked in");
            Ok(e.after.clone())
        }
        Ran::Ignored(_, booking, _) => Ok(*booking),
        Ran::Duplicate | Ran::Missing => {
            Err(AppError::NotFound(format!("no booking {booking_id}")))
        }
    }
}
