//! The booking lifecycle's flows through the use cases, on the in-memory model of the
//! table (`fakes::bookings`) and of Stripe (`fakes::payments`): specific interleavings,
//! and a model-based run of generated operations, edits and zones checked against the
//! invariants read from the whole state.

mod flows;
mod model;
mod promos;
mod rentals;
mod series;

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};

use crate::caller::Caller;
use crate::error::AppError;
use crate::fakes::bookings::MemoryBookings;
use crate::fakes::payments::FakeStripe;
use crate::ports::bookings::BookingStore;
use crate::ports::payments::{PaymentIntentObject, RefundObject};
use crate::usecase::create_booking::{BookingDesk, CreateBookingCommand};
use domain::booking::Booking;
use domain::lifecycle::{Outcome, Period};
use domain::money::Money;
use domain::payment::PaymentTransaction;
use domain::role::Role;
use domain::space::{BookableItem, ItemKind, LocalInterval, OpeningHours, Space};

pub(crate) fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// A space open around the clock in `tz`, owned by `op`.
pub(crate) fn space(id: &str, tz: &str) -> Space {
    let mut s = domain::samples::sample_space();
    s.id = id.into();
    s.owner_id = "op".into();
    s.time_zone = tz.into();
    let day = vec![LocalInterval {
        open: "00:00".into(),
        close: "24:00".into(),
    }];
    s.opening_hours = OpeningHours {
        monday: day.clone(),
        tuesday: day.clone(),
        wednesday: day.clone(),
        thursday: day.clone(),
        friday: day.clone(),
        saturday: day.clone(),
        sunday: day,
    };
    s
}

pub(crate) fn item(id: &str, space_id: &str, slot: u32, buffer: u32) -> BookableItem {
    let mut i = domain::samples::sample_item();
    i.id = id.into();
    i.space_id = space_id.into();
    i.kind = ItemKind::Room;
    i.price_per_hour = Money::new(2000, "EUR");
    i.slot_minutes = slot;
    i.min_booking_minutes = slot;
    i.max_booking_minutes = 8 * 60;
    i.buffer_minutes = buffer;
    i
}

/// The store, Stripe, and one container's booking desk over them.
pub(crate) struct Setup {
    pub store: MemoryBookings,
    pub stripe: FakeStripe,
    pub desk: BookingDesk<MemoryBookings, FakeStripe>,
}

impl Setup {
    pub fn new(now: &str) -> Self {
        let store = MemoryBookings::new(ts(now));
        let stripe = FakeStripe::default();
        let mut desk = BookingDesk::new(store.clone(), stripe.clone());
        desk.hold_limit = 1000;
        Self {
            store,
            stripe,
            desk,
        }
    }

    pub fn now(&self) -> Timestamp {
        self.store.now()
    }

    pub async fn book(
        &self,
        user: &str,
        item: &str,
        period: impl Into<Period>,
    ) -> Result<(Booking, Option<PaymentTransaction>), AppError> {
        let key = uuid::Uuid::new_v4().to_string();
        self.desk
            .create(
                &CreateBookingCommand {
                    user_id: user,
                    idempotency_key: &key,
                    item_id: item,
                    period: period.into(),
                    promo_code: None,
                },
                self.now(),
            )
            .await
    }

    pub async fn stored(&self, id: &str) -> (Booking, Option<PaymentTransaction>) {
        self.store
            .get_booking_with_payment(id)
            .await
            .unwrap()
            .unwrap()
    }

    /// Stripe's news that the booking's intent succeeded with `amount` in `currency`.
    pub async fn paid_news(&self, id: &str, amount: i64, currency: &str) -> Outcome {
        let (_, p) = self.stored(id).await;
        let p = p.expect("a payment");
        let pi = PaymentIntentObject {
            id: p.stripe_payment_intent_id.clone(),
            amount,
            currency: currency.into(),
            metadata: HashMap::from([("booking_id".to_string(), id.to_string())]),
        };
        let event = format!("evt_{}", uuid::Uuid::new_v4().simple());
        crate::usecase::payments::payment_succeeded(
            &self.store,
            &self.stripe,
            &event,
            &pi,
            self.now(),
        )
        .await
        .unwrap()
    }

    /// The member pays at Stripe; then Stripe's news (with the intent's own amount).
    pub async fn pay(&self, id: &str) -> Outcome {
        let (_, p) = self.stored(id).await;
        let p = p.expect("a payment");
        self.stripe.pay(&p.stripe_payment_intent_id);
        let intent = self.stripe.intent(&p.stripe_payment_intent_id).unwrap();
        self.paid_news(id, intent.amount, &intent.currency).await
    }

    pub async fn cancel(
        &self,
        id: &str,
        by: &Caller,
    ) -> Result<crate::usecase::cancel_booking::Cancelled, AppError> {
        crate::usecase::cancel_booking::cancel_booking(
            &self.store,
            &self.stripe,
            by,
            id,
            self.now(),
        )
        .await
    }

    /// Stripe's news of every refund made on the booking's intent (as Stripe sends it).
    pub async fn refund_news(&self, id: &str) -> Vec<Outcome> {
        let (_, p) = self.stored(id).await;
        let p = p.expect("a payment");
        let mut out = Vec::new();
        // Each refund's news names the booking it was made for (an intent may pay every
        // occurrence of a series).
        for r in self
            .stripe
            .refunds(&p.stripe_payment_intent_id)
            .into_iter()
            .filter(|r| r.booking_id == id)
        {
            let refund = RefundObject {
                id: r.id.clone(),
                amount: r.amount,
                payment_intent: Some(r.intent.clone()),
                status: Some("succeeded".into()),
                metadata: HashMap::from([
                    ("booking_id".to_string(), id.to_string()),
                    ("refund_key".to_string(), r.key.clone()),
                ]),
            };
            let event = format!("evt_{}", uuid::Uuid::new_v4().simple());
            out.push(
                crate::usecase::payments::refund_updated(
                    &self.store,
                    &self.stripe,
                    &event,
                    &refund,
                    self.now(),
                )
                .await
                .unwrap(),
            );
        }
        out
    }

    pub async fn scheduler(&self) -> crate::usecase::scheduler::RunReport {
        crate::usecase::scheduler::run(&self.store, &self.stripe, self.now())
            .await
            .unwrap()
    }

    pub fn advance(&self, by: SignedDuration) {
        self.store.advance(by);
    }
}

pub(crate) fn member(id: &str) -> Caller {
    Caller {
        user_id: id.into(),
        roles: vec![Role::Member],
    }
}

pub(crate) fn operator() -> Caller {
    Caller {
        user_id: "op".into(),
        roles: vec![Role::Operator],
    }
}
