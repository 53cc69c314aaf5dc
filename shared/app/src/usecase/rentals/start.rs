//! Starting a rental: month 0 held, the rental stored, then Stripe's subscription.

use super::*;

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
    pub(super) async fn hold_month(
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
            promo_code: None,
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
            if self.store.save_rental(&r, None).await? {
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
}
