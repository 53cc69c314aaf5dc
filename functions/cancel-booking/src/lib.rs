//! `PUT /bookings/{bookingId}/cancel`: by its booker, the space's operator or an admin.
//!
//! A paid booking is refunded under its space's cancellation policy (refund at Stripe
//! first, with an idempotency key derived from the booking, then recorded); an unpaid one
//! has its PaymentIntent cancelled so it can no longer be paid. The status change, the
//! payment record and the release of every slot happen in one transaction. Cancelling
//! twice is harmless.

use http::StatusCode;
use jiff::Timestamp;
use shared::adapters::dynamo::DynamoStore;
use shared::adapters::stripe::StripePayments;
use shared::api::bookings::BookingView;
use shared::domain::booking::{Booking, BookingStatus};
use shared::domain::events::DomainEvent;
use shared::domain::payment::{
    PaymentStatus, PaymentTransaction, RefundDecision, RefundRecord, refund_for,
};
use shared::http::params::path_param;
use shared::http::{Body, Caller, HttpFunction, Request, Response, json};
use shared::ports::bookings::{BookingStore, SlotChange, Transition, TransitionError};
use shared::ports::payments::{PaymentError, Payments, RefundRequest};
use shared::ports::spaces::SpaceStore;
use shared::usecase::bookings::visible_booking;
use shared::{ApiError, AppContext};

pub struct CancelBooking<S, P> {
    store: S,
    payments: P,
}

pub fn build(ctx: &AppContext) -> CancelBooking<DynamoStore, StripePayments> {
    CancelBooking {
        store: DynamoStore::from_context(ctx),
        payments: StripePayments::from_context(ctx),
    }
}

impl<S: BookingStore + SpaceStore, P: Payments> CancelBooking<S, P> {
    /// Settles the money side before the booking changes: what goes back (refunded now),
    /// or the unpaid intent made unpayable. Returns the payment record to store.
    async fn settle(
        &self,
        booking: &Booking,
        payment: Option<&PaymentTransaction>,
        now: Timestamp,
    ) -> Result<(Option<PaymentTransaction>, Option<RefundDecision>), ApiError> {
        let Some(payment) = payment else {
            return Ok((None, None));
        };
        let mut next = payment.clone();
        if payment.status.was_paid() {
            let policy = self
                .store
                .get_space_profile(&booking.space_id)
                .await?
                .map(|s| s.cancellation_policy)
                .unwrap_or_default();
            let mut decision = refund_for(&policy, payment.amount, booking.start_time, now);
            decision.amount = decision.amount.min(payment.refundable());
            if decision.amount > 0 {
                let key = format!("refund-{}-cancellation", booking.id);
                let refund = self
                    .payments
                    .refund(&RefundRequest {
                        payment_intent_id: &payment.stripe_payment_intent_id,
                        amount: decision.amount,
                        booking_id: &booking.id,
                        reason: "cancellation",
                        idempotency_key: &key,
                    })
                    .await?;
                next.record_refund(
                    RefundRecord {
                        stripe_refund_id: refund.id,
                        amount: refund.amount,
                        reason: "cancellation".into(),
                        created_at: now,
                    },
                    now,
                );
            }
            return Ok((Some(next), Some(decision)));
        }
        if payment.status == PaymentStatus::RequiresPayment {
            match self
                .payments
                .cancel_intent(&payment.stripe_payment_intent_id)
                .await
            {
                Ok(()) => {}
                // Already paid or cancelled at Stripe: if paid, the payment webhook finds
                // the booking cancelled and refunds it in full.
                Err(PaymentError::Rejected(reason)) => {
                    tracing::warn!(booking_id = %booking.id, %reason, "payment intent not cancellable");
                }
                Err(e) => return Err(e.into()),
            }
            next.status = PaymentStatus::Canceled;
            next.updated_at = now;
        }
        Ok((Some(next), None))
    }
}

