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
    /// Starts a rental (or answers the one this key already started).
    pub async fn start_rental(
        &self,
        cmd: &StartRental<'_>,
        now: Timestamp,
    ) -> Result<RentalAnswer, AppError> {
        let id = rental_id_for(cmd.user_id, cmd.idempotency_key);
        if let Some(r) = self.store.get_rental(&id).await? {
            return self.resume(r, cmd, now).await;
        }
        let entry = self
            .catalog
            .for_item(&self.store, cmd.item_id, true)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no bookable item {}", cmd.item_id)))?;
        let item = entry
            .item(cmd.item_id)
            .ok_or_else(|| AppError::NotFound(format!("no bookable item {}", cmd.item_id)))?;
        let rate = item
            .stay_rates
            .month
            .filter(|_| item.stay_rates.open_ended)
            .ok_or_else(|| {
                AppError::field(
                    "item_id",
                    "not_rented_open_ended",
                    "this item is not rented open-ended; book a month stay instead",
                )
            })?;
        let tz = domain::hours::time_zone(&entry.space.time_zone)
            .ok_or_else(|| AppError::internal("space with an invalid time zone"))?;
        domain::rental::check_start(cmd.start_date, now.to_zoned_datetime(tz.clone()).date())?;
        // Month 1 is held as soon as month 0 is paid: the space must take bookings that
        // far ahead, or the rental would end after its first month.
        let month_1_end = domain::rental::month_stay(cmd.start_date, 2).and_then(|m| {
            tz.to_ambiguous_timestamp(m.start_date.to_datetime(jiff::civil::Time::midnight()))
                .compatible()
                .ok()
        });
        if month_1_end.is_none_or(|end| end > domain::booking_rules::horizon_end(&entry.space, now))
        {
            return Err(AppError::field(
                "start_date",
                "horizon",
                format!(
                    "this space takes bookings at most {} days ahead, too short to hold a rental's next month",
                    entry.space.booking_horizon_days
                ),
            ));
        }
        let rental = Rental {
            id,
            user_id: cmd.user_id.to_string(),
            space_id: entry.space.id.clone(),
            item_id: item.id.clone(),
            start_date: cmd.start_date,
            rent: Money {
                amount: rate,
                currency: item.price_per_hour.currency.clone(),
            },
            status: RentalStatus::Starting,
            end_reason: None,
            stripe_customer_id: None,
            stripe_subscription_id: None,
            paid_invoices: Vec::new(),
            last_month: 0,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        // Month 0 first: when it cannot be held, nothing else is made.
        self.hold_month(&rental, 0, now).await?;
        if !self.store.put_rental(&rental).await? {
            let stored = self.store.get_rental(&rental.id).await?.ok_or_else(|| {
                AppError::internal("a rental reported as existing cannot be read")
            })?;
            return self.resume(stored, cmd, now).await;
        }
        self.bill(rental, cmd.payment_method_id, now).await
    }

    /// A retry of a start: the same request continues (or answers what was stored),
    /// another request with the same key is 422.
    async fn resume(
        &self,
        r: Rental,
        cmd: &StartRental<'_>,
        now: Timestamp,
    ) -> Result<RentalAnswer, AppError> {
        if r.user_id != cmd.user_id || r.item_id != cmd.item_id || r.start_date != cmd.start_date {
            return Err(AppError::Unprocessable(
                "this Idempotency-Key was used for a different rental request".into(),
            ));
        }
        if r.stripe_subscription_id.is_some() || r.status == RentalStatus::Ended {
            return self.answer(r, None).await;
        }
        self.bill(r, cmd.payment_method_id, now).await
    }

    /// Holds month `index` for the rental: a one-month stay at the rent, paid by an
    /// invoice (the same month is always the same booking).
    async fn hold_month(
        &self,
        r: &Rental,
        index: u32,
        now: Timestamp,
    ) -> Result<(Booking, Option<PaymentTransaction>), AppError> {
        let stay = r.month(index).ok_or_else(|| {
            AppError::field(
                "start_date",
                "range",
                "outside the calendar this service supports",
            )
        })?;
        let key = r.month_key(index);
        let booking_id = booking_id_for(&r.user_id, &key);
        let cmd = CreateBookingCommand {
            user_id: &r.user_id,
            idempotency_key: &key,
            item_id: &r.item_id,
            period: Period::Stay(stay),
        };
        let idempotency = IdempotencyRecord {
            key: key.clone(),
            request: cmd.canonical(),
            booking_id: booking_id.clone(),
        };
        let mut pay = Paying::Rent {
            link: RentalLink {
                id: r.id.clone(),
                index,
            },
            rent: &r.rent,
        };
        self.attempts(&cmd, &booking_id, &idempotency, &mut pay, now)
            .await
    }

    /// Asks Stripe for the subscription and records it. A refusal ends the rental
    /// (month 0 is released) and is answered.
    async fn bill(
        &self,
        mut r: Rental,
        payment_method_id: &str,
        now: Timestamp,
    ) -> Result<RentalAnswer, AppError> {
        let (customer, sub) = match self.subscribe(&r, payment_method_id).await {
            Ok(made) => made,
            // Refused (the card, the request): the rental ends and month 0 is released.
            // Unreachable or timed out: it may exist at Stripe, so the rental stays
            // `starting` for a retry with the same key (the same Stripe keys answer the
            // same subscription); its invoice's news finds the rental either way.
            Err(e @ PaymentError::Rejected(_)) => {
                if let Err(end) = self.finish(&r.id, "payment_refused", now).await {
                    tracing::error!(rental_id = %r.id, error = %end, "could not end a refused rental");
                }
                return Err(e.into());
            }
            Err(e) => return Err(e.into()),
        };
        for _ in 0..4 {
            if r.status == RentalStatus::Ended
                || r.stripe_subscription_id
                    .as_deref()
                    .is_some_and(|s| s != sub.id)
            {
                // Ended meanwhile, or billed by another subscription: this one must not
                // charge anyone.
                if r.stripe_subscription_id.as_deref() != Some(sub.id.as_str()) {
                    self.cancel_other(&r, &sub.id).await;
                }
                return self.answer(r, None).await;
            }
            if r.stripe_subscription_id.is_some() {
                break;
            }
            r.stripe_customer_id = Some(customer.clone());
            r.stripe_subscription_id = Some(sub.id.clone());
            r.version += 1;
            r.updated_at = now;
            if self.store.save_rental(&r).await? {
                break;
            }
            // Its first invoice's news came first (and recorded the same subscription).
            r = self
                .store
                .get_rental(&r.id)
                .await?
                .ok_or_else(|| AppError::internal("a stored rental cannot be read"))?;
        }
        let secret = sub.client_secret.filter(|_| sub.status == "incomplete");
        self.answer(r, secret).await
    }

    async fn subscribe(
        &self,
        r: &Rental,
        payment_method_id: &str,
    ) -> Result<(String, Subscription), PaymentError> {
        // Keys from the rental alone: a retry, whatever card it names, can never make a
        // second customer or subscription for one rental.
        let key = idempotency_key("customer", &r.id, "rental");
        let customer = self
            .payments
            .create_customer(&r.user_id, payment_method_id, &key)
            .await?;
        let price_key = format!(
            "rent-{}-{}-{}",
            r.item_id,
            r.rent.amount,
            r.rent.currency.to_lowercase()
        );
        let price = self
            .payments
            .ensure_plan_price(&PlanPrice {
                key: &price_key,
                name: "Office rent",
                amount: r.rent.amount,
                currency: &r.rent.currency,
            })
            .await?;
        let key = idempotency_key("subscription", &r.id, &price);
        let sub = self
            .payments
            .create_subscription(&SubscriptionRequest {
                customer_id: &customer,
                price_id: &price,
                user_id: &r.user_id,
                purpose: SubscriptionFor::Rental(&r.id),
                idempotency_key: &key,
            })
            .await?;
        Ok((customer, sub))
    }

    /// `invoice.paid` for a rental's subscription: confirms the month it pays and holds
    /// the next one (or ends the rental when that month cannot be held).
    pub async fn rent_invoice_paid(
        &self,
        event_id: &str,
        invoice: &InvoiceObject,
        sub: &Subscription,
        now: Timestamp,
    ) -> Result<Outcome, AppError> {
        let Some(rental_id) = sub.rental_id.as_deref() else {
            return self
                .ignore(event_id, "not a rental's subscription", now)
                .await;
        };
        // A month held by an attempt of this loop whose save then lost to an end: the
        // end did not know it, so it is released here.
        let mut held: Option<u32> = None;
        for _ in 0..4 {
            let Some(mut r) = self.store.get_rental(rental_id).await? else {
                return self.ignore(event_id, "unknown rental", now).await;
            };
            if r.status == RentalStatus::Ended
                && let Some(next) = held.take()
            {
                self.release_month(&r, next, now).await?;
            }
            if r.stripe_subscription_id
                .as_deref()
                .is_some_and(|s| s != sub.id)
            {
                // A subscription nothing of ours bills by: it must not charge anyone.
                self.refund_invoice(&r, invoice).await?;
                self.cancel_other(&r, &sub.id).await;
                return Ok(Outcome::Ignored("not the rental's subscription: refunded"));
            }
            let k = match r.invoice(&invoice.id, invoice.amount_paid, &invoice.currency) {
                InvoiceFit::Pays(k) => k,
                InvoiceFit::AlreadyApplied => return Ok(Outcome::Duplicate),
                InvoiceFit::WrongAmount => {
                    tracing::error!(rental_id = %r.id, invoice = %invoice.id, amount = invoice.amount_paid, currency = %invoice.currency, "rent invoice with another amount: nothing confirmed, left for a person");
                    return self
                        .ignore(event_id, "invoice amount is not the rent", now)
                        .await;
                }
                InvoiceFit::AfterEnd => {
                    return self.paid_after_end(r, invoice, &sub.id, now).await;
                }
            };
            let confirmed = self.confirm_month(&r, k, invoice, event_id, now).await?;
            r.paid_invoices.push(invoice.id.clone());
            r.stripe_subscription_id
                .get_or_insert_with(|| sub.id.clone());
            r.status = RentalStatus::Active;
            let mut ends = (!confirmed).then_some("month_unavailable");
            if confirmed && r.last_month <= k {
                match self.hold_month(&r, k + 1, now).await {
                    Ok(_) => {
                        r.last_month = k + 1;
                        held = Some(k + 1);
                    }
                    Err(e) if cannot_hold(&e) => {
                        tracing::warn!(rental_id = %r.id, month = k + 1, error = %e, "next month of a rental cannot be held: the rental ends");
                        ends = Some("next_month_unavailable");
                    }
                    // Transient: Stripe retries the event, which finds month k done.
                    Err(e) => return Err(e),
                }
            }
            if let Some(reason) = ends {
                r.status = RentalStatus::Ended;
                r.end_reason = Some(reason.to_string());
            }
            r.version += 1;
            r.updated_at = now;
            if !self.store.save_rental(&r).await? {
                continue;
            }
            if ends.is_some() {
                self.stop_billing(&r).await;
            }
            return Ok(Outcome::Recorded);
        }
        Err(AppError::conflict(
            "the rental kept changing; Stripe will retry",
        ))
    }

    /// Month `k` paid by `invoice`: true when it is (now) confirmed. A month that was
    /// never held, or whose time could not be taken back, is refunded in full.
    async fn confirm_month(
        &self,
        r: &Rental,
        k: u32,
        invoice: &InvoiceObject,
        event_id: &str,
        now: Timestamp,
    ) -> Result<bool, AppError> {
        let id = month_booking_id(r, k);
        let ran = run(&self.store, &self.payments, &id, now, |b, p| {
            Ok(lifecycle::rent_paid(
                b,
                p,
                invoice.payment_intent.as_deref(),
                (invoice.amount_paid, &invoice.currency),
                event_id,
                now,
            ))
        })
        .await?;
        if matches!(ran, Ran::Missing) {
            self.refund_invoice(r, invoice).await?;
            return Ok(false);
        }
        // (A hold that ran out and could not be taken back was refunded by its lifecycle.)
        let status = self
            .store
            .get_booking_with_payment(&id)
            .await?
            .map(|(b, _)| b.status_at(now));
        Ok(status == Some(BookingStatus::Confirmed))
    }

    /// Refunds an invoice in full, once whatever the path (the key is the invoice's).
    async fn refund_invoice(&self, r: &Rental, invoice: &InvoiceObject) -> Result<(), AppError> {
        let Some(intent) = invoice.payment_intent.as_deref() else {
            tracing::error!(rental_id = %r.id, invoice = %invoice.id, "rent invoice to refund without its payment: left for a person");
            return Ok(());
        };
        let key = idempotency_key("refund", &invoice.id, "invoice");
        match self
            .payments
            .refund(&RefundRequest {
                payment_intent_id: intent,
                amount: invoice.amount_paid,
                booking_id: &r.id,
                reason: "rental_month_not_given",
                idempotency_key: &key,
            })
            .await
        {
            Ok(_) => Ok(()),
            // Nothing left to refund (already refunded): done, not worth Stripe's retries.
            Err(PaymentError::Rejected(detail)) => {
                tracing::error!(rental_id = %r.id, invoice = %invoice.id, detail, "rent refund refused: left for a person");
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// An invoice of the rent paid after the rental ended. If the month it pays was
    /// confirmed with this invoice's payment (an end raced the invoice's news), the
    /// member keeps it and the invoice is recorded; if that month's own lifecycle
    /// refunded it (released before the money came), nothing more is done; otherwise the
    /// invoice is refunded. The subscription is cancelled either way.
    async fn paid_after_end(
        &self,
        mut r: Rental,
        invoice: &InvoiceObject,
        sub_id: &str,
        now: Timestamp,
    ) -> Result<Outcome, AppError> {
        self.cancel_other(&r, sub_id).await;
        let month = self
            .store
            .get_booking_with_payment(&month_booking_id(&r, r.months_paid()))
            .await?;
        let paid_here = month.as_ref().is_some_and(|(_, p)| {
            p.as_ref().is_some_and(|p| {
                p.status.was_paid()
                    && invoice.payment_intent.as_deref()
                        == Some(p.stripe_payment_intent_id.as_str())
            })
        });
        if !paid_here {
            self.refund_invoice(&r, invoice).await?;
            return Ok(Outcome::Ignored("paid after the rental ended: refunded"));
        }
        if month.is_some_and(|(b, _)| b.status_at(now) == BookingStatus::Confirmed) {
            r.paid_invoices.push(invoice.id.clone());
            r.version += 1;
            r.updated_at = now;
            if !self.store.save_rental(&r).await? {
                return Err(AppError::conflict("the rental changed; Stripe will retry"));
            }
            return Ok(Outcome::Recorded);
        }
        Ok(Outcome::Ignored("its month was refunded when released"))
    }

    /// Cancels a subscription at Stripe (logged when it cannot be).
    async fn cancel_other(&self, r: &Rental, sub_id: &str) {
        if let Err(e) = self.payments.cancel_subscription(sub_id).await {
            tracing::warn!(rental_id = %r.id, error = %e, "could not cancel a rental's subscription");
        }
    }

    /// `customer.subscription.*` for a rental's subscription: when Stripe gave up (not
    /// paid) or it was cancelled, the rental ends and its unpaid month is released.
    pub async fn rent_subscription_changed(
        &self,
        event_id: &str,
        sub: &Subscription,
        now: Timestamp,
    ) -> Result<Outcome, AppError> {
        let Some(rental_id) = sub.rental_id.as_deref() else {
            return self
                .ignore(event_id, "not a rental's subscription", now)
                .await;
        };
        if !matches!(
            sub.status.as_str(),
            "canceled" | "incomplete_expired" | "unpaid"
        ) {
            return self.ignore(event_id, "the rental goes on", now).await;
        }
        match self.store.get_rental(rental_id).await? {
            Some(r) if r.status != RentalStatus::Ended => {
                if r.stripe_subscription_id
                    .as_deref()
                    .is_some_and(|s| s != sub.id)
                {
                    return self
                        .ignore(event_id, "not the rental's subscription", now)
                        .await;
                }
                self.finish(rental_id, "not_paid", now).await?;
                Ok(Outcome::Recorded)
            }
            Some(_) => self.ignore(event_id, "rental already ended", now).await,
            None => self.ignore(event_id, "unknown rental", now).await,
        }
    }

    /// The member (or the space's operator, or an admin) ends the rental: no further
    /// invoice, the unpaid month released; the months paid stay booked. Ending twice
    /// changes nothing. Anyone else: 404.
    pub async fn end_rental(
        &self,
        caller: &Caller,
        id: &str,
        now: Timestamp,
    ) -> Result<RentalAnswer, AppError> {
        let not_found = || AppError::NotFound(format!("no rental {id}"));
        let r = self.store.get_rental(id).await?.ok_or_else(not_found)?;
        // The member, or the space's operator or an admin (a tenant who left): whoever
        // may see its first month's booking.
        let reason = if r.user_id == caller.user_id {
            "ended_by_member"
        } else {
            visible_booking(&self.store, caller, &month_booking_id(&r, 0))
                .await
                .map_err(|_| not_found())?;
            tracing::info!(rental_id = %r.id, by = %caller.user_id, "rental ended by the space's operator or an admin");
            "ended_by_operator"
        };
        let r = if r.status == RentalStatus::Ended {
            r
        } else {
            self.finish(id, reason, now).await?
        };
        self.answer(r, None).await
    }

    /// Ends the rental: the subscription is cancelled at once (months paid stay booked;
    /// Stripe refunds nothing by itself), every unpaid month is released, and the rental
    /// is recorded as ended.
    async fn finish(&self, id: &str, reason: &str, now: Timestamp) -> Result<Rental, AppError> {
        for _ in 0..4 {
            let mut r = self
                .store
                .get_rental(id)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("no rental {id}")))?;
            if r.status == RentalStatus::Ended {
                return Ok(r);
            }
            self.stop_billing(&r).await;
            for k in r.months_paid()..=r.last_month {
                self.release_month(&r, k, now).await?;
            }
            r.status = RentalStatus::Ended;
            r.end_reason = Some(reason.to_string());
            r.version += 1;
            r.updated_at = now;
            if self.store.save_rental(&r).await? {
                tracing::info!(rental_id = %r.id, reason, "rental ended");
                return Ok(r);
            }
        }
        Err(AppError::conflict("the rental kept changing; retry"))
    }

    /// No more invoices: the subscription is cancelled at once (already gone is fine).
    async fn stop_billing(&self, r: &Rental) {
        if let Some(sub) = &r.stripe_subscription_id
            && let Err(e) = self.payments.cancel_subscription(sub).await
        {
            tracing::warn!(rental_id = %r.id, error = %e, "could not cancel a rental's subscription");
        }
    }

    /// Releases month `k` if it is still an unpaid hold (nobody is told: nothing was paid).
    async fn release_month(&self, r: &Rental, k: u32, now: Timestamp) -> Result<(), AppError> {
        let id = month_booking_id(r, k);
        run(&self.store, &self.payments, &id, now, |b, p| {
            if b.status_at(now) != BookingStatus::Pending {
                return Ok(Decision::Ignore("not an unpaid month"));
            }
            let policy = b.cancellation_policy.clone().unwrap_or_default();
            Ok(lifecycle::cancel(
                b,
                p,
                Actor::Withdrawn,
                &policy,
                None,
                now,
            )?)
        })
        .await?;
        Ok(())
    }

    async fn ignore(
        &self,
        event_id: &str,
        why: &'static str,
        now: Timestamp,
    ) -> Result<Outcome, AppError> {
        Ok(if self.store.remember_stripe_event(event_id, now).await? {
            Outcome::Ignored(why)
        } else {
            Outcome::Duplicate
        })
    }

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
