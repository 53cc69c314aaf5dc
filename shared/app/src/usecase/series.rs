//! Booking a recurring series (`domain::series`): every occurrence is an ordinary
//! booking, written by the same one-transaction path as a single booking, and the
//! series is paid with ONE PaymentIntent for the occurrences that were booked.
//!
//! Why one payment: members book a series as one purchase (one checkout, one receipt);
//! the occurrences' payment records share the intent with their own share of it, so
//! cancelling one occurrence later refunds exactly its share (a partial refund of the
//! intent), and the webhook checks the paid amount against the series' recorded total.
//! While the series is unpaid it is paid or cancelled as a whole.
//!
//! Conflicts: with `skip` the free occurrences are booked and the others are listed with
//! why; with `refuse` the occurrences' time is read first and a taken one answers 409
//! listing every conflict with nothing written. Each occurrence's own transaction is the
//! guarantee either way: one taken between the read and the write (a race) is listed too,
//! and under `refuse` the occurrences this request already made are withdrawn before the
//! 409 (they were never paid and nobody is told).
//!
//! Idempotency: the series id and each occurrence's booking id derive from the caller's
//! key; the series record is written last, so a retry after a crash finds the occurrences
//! already made (their own idempotency records) and answers the same series.

use jiff::Timestamp;

use crate::error::AppError;
use crate::ports::bookings::{BookingStore, IdempotencyRecord};
use crate::ports::memberships::MembershipStore;
use crate::ports::payments::{Intent, Payments, idempotency_key};
use crate::ports::series::SeriesStore;
use crate::ports::spaces::SpaceStore;
use crate::usecase::create_booking::{
    BookingDesk, CreateBookingCommand, Paying, SeriesIntent, booking_id_for,
};
use crate::usecase::lifecycle::run;
use domain::booking::Booking;
use domain::hours::time_zone;
use domain::lifecycle::{self, Actor, NewBooking, Period};
use domain::payment::PaymentTransaction;
use domain::series::{
    Occurrence, OnConflict, Recurrence, Series, SeriesLink, SeriesOccurrence, SeriesPayment,
    occurrences,
};

/// What a member asks for: the first occurrence, the rule, and what to do on conflicts.
pub struct SeriesCommand<'a> {
    pub user_id: &'a str,
    pub idempotency_key: &'a str,
    pub item_id: &'a str,
    pub start: Timestamp,
    pub end: Timestamp,
    pub rrule: &'a str,
    pub on_conflict: OnConflict,
}

impl SeriesCommand<'_> {
    fn canonical(&self, rule: &Recurrence) -> String {
        format!(
            "series|{}|{}|{}|{}|{}",
            self.item_id,
            self.start,
            self.end,
            rule.to_rrule(),
            self.on_conflict.as_str()
        )
    }
}

/// A series with its booked occurrences as stored now.
#[derive(Debug)]
pub struct SeriesAnswer {
    pub series: Series,
    pub bookings: Vec<(Booking, Option<PaymentTransaction>)>,
}

/// The series id for a caller's key (distinct from any single booking's id).
pub fn series_id_for(user_id: &str, key: &str) -> String {
    booking_id_for(user_id, &format!("{key}\nseries"))
}

fn occurrence_key(key: &str, index: u32) -> String {
    format!("{key}#{index}")
}

/// Why an occurrence was not booked, as its single booking would have been answered.
fn why(e: &AppError) -> Option<serde_json::Value> {
    match e {
        AppError::Conflict { detail, conflict } => {
            Some(serde_json::json!({"detail": detail, "conflict": conflict}))
        }
        AppError::Validation(errors) => Some(
            serde_json::json!({"detail": "not bookable by the space's rules", "errors": errors}),
        ),
        _ => None,
    }
}