impl<S: BookingStore + SpaceStore, P: Payments> HttpFunction for CancelBooking<S, P> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let caller = Caller::from_request(&req)?;
        let id = path_param(&req, "bookingId")?;
        // A hold can run out (and its slots be taken) between reading and writing: then
        // the release fails, and the next round sees the booking as expired.
        for _ in 0..3 {
            let (booking, payment) = visible_booking(&self.store, &caller, &id).await?;
            let now = Timestamp::now();
            let release = match booking.status_at(now) {
                BookingStatus::Cancelled => {
                    return json(
                        StatusCode::OK,
                        &BookingView::new(&booking, now)
                            .with_payment(payment.as_ref(), &caller.user_id),
                    );
                }
                BookingStatus::Expired | BookingStatus::Failed => false,
                BookingStatus::Pending | BookingStatus::Confirmed if booking.end_time <= now => {
                    return Err(ApiError::conflict("the booking has already ended"));
                }
                BookingStatus::Pending | BookingStatus::Confirmed => true,
            };
            let (next_payment, decision) = self.settle(&booking, payment.as_ref(), now).await?;
            let mut cancelled = booking.clone();
            cancelled.status = BookingStatus::Cancelled;
            cancelled.hold_expires_at = None;
            cancelled.version += 1;
            cancelled.updated_at = now;
            let mut cancel_event = DomainEvent::booking("BookingCancelled", &cancelled, now);
            // What analytics needs to undo: had it counted the booking, and what went back.
            if let Some(detail) = cancel_event.detail.as_object_mut() {
                detail.insert(
                    "previous_status".into(),
                    booking.status_at(now).as_str().into(),
                );
                detail.insert(
                    "refund_amount".into(),
                    decision.map(|d| d.amount).unwrap_or(0).into(),
                );
            }
            let mut events = vec![cancel_event];
            if let Some(p) = &next_payment
                && decision.is_some_and(|d| d.amount > 0)
            {
                events.push(DomainEvent::payment("PaymentRefunded", p, now));
            }
            // An operator or admin cancelling someone's booking is audited.
            let audit = (caller.user_id != booking.user_id).then(|| {
                caller
                    .audit("booking.cancel", format!("booking/{id}"))
                    .before(&serde_json::json!({"status": booking.status}))
                    .after(&serde_json::json!({"status": cancelled.status,
                        "refund_amount": decision.map(|d| d.amount).unwrap_or(0)}))
            });
            let t = Transition {
                booking: &booking,
                to: BookingStatus::Cancelled,
                require_live_hold: false,
                slots: if release {
                    SlotChange::Release
                } else {
                    SlotChange::Keep
                },
                payment: next_payment.as_ref(),
                stripe_event_id: None,
                events: &events,
                audit: audit.as_ref(),
                now,
            };
            match self.store.transition_booking(&t).await {
                Ok(()) => {
                    tracing::info!(booking_id = %id, by = %caller.user_id, released = release, refunded = decision.map(|d| d.amount).unwrap_or(0), "booking cancelled");
                    let mut view = BookingView::new(&cancelled, now)
                        .with_payment(next_payment.as_ref(), &caller.user_id);
                    view.refund = decision;
                    return json(StatusCode::OK, &view);
                }
                // A refund already made is found again by its idempotency key next round.
                Err(TransitionError::Changed | TransitionError::SlotTaken) => continue,
                Err(TransitionError::Duplicate) => {
                    return Err(ApiError::internal("duplicate event on a cancellation"));
                }
                Err(TransitionError::Store(e)) => return Err(e.into()),
            }
        }
        Err(ApiError::conflict(
            "the booking changed while cancelling; retry",
        ))
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    put,
    path = "/bookings/{bookingId}/cancel",
    tag = "bookings",
    params(
        ("bookingId" = String, Path),
    ),
    responses(
        (status = 200, description = "cancelled (refund per policy)", body = shared::api::bookings::BookingView<'static>),
        shared::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
