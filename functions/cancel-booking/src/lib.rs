//! `PUT /bookings/{bookingId}/cancel`: by its booker, the space's operator or an admin.
//! The status change and the release of every slot happen in one transaction; a booking
//! whose hold already ran out has no slots left to release. Cancelling twice is harmless.

use http::StatusCode;
use jiff::Timestamp;
use shared::adapters::dynamo::DynamoStore;
use shared::api::bookings::BookingView;
use shared::domain::booking::BookingStatus;
use shared::domain::events::DomainEvent;
use shared::http::params::path_param;
use shared::http::{Body, Caller, HttpFunction, Request, Response, json};
use shared::ports::bookings::BookingStore;
use shared::ports::spaces::SpaceStore;
use shared::ports::store::StoreError;
use shared::usecase::bookings::visible_booking;
use shared::{ApiError, AppContext};

pub struct CancelBooking<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> CancelBooking<DynamoStore> {
    CancelBooking {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: BookingStore + SpaceStore> HttpFunction for CancelBooking<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let caller = Caller::from_request(&req)?;
        let id = path_param(&req, "bookingId")?;
        // A hold can run out (and its slots be taken) between reading and writing: then
        // the release fails, and the second round sees the booking as expired.
        for _ in 0..2 {
            let booking = visible_booking(&self.store, &caller, &id).await?;
            let now = Timestamp::now();
            let release = match booking.status_at(now) {
                BookingStatus::Cancelled => {
                    return json(StatusCode::OK, &BookingView::new(&booking, now));
                }
                BookingStatus::Expired | BookingStatus::Failed => false,
                BookingStatus::Pending | BookingStatus::Confirmed if booking.end_time <= now => {
                    return Err(ApiError::conflict("the booking has already ended"));
                }
                BookingStatus::Pending | BookingStatus::Confirmed => true,
            };
            let mut cancelled = booking.clone();
            cancelled.status = BookingStatus::Cancelled;
            cancelled.hold_expires_at = None;
            cancelled.version += 1;
            cancelled.updated_at = now;
            let event = DomainEvent::booking("BookingCancelled", &cancelled, now);
            match self
                .store
                .cancel_booking(&booking, release, &event, now)
                .await
            {
                Ok(()) => {
                    tracing::info!(booking_id = %id, by = %caller.user_id, released = release, "booking cancelled");
                    return json(StatusCode::OK, &BookingView::new(&cancelled, now));
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ApiError::conflict(
            "the booking changed while cancelling; retry",
        ))
    }
}