impl<S, P> BookingDesk<S, P>
where
    S: SpaceStore + BookingStore + MembershipStore + SeriesStore,
    P: Payments,
{
    pub async fn create_series(
        &self,
        cmd: &SeriesCommand<'_>,
        now: Timestamp,
    ) -> Result<SeriesAnswer, AppError> {
        let rule = Recurrence::parse(cmd.rrule)?;
        let request = cmd.canonical(&rule);
        let series_id = series_id_for(cmd.user_id, cmd.idempotency_key);
        if let Some(stored) = self.store.get_series(&series_id).await? {
            return self.replayed(stored, &request).await;
        }
        let entry = self
            .catalog
            .for_item(&self.store, cmd.item_id, false)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no bookable item {}", cmd.item_id)))?;
        let item = entry
            .item(cmd.item_id)
            .ok_or_else(|| AppError::NotFound(format!("no bookable item {}", cmd.item_id)))?;
        let tz = time_zone(&entry.space.time_zone)
            .ok_or_else(|| AppError::internal("the space has an invalid time zone"))?;
        let planned = occurrences(&rule, cmd.start, cmd.end, &tz)?;

        // Each occurrence planned by the single booking's rules, for the provisional
        // total and (under `refuse`) the conflicts to answer before writing anything.
        let member = self.members.get(&self.store, cmd.user_id, false).await?;
        let mut refused: Vec<(u32, serde_json::Value)> = Vec::new();
        let mut provisional = 0;
        for o in &planned {
            let plan = lifecycle::create(&NewBooking {
                id: &booking_id_for(cmd.user_id, &occurrence_key(cmd.idempotency_key, o.index)),
                user_id: cmd.user_id,
                space: &entry.space,
                item,
                period: Period::Hours {
                    start: o.start,
                    end: o.end,
                },
                member: &member,
                hold: self.hold,
                hold_limit: self.hold_limit,
                now,
                promo: None,
            });
            match plan {
                // The first occurrence is what the member typed: its refusal is the answer.
                Err(e) if o.index == 0 => return Err(e.into()),
                Err(e) => refused.extend(why(&e.into()).map(|w| (o.index, w))),
                Ok(c) => {
                    provisional += c.booking.price.total;
                    if cmd.on_conflict == OnConflict::Refuse
                        && let Some(w) = self.taken(&c.booking, now).await?.as_ref().and_then(why)
                    {
                        refused.push((o.index, w));
                    }
                }
            }
        }
        if cmd.on_conflict == OnConflict::Refuse && !refused.is_empty() {
            return Err(conflicts(
                &planned,
                &refused,
                "some occurrences cannot be booked: nothing was booked (ask with on_conflict=skip to book the free ones)",
            ));
        }

        let make = SeriesIntent {
            series_id: series_id.clone(),
            user_id: cmd.user_id.to_string(),
            currency: item.price_per_hour.currency.clone(),
            provisional,
            asked: std::sync::atomic::AtomicI64::new(0),
            key: idempotency_key(
                "series",
                &series_id,
                &format!("{request}|{}", uuid::Uuid::new_v4().simple()),
            ),
        };
        let mut intent: Option<Intent> = None;
        let mut booked: Vec<(u32, Booking, Option<PaymentTransaction>)> = Vec::new();
        let mut hold_taken = false;
        for o in &planned {
            if refused.iter().any(|(i, _)| *i == o.index) {
                continue;
            }
            let key = occurrence_key(cmd.idempotency_key, o.index);
            let single = CreateBookingCommand {
                user_id: cmd.user_id,
                idempotency_key: &key,
                item_id: cmd.item_id,
                period: Period::Hours {
                    start: o.start,
                    end: o.end,
                },
                promo_code: None,
            };
            let booking_id = booking_id_for(cmd.user_id, &key);
            let idempotency = IdempotencyRecord {
                key: key.clone(),
                request: format!("{request}|{}", single.canonical()),
                booking_id: booking_id.clone(),
            };
            let made = {
                let mut pay = Paying::Series {
                    link: SeriesLink {
                        id: series_id.clone(),
                        index: o.index,
                        counts_hold: !hold_taken,
                    },
                    intent: &mut intent,
                    make: &make,
                };
                self.attempts(&single, &booking_id, &idempotency, &mut pay, now)
                    .await
            };
            match made {
                // Made by an earlier attempt with this key and given back since (withdrawn
                // by a refusal, or its hold ran out): not booked now.
                Ok((b, _)) if !b.holds_slots(now) => refused.push((
                    o.index,
                    serde_json::json!({
                        "detail": "an earlier request with this Idempotency-Key gave this occurrence back: ask again with a new key",
                        "conflict": {"booking_id": b.id, "status": b.status_at(now)},
                    }),
                )),
                Ok((b, p)) => {
                    // Made by an earlier attempt with this key (a retry after a crash): its
                    // intent is the series' one.
                    if let Some(p) = &p
                        && intent.as_ref().map(|i| i.id.as_str())
                            != Some(p.stripe_payment_intent_id.as_str())
                    {
                        if let Some(ours) = &intent {
                            let used = booked.iter().any(|(_, _, q)| {
                                q.as_ref()
                                    .is_some_and(|q| q.stripe_payment_intent_id == ours.id)
                            });
                            if used {
                                // Another request with this key is making the same series.
                                return Err(AppError::conflict(
                                    "this Idempotency-Key is being used by a request in progress",
                                ));
                            }
                            // Made for this replay before the store answered: unused.
                            if let Err(e) = self.payments.cancel_intent(&ours.id).await {
                                tracing::warn!(error = %e, "could not cancel an unused series intent");
                            }
                        }
                        intent = Some(Intent {
                            id: p.stripe_payment_intent_id.clone(),
                            client_secret: p.client_secret.clone(),
                        });
                        // Its amount is not known here: it is set to what was booked.
                        make.asked.store(-1, std::sync::atomic::Ordering::SeqCst);
                    }
                    hold_taken |= b.series.as_ref().is_some_and(|s| s.counts_hold)
                        && b.status == domain::booking::BookingStatus::Pending;
                    booked.push((o.index, b, p));
                }
                Err(e) => match why(&e) {
                    Some(w) => refused.push((o.index, w)),
                    None => {
                        self.undo(&booked, intent.as_ref(), now).await;
                        return Err(e);
                    }
                },
            }
        }
        if booked.is_empty() || (cmd.on_conflict == OnConflict::Refuse && !refused.is_empty()) {
            self.undo(&booked, intent.as_ref(), now).await;
            return Err(conflicts(
                &planned,
                &refused,
                if booked.is_empty() {
                    "no occurrence of the series can be booked"
                } else {
                    "an occurrence was taken while booking the series: nothing was booked"
                },
            ));
        }

        // One currency: the item's price may have changed between two occurrences.
        let mut currencies: Vec<&str> = booked
            .iter()
            .filter_map(|(_, _, p)| p.as_ref().map(|p| p.currency.as_str()))
            .collect();
        currencies.dedup();
        if currencies.len() > 1 {
            self.undo(&booked, intent.as_ref(), now).await;
            return Err(AppError::conflict(
                "the item's price changed while booking the series: nothing was booked; retry",
            ));
        }
        let currency = currencies
            .first()
            .map_or_else(|| make.currency.clone(), |c| c.to_string());
        // The one payment asks for exactly what was booked.
        let total: i64 = booked
            .iter()
            .filter_map(|(_, _, p)| p.as_ref())
            .filter(|p| p.stripe_payment_intent_id == intent.as_ref().map_or("", |i| &i.id))
            .map(|p| p.amount)
            .sum();
        let payment = match &intent {
            Some(i) if total > 0 => {
                let asked = make.asked.load(std::sync::atomic::Ordering::SeqCst);
                if total != asked
                    && let Err(e) = self.payments.set_intent_amount(&i.id, total).await
                {
                    self.undo(&booked, intent.as_ref(), now).await;
                    return Err(e.into());
                }
                Some(SeriesPayment {
                    stripe_payment_intent_id: i.id.clone(),
                    client_secret: i.client_secret.clone(),
                    amount: total,
                    currency,
                })
            }
            Some(i) => {
                // Only free occurrences were booked: nothing to pay.
                if let Err(e) = self.payments.cancel_intent(&i.id).await {
                    tracing::warn!(error = %e, "could not cancel an unused series intent");
                }
                None
            }
            None => None,
        };
        let series = Series {
            id: series_id.clone(),
            user_id: cmd.user_id.to_string(),
            space_id: entry.space.id.clone(),
            bookable_item_id: cmd.item_id.to_string(),
            time_zone: entry.space.time_zone.clone(),
            rrule: rule.to_rrule(),
            on_conflict: cmd.on_conflict,
            request: request.clone(),
            occurrences: planned
                .iter()
                .map(|o| SeriesOccurrence {
                    index: o.index,
                    start_time: o.start,
                    end_time: o.end,
                    booking_id: booked
                        .iter()
                        .find(|(i, ..)| *i == o.index)
                        .map(|(_, b, _)| b.id.clone()),
                    conflict: refused
                        .iter()
                        .find(|(i, _)| *i == o.index)
                        .map(|(_, w)| w.clone()),
                })
                .collect(),
            payment,
            created_at: now,
        };
        if !self.store.put_series(&series).await? {
            // The same request answered meanwhile (a concurrent retry): answer that one.
            let stored = self
                .store
                .get_series(&series_id)
                .await?
                .ok_or_else(|| AppError::internal("series vanished after its write"))?;
            return self.replayed(stored, &request).await;
        }
        tracing::info!(series_id = %series.id, booked = booked.len(), skipped = refused.len(), "series booked");
        Ok(SeriesAnswer {
            series,
            bookings: booked.into_iter().map(|(_, b, p)| (b, p)).collect(),
        })
    }

    /// Takes back what this request made (the member never had it; nothing was paid).
    async fn undo(
        &self,
        booked: &[(u32, Booking, Option<PaymentTransaction>)],
        intent: Option<&Intent>,
        now: Timestamp,
    ) {
        for (_, b, _) in booked {
            let policy = b.cancellation_policy.clone().unwrap_or_default();
            let ran = run(&self.store, &self.payments, &b.id, now, |b, p| {
                Ok(lifecycle::cancel_in_series(
                    b,
                    p,
                    Actor::Withdrawn,
                    &policy,
                    None,
                    now,
                )?)
            })
            .await;
            if let Err(e) = ran {
                // Its hold runs out on its own; the scheduler then expires it.
                tracing::error!(booking_id = %b.id, error = %e, "could not withdraw a series occurrence");
            }
        }
        if let Some(i) = intent
            && let Err(e) = self.payments.cancel_intent(&i.id).await
        {
            tracing::warn!(error = %e, "could not cancel a series' payment intent");
        }
    }

    /// The answer to a retry: the same request gets the stored series, another is 422.
    async fn replayed(&self, series: Series, request: &str) -> Result<SeriesAnswer, AppError> {
        if series.request != request {
            return Err(AppError::Unprocessable(
                "this Idempotency-Key was used for a different series request".into(),
            ));
        }
        let bookings =
            crate::usecase::series_manage::occurrence_bookings(&self.store, &series).await?;
        Ok(SeriesAnswer { series, bookings })
    }
}

/// The 409 listing each occurrence that cannot be booked, and why.
fn conflicts(
    planned: &[Occurrence],
    refused: &[(u32, serde_json::Value)],
    detail: &str,
) -> AppError {
    let list: Vec<serde_json::Value> = refused
        .iter()
        .filter_map(|(i, w)| {
            let o = planned.iter().find(|o| o.index == *i)?;
            Some(serde_json::json!({
                "index": i,
                "start_time": o.start,
                "end_time": o.end,
                "why": w,
            }))
        })
        .collect();
    AppError::Conflict {
        detail: detail.to_string(),
        conflict: Some(serde_json::json!({"occurrences": list})),
    }
}
