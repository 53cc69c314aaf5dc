//! Open-ended rentals (`domain::rental`): starting one, applying its subscription's
//! invoices and changes from Stripe, reading and ending it.
//!
//! Order of writes, and why nothing is lost or charged twice:
//! - Starting: month 0 is held first (if the office is taken, nothing else is made),
//!   then the rental is stored, then Stripe is asked (customer, monthly price,
//!   subscription; each with a key derived from the rental), then the subscription is
//!   recorded. A retry with the same Idempotency-Key continues where a crash stopped.
//! - Stripe's news finds the rental by the subscription's metadata, so an invoice paid
//!   before its subscription was recorded still confirms its month.
//! - An invoice confirms its month (the month's booking, amount checked), then the next
//!   month is held, then the rental records the invoice under its version: a retried or
//!   doubled event (Stripe sends `invoice.paid` and `invoice.payment_succeeded`) finds
//!   each step done and changes nothing.
//!
//! `start` starts one, `billing` applies Stripe's news, `ending` ends it; reading is here.

mod billing;
mod ending;
mod start;

use jiff::Timestamp;

use crate::caller::Caller;
use crate::error::AppError;
use crate::ports::bookings::{BookingStore, IdempotencyRecord};
use crate::ports::memberships::MembershipStore;
use crate::ports::payments::{
    InvoiceObject, PaymentError, Payments, PlanPrice, RefundRequest, Subscription, SubscriptionFor,
    SubscriptionRequest, idempotency_key,
};
use crate::ports::rentals::RentalStore;
use crate::ports::spaces::SpaceStore;
use crate::usecase::bookings::visible_booking;
use crate::usecase::create_booking::{BookingDesk, CreateBookingCommand, Paying, booking_id_for};
use crate::usecase::lifecycle::{Ran, run};
use domain::booking::{Booking, BookingStatus};
use domain::lifecycle::{self, Actor, Decision, Outcome, Period};
use domain::money::Money;
use domain::payment::PaymentTransaction;
use domain::rental::{InvoiceFit, Rental, RentalLink, RentalStatus};

/// At most this many months are shown with a rental (the latest ones).
pub const MONTHS_SHOWN: u32 = 24;

/// What a member asks for.
pub struct StartRental<'a> {
    pub user_id: &'a str,
    pub idempotency_key: &'a str,
    pub item_id: &'a str,
    pub start_date: jiff::civil::Date,
    pub payment_method_id: &'a str,
}

/// A rental with its months' bookings (latest `MONTHS_SHOWN`), and the secret to pay
/// its first invoice where the card needs the member (3-D Secure, a decline).
pub struct RentalAnswer {
    pub rental: Rental,
    pub months: Vec<(Booking, Option<PaymentTransaction>)>,
    pub client_secret: Option<String>,
}

/// The same caller with the same key always means the same rental.
pub fn rental_id_for(user_id: &str, key: &str) -> String {
    booking_id_for(user_id, &format!("{key}\nrental"))
}

fn month_booking_id(r: &Rental, index: u32) -> String {
    booking_id_for(&r.user_id, &r.month_key(index))
}

/// Whether holding a month failed for a reason that will not pass (the time is taken,
/// the item is gone or no longer rented): the rental cannot go on.
fn cannot_hold(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Conflict { .. }
            | AppError::Validation(_)
            | AppError::NotFound(_)
            | AppError::Unprocessable(_)
    )
}

impl<S, P> BookingDesk<S, P>
where
    S: SpaceStore + BookingStore + MembershipStore + RentalStore,
    P: Payments,
{
    /// The rental with its latest months' bookings.
    pub async fn answer(
        &self,
        rental: Rental,
        client_secret: Option<String>,
    ) -> Result<RentalAnswer, AppError> {
        let months = rental_months(&self.store, &rental).await?;
        Ok(RentalAnswer {
            rental,
            months,
            client_secret,
        })
    }
}

/// A rental's latest months as stored (month order).
pub async fn rental_months<S: BookingStore>(
    store: &S,
    r: &Rental,
) -> Result<Vec<(Booking, Option<PaymentTransaction>)>, AppError> {
    let first = r.last_month.saturating_sub(MONTHS_SHOWN - 1);
    let mut months = Vec::new();
    for k in first..=r.last_month {
        if let Some(found) = store
            .get_booking_with_payment(&month_booking_id(r, k))
            .await?
        {
            months.push(found);
        }
    }
    Ok(months)
}

/// A rental as `caller` may see it: the renter's, or (for the space's operator or an
/// admin) through its first month's booking. 404 for anyone else.
pub async fn visible_rental<S: BookingStore + SpaceStore + RentalStore>(
    store: &S,
    caller: &Caller,
    id: &str,
) -> Result<RentalAnswer, AppError> {
    let not_found = || AppError::NotFound(format!("no rental {id}"));
    let rental = store.get_rental(id).await?.ok_or_else(not_found)?;
    if rental.user_id != caller.user_id {
        visible_booking(store, caller, &month_booking_id(&rental, 0))
            .await
            .map_err(|_| not_found())?;
    }
    let months = rental_months(store, &rental).await?;
    Ok(RentalAnswer {
        rental,
        months,
        client_secret: None,
    })
}
