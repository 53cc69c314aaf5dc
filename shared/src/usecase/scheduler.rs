//! The booking scheduler (an EventBridge schedule): releases holds that ran out (and says
//! so with BookingExpired, making the unpaid intent unpayable) and sends each confirmed
//! booking its reminder, once. Runs are idempotent and may overlap.

use jiff::Timestamp;
use serde::Serialize;

use crate::domain::booking::BookingStatus;
use crate::domain::events::DomainEvent;
use crate::domain::payment::PaymentStatus;
use crate::domain::schedule::DueKind;
use crate::error::ApiError;
use crate::ports::bookings::{BookingStore, SlotChange, Transition, TransitionError};
use crate::ports::payments::Payments;
use crate::ports::schedule::ScheduleStore;

/// A run looks back this far, so a scheduler that was down for a while catches up.
pub const LOOKBACK_HOURS: i64 = 24;

#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunReport {
    pub expired: usize,
    pub reminded: usize,
    pub skipped: usize,
}

pub async fn run<S: BookingStore + ScheduleStore, P: Payments>(
    store: &S,
    payments: &P,
    now: Timestamp,
) -> Result<RunReport, ApiError> {
    let mut report = RunReport::default();
    for action in store.due_actions(now, LOOKBACK_HOURS).await? {
        let Some((booking, payment)) = store.get_booking_with_payment(&action.booking_id).await?
        else {
            store.finish_due(&action).await?;
            continue;
        };
        match action.kind {
            DueKind::Remind
                if booking.status == BookingStatus::Confirmed && booking.start_time > now =>
            {
                let event = DomainEvent::booking("BookingReminder", &booking, now);
                if store.finish_due_with_event(&action, &event).await? {
                    report.reminded += 1;
                }
            }
            DueKind::Expire
                if booking.status == BookingStatus::Pending
                    && booking.status_at(now) == BookingStatus::Expired =>
            {
                let mut next_payment = payment.clone();
                if let Some(p) = next_payment
                    .as_mut()
                    .filter(|p| p.status == PaymentStatus::RequiresPayment)
                {
                    // Paid anyway later? The webhook then re-claims the slots or refunds.
                    if let Err(e) = payments.cancel_intent(&p.stripe_payment_intent_id).await {
                        tracing::warn!(booking_id = %booking.id, error = %e, "intent not cancelled");
                    }
                    p.status = PaymentStatus::Canceled;
                    p.updated_at = now;
                }
                let mut expired = booking.clone();
                expired.status = BookingStatus::Expired;
                expired.hold_expires_at = None;
                let events = [DomainEvent::booking("BookingExpired", &expired, now)];
                let t = Transition {
                    booking: &booking,
                    to: BookingStatus::Expired,
                    require_live_hold: false,
                    // The claims lapsed with the hold: others may already own them.
                    slots: SlotChange::Keep,
                    payment: next_payment.as_ref(),
                    stripe_event_id: None,
                    events: &events,
                    audit: None,
                    now,
                };
                match store.transition_booking(&t).await {
                    Ok(()) => report.expired += 1,
                    // Paid or cancelled meanwhile: nothing to release.
                    Err(TransitionError::Changed | TransitionError::SlotTaken) => {
                        report.skipped += 1
                    }
                    Err(TransitionError::Duplicate) => {}
                    Err(TransitionError::Store(e)) => return Err(e.into()),
                }
                store.finish_due(&action).await?;
            }
            _ => {
                report.skipped += 1;
                store.finish_due(&action).await?;
            }
        }
    }
    Ok(report)
}
