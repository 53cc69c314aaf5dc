//! Stripe's news about a rental's subscription: paid invoices confirm months and hold
//! the next; Stripe giving up ends it.

use super::*;

impl<S, P> BookingDesk<S, P>
where
    S: SpaceStore + BookingStore + MembershipStore + RentalStore,
    P: Payments,
{
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
            let event = match ends {
                Some(_) => Some(self.ended_event(&r, now).await?),
                None => None,
            };
            if !self.store.save_rental(&r, event.as_ref()).await? {
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
            if !self.store.save_rental(&r, None).await? {
                return Err(AppError::conflict("the rental changed; Stripe will retry"));
            }
            return Ok(Outcome::Recorded);
        }
        Ok(Outcome::Ignored("its month was refunded when released"))
    }

    /// Cancels a subscription at Stripe (logged when it cannot be).
    pub(super) async fn cancel_other(&self, r: &Rental, sub_id: &str) {
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
}
