//! Ending a rental: no further invoice, the unpaid month released, paid months kept.

use super::*;

impl<S, P> BookingDesk<S, P>
where
    S: SpaceStore + BookingStore + MembershipStore + RentalStore,
    P: Payments,
{
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
    pub(super) async fn finish(
        &self,
        id: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<Rental, AppError> {
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
            let event = self.ended_event(&r, now).await?;
            if self.store.save_rental(&r, Some(&event)).await? {
                tracing::info!(rental_id = %r.id, reason, "rental ended");
                return Ok(r);
            }
        }
        Err(AppError::conflict("the rental kept changing; retry"))
    }

    /// `RentalEnded` for the rental as it is about to be saved, naming its office.
    pub(super) async fn ended_event(
        &self,
        r: &Rental,
        now: Timestamp,
    ) -> Result<domain::events::DomainEvent, AppError> {
        let month = self.store.get_booking(&month_booking_id(r, 0)).await?;
        Ok(r.ended_event(month.as_ref().map(|b| b.item_identifier.as_str()), now))
    }

    /// No more invoices: the subscription is cancelled at once (already gone is fine).
    pub(super) async fn stop_billing(&self, r: &Rental) {
        if let Some(sub) = &r.stripe_subscription_id
            && let Err(e) = self.payments.cancel_subscription(sub).await
        {
            tracing::warn!(rental_id = %r.id, error = %e, "could not cancel a rental's subscription");
        }
    }

    /// Releases month `k` if it is still an unpaid hold (nobody is told: nothing was paid).
    pub(super) async fn release_month(
        &self,
        r: &Rental,
        k: u32,
        now: Timestamp,
    ) -> Result<(), AppError> {
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
}
