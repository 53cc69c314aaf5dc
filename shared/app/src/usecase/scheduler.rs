//! The booking scheduler (an EventBridge schedule): releases holds that ran out (and says
//! so with BookingExpired, making the unpaid intent unpayable), sends each confirmed
//! booking its reminder once, releases confirmed bookings nobody checked in to (where the
//! space requires check-in), and asks Stripe again for refunds it has not confirmed.
//! Runs are idempotent and may overlap: every step is a decision of the lifecycle,
//! conditional on the booking's version. One action failing (Stripe or the table away)
//! neither stops the run nor is lost: it is counted, logged and tried again next run.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::error::AppError;
use crate::ports::bookings::BookingStore;
use crate::ports::payments::Payments;
use crate::ports::schedule::{DueAction, ScheduleStore};
use crate::usecase::lifecycle::{self, Ran, settle_refund};
use domain::booking::BookingStatus;
use domain::events::DomainEvent;
use domain::schedule::DueKind;

/// A run looks back this far, so a scheduler that was down for a while catches up.
pub const LOOKBACK_HOURS: i64 = 24;

/// A refund Stripe has not confirmed is asked for again this much later (moved forward,
/// so it never ages out of the look-back).
pub const REFUND_RETRY_LATER: SignedDuration = SignedDuration::from_mins(10);

#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunReport {
    pub expired: usize,
    pub reminded: usize,
    pub refunded: usize,
    /// Confirmed bookings nobody checked in to, released.
    pub no_shows: usize,
    pub skipped: usize,
    /// Actions that failed this run (left for the next).
    pub failed: usize,
}

pub async fn run<S: BookingStore + ScheduleStore, P: Payments>(
    store: &S,
    payments: &P,
    now: Timestamp,
) -> Result<RunReport, AppError> {
    let mut report = RunReport::default();
    for action in store.due_actions(now, LOOKBACK_HOURS).await? {
        if let Err(e) = one(store, payments, &action, now, &mut report).await {
            tracing::error!(booking_id = %action.booking_id, kind = action.kind.as_str(), error = %e, "due action failed; retried next run");
            report.failed += 1;
        }
    }
    Ok(report)
}

async fn one<S: BookingStore + ScheduleStore, P: Payments>(
    store: &S,
    payments: &P,
    action: &DueAction,
    now: Timestamp,
    report: &mut RunReport,
) -> Result<(), AppError> {
    match action.kind {
        DueKind::Remind => {
            let remind = store
                .get_booking(&action.booking_id)
                .await?
                .filter(|b| b.status == BookingStatus::Confirmed && b.start_time > now);
            match remind {
                Some(booking) => {
                    let event = DomainEvent::booking("BookingReminder", &booking, now);
                    if store.finish_due_with_event(action, &event).await? {
                        report.reminded += 1;
                    }
                }
                None => {
                    report.skipped += 1;
                    store.finish_due(action).await?;
                }
            }
        }
        DueKind::Expire => {
            let ran = lifecycle::run(store, payments, &action.booking_id, now, |b, p| {
                Ok(domain::lifecycle::expire(b, p, now))
            })
            .await?;
            match ran {
                Ran::Applied(..) => report.expired += 1,
                // Paid, cancelled or gone meanwhile: nothing to release.
                _ => report.skipped += 1,
            }
            store.finish_due(action).await?;
        }
        DueKind::NoShow => {
            let ran = lifecycle::run(store, payments, &action.booking_id, now, |b, p| {
                Ok(domain::lifecycle::release_no_show(b, p, now)?)
            })
            .await?;
            match ran {
                Ran::Applied(..) => report.no_shows += 1,
                // Checked in, cancelled or gone meanwhile.
                _ => report.skipped += 1,
            }
            store.finish_due(action).await?;
        }
        DueKind::Refund => {
            let payment = settle_refund(store, payments, &action.booking_id, now).await?;
            match payment {
                // Still owed (Stripe away): asked again later.
                Some(p) if p.refund_due.is_some() => {
                    report.skipped += 1;
                    store.postpone(action, now + REFUND_RETRY_LATER).await?;
                }
                _ => {
                    report.refunded += 1;
                    store.finish_due(action).await?;
                }
            }
        }
    }
    Ok(())
}
