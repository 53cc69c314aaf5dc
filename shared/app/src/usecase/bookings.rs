//! Reading a booking on behalf of a caller.

use crate::caller::Caller;
use crate::error::AppError;
use crate::ports::bookings::BookingStore;
use crate::ports::spaces::SpaceStore;
use domain::booking::Booking;
use domain::payment::PaymentTransaction;

/// The booking (with its payment record) if the caller may see it: its booker, an admin,
/// or the operator of its space. Anyone else gets the same 404 as for a booking that does
/// not exist.
pub async fn visible_booking<S: BookingStore + SpaceStore>(
    store: &S,
    caller: &Caller,
    id: &str,
) -> Result<(Booking, Option<PaymentTransaction>), AppError> {
    let not_found = || AppError::NotFound(format!("no booking {id}"));
    let found = store
        .get_booking_with_payment(id)
        .await?
        .ok_or_else(not_found)?;
    let booking = &found.0;
    if booking.user_id == caller.user_id || caller.is_admin() {
        return Ok(found);
    }
    if caller.has(domain::role::Role::Operator)
        && let Some(space) = store.get_space_profile(&booking.space_id).await?
        && space.owner_id == caller.user_id
    {
        return Ok(found);
    }
    Err(not_found())
}
