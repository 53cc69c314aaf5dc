//! Waitlist worker (waitlist queue): when a booking frees its time (cancelled, expired,
//! failed), the first in line for that item whose interval is now free gets a hold and a
//! notification (`app::usecase::waitlist`). Idempotent per event: a redelivered event
//! finds the offer made (its booking key derives from the entry), and a failure is
//! reported for another delivery, then the queue's DLQ.

use app::ports::bookings::BookingStore;
use app::ports::memberships::MembershipStore;
use app::ports::payments::Payments;
use app::ports::spaces::SpaceStore;
use app::ports::waitlist::WaitlistStore;
use app::usecase::create_booking::BookingDesk;
use app::usecase::waitlist::Freed;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::stripe::StripePayments;
use edge::events::{BatchResponse, BridgeEvent, SqsEvent, each_bridge_event};
use edge::runtime::{Error, EventFunction};
use jiff::Timestamp;

/// The booking events that free time.
const FREEING: [&str; 3] = ["BookingCancelled", "BookingExpired", "BookingFailed"];

pub struct WaitlistWorker<S, P> {
    desk: BookingDesk<S, P>,
}

pub fn build(ctx: &AppContext) -> WaitlistWorker<DynamoStore, StripePayments> {
    WaitlistWorker {
        desk: aws::desk::booking_desk(ctx),
    }
}

impl<S, P> WaitlistWorker<S, P>
where
    S: SpaceStore + BookingStore + MembershipStore + WaitlistStore,
    P: Payments,
{
    async fn freed(&self, event: BridgeEvent) -> Result<(), String> {
        if !FREEING.contains(&event.detail_type.as_str()) {
            return Ok(());
        }
        let text = |k: &str| event.detail.get(k).and_then(|v| v.as_str());
        let instant = |k: &str| text(k).and_then(|t| t.parse::<Timestamp>().ok());
        let (Some(booking_id), Some(item_id), Some(start), Some(end)) = (
            text("booking_id"),
            text("bookable_item_id"),
            instant("start_time"),
            instant("end_time"),
        ) else {
            return Err("a booking event without its booking, item or interval".into());
        };
        let freed = Freed {
            booking_id,
            item_id,
            start,
            end,
        };
        self.desk
            .offer_freed(&freed, Timestamp::now())
            .await
            .map(|offered| {
                if !offered.is_empty() {
                    tracing::info!(offers = offered.len(), "freed time offered to the line");
                }
            })
            .map_err(|e| e.to_string())
    }
}

impl<S, P> EventFunction for WaitlistWorker<S, P>
where
    S: SpaceStore + BookingStore + MembershipStore + WaitlistStore,
    P: Payments,
{
    type Input = SqsEvent;
    type Output = BatchResponse;

    async fn handle(&self, input: SqsEvent) -> Result<BatchResponse, Error> {
        Ok(each_bridge_event(input, |event| self.freed(event)).await)
    }
}
