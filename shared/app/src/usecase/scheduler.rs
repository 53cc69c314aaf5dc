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

/// A run looks back at least this far, and further, to the last finished run, when the
/// scheduler was stopped longer (bounded by `MAX_LOOKBACK_HOURS`): a due action is never
/// skipped, so a hold is always released and an owed refund always asked for again.
pub const LOOKBACK_HOURS: i64 = 24;
pub const MAX_LOOKBACK_HOURS: i64 = 24 * 31;

/// Hours to look back from `now`: a day, or back to the last finished run.
pub fn lookback_hours(now: Timestamp, last_run: Option<Timestamp>) -> i64 {
    let since_last = last_run.map_or(0, |t| {
        let secs = (now - t).as_secs().max(0);
        (secs + 3599) / 3600
    });
    since_last.clamp(LOOKBACK_HOURS, MAX_LOOKBACK_HOURS)
}

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
    let hours = lookback_hours(now, store.last_run().await?);
    for action in store.due_actions(now, hours).await? {
        if let Err(e) = one(store, payments, &action, now, &mut report).await {
            tracing::error!(booking_id = %action.booking_id, kind = action.kind.as_str(), error = %e, "due action failed; retried next run");
            report.failed += 1;
        }
    }
    // A failed action stays in its bucket, within the next runs' day of look-back.
    store.record_run(now).await?;
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

#[cfg(test)]
mod lookback_tests {
    use super::*;

    #[test]
    fn a_day_at_least_back_to_the_last_run_and_a_month_at_most() {
        let now: Timestamp = "2027-03-10T12:00:00Z".parse().unwrap();
        let ago = |h: i64| Some(now - SignedDuration::from_hours(h));
        assert_eq!(lookback_hours(now, None), 24);
        assert_eq!(lookback_hours(now, ago(0)), 24);
        assert_eq!(lookback_hours(now, ago(30)), 30);
        assert_eq!(
            lookback_hours(now, Some(now - SignedDuration::from_mins(72 * 60 + 1))),
            73
        );
        assert_eq!(lookback_hours(now, ago(24 * 90)), MAX_LOOKBACK_HOURS);
        assert_eq!(
            lookback_hours(now, Some(now + SignedDuration::from_hours(2))),
            24
        );
    }
}
