//! The booking desk on DynamoDB and Stripe, with this function's hold settings
//! (`BOOKING_HOLD_SECONDS`, `MAX_ACTIVE_HOLDS`): what every function that makes bookings
//! (single, series, rental months, waitlist offers) composes.

use app::usecase::create_booking::BookingDesk;

use crate::AppContext;
use crate::dynamo::DynamoStore;
use crate::stripe::StripePayments;

pub fn booking_desk(ctx: &AppContext) -> BookingDesk<DynamoStore, StripePayments> {
    let mut desk = BookingDesk::new(
        DynamoStore::from_context(ctx),
        StripePayments::from_context(ctx),
    );
    desk.hold = ctx.config().booking_hold;
    desk.hold_limit = ctx.config().max_active_holds;
    desk
}
