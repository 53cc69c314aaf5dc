//! Making a booking: plan it (`domain::lifecycle::create`), get the PaymentIntent for
//! what is left to pay, and write it all in ONE transaction with no read before it.
//!
//! Definitions (space, item, membership) come from per-container caches; the
//! transaction checks their versions, so a stale cache fails safe: the booking is planned
//! again once from fresh reads. The same caller with the same Idempotency-Key always
//! means the same booking id, and a retry of a committed request answers what was stored.
//!
//! Intents: the one the stored booking points to stays; every other intent this request
//! created is cancelled before answering, so nothing payable is left without a booking.
//! Each request asks Stripe with its own key, so an intent cancelled by an earlier
//! attempt (a 409, a crash) can never be handed out again.

use jiff::{SignedDuration, Timestamp};

use crate::error::AppError;
use crate::ports::bookings::{BookingStore, CreateBookingError, IdempotencyRecord};
use crate::ports::memberships::MembershipStore;
use crate::ports::payments::{Intent, IntentRequest, Payments, idempotency_key};
use crate::ports::spaces::SpaceStore;
use crate::usecase::catalog::Catalog;
use crate::usecase::memberships::MemberCache;
use domain::booking::Booking;
use domain::lifecycle::{self, NewBooking, Period};
use domain::payment::PaymentTransaction;

/// What a member asks for.
pub struct CreateBookingCommand<'a> {
    pub user_id: &'a str,
    pub idempotency_key: &'a str,
    pub item_id: &'a str,
    pub period: Period,
    /// A promo code the member typed (a single booking's; not a series' or a rental's).
    pub promo_code: Option<&'a str>,
}

impl CreateBookingCommand<'_> {
    /// What its Idempotency-Key is bound to: the same key with another request is 422.
    pub fn canonical(&self) -> String {
        let request = match self.period {
            Period::Hours { start, end } => format!("{}|{start}|{end}", self.item_id),
            Period::Stay(s) => format!(
                "{}|{}|{}|{}",
                self.item_id,
                s.unit.as_str(),
                s.start_date,
                s.quantity
            ),
        };
        match self.promo_code {
            Some(code) => format!("{request}|{}", domain::promo::normalize_code(code)),
            None => request,
        }
    }
}

/// How a booking is paid: by its own PaymentIntent (a single booking: this request's
/// intents, by amount), or by its series' one intent (made by the first occurrence that
/// needs it, for the series' provisional total; `domain::series`).
pub(crate) enum Paying<'a> {
    Own {
        nonce: &'a str,
        intents: &'a mut Vec<(i64, String, Intent)>,
    },
    Series {
        link: domain::series::SeriesLink,
        intent: &'a mut Option<Intent>,
        make: &'a SeriesIntent,
    },
    /// A month of an open-ended rental, paid by its subscription's invoice
    /// (`domain::rental`): no intent of ours.
    Rent {
        link: domain::rental::RentalLink,
        rent: &'a domain::money::Money,
    },
}

/// What a series' intent is made with.
pub(crate) struct SeriesIntent {
    pub series_id: String,
    pub user_id: String,
    pub currency: String,
    /// The sum of the occurrences' planned prices (set to what was booked before answering).
    pub provisional: i64,
    /// What the intent was made for (the provisional total, or more for an occurrence
    /// that costs more than all were planned to).
    pub asked: std::sync::atomic::AtomicI64,
    pub key: String,
}

impl SeriesIntent {
    /// The intent for the first occurrence that needs one, in its price's currency.
    fn request<'a>(&'a self, price: &'a domain::pricing::PriceBreakdown) -> IntentRequest<'a> {
        let amount = self.provisional.max(price.total);
        self.asked
            .store(amount, std::sync::atomic::Ordering::SeqCst);
        IntentRequest {
            amount,
            currency: &price.currency,
            booking_id: &self.series_id,
            for_series: true,
            user_id: &self.user_id,
            idempotency_key: &self.key,
        }
    }
}

/// The booking service of one container: its caches and settings.
pub struct BookingDesk<S, P> {
    pub store: S,
    pub payments: P,
    pub catalog: Catalog,
    pub members: MemberCache,
    pub hold: SignedDuration,
    pub hold_limit: u32,
}

/// The same caller with the same key always means the same booking.
pub fn booking_id_for(user_id: &str, key: &str) -> String {
    const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6c0b_7a2e_41d3_4f5e_9a61_0c2b_5e8d_1f37);
    uuid::Uuid::new_v5(&NAMESPACE, format!("{user_id}\n{key}").as_bytes()).to_string()
}

impl<S: SpaceStore + BookingStore + MembershipStore, P: Payments> BookingDesk<S, P> {
    pub fn new(store: S, payments: P) -> Self {
        Self {
            store,
            payments,
            catalog: Catalog::new(),
            members: MemberCache::default(),
            hold: domain::booking::HOLD,
            hold_limit: domain::booking::DEFAULT_MAX_ACTIVE_HOLDS,
        }
    }

    /// Creates the booking (or answers the one this key already made).
    pub async fn create(
        &self,
        cmd: &CreateBookingCommand<'_>,
        now: Timestamp,
    ) -> Result<(Booking, Option<PaymentTransaction>), AppError> {
        let booking_id = booking_id_for(cmd.user_id, cmd.idempotency_key);
        let idempotency = IdempotencyRecord {
            key: cmd.idempotency_key.to_string(),
            request: cmd.canonical(),
            booking_id: booking_id.clone(),
        };
        // A retry of a request that typed a promo code answers what it made: checking the
        // code again would count this very booking against the member's limit.
        if cmd.promo_code.is_some()
            && self
                .store
                .get_idempotency(cmd.user_id, cmd.idempotency_key)
                .await?
                .is_some()
        {
            return self.replay(cmd.user_id, &idempotency).await;
        }
        // Distinguishes this request's intents from any earlier request's at Stripe.
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let mut intents: Vec<(i64, String, Intent)> = Vec::new();
        let result = self
            .attempts(
                cmd,
                &booking_id,
                &idempotency,
                &mut Paying::Own {
                    nonce: &nonce,
                    intents: &mut intents,
                },
                now,
            )
            .await;
        let keep = match &result {
            Ok((_, payment)) => payment.as_ref().map(|p| p.stripe_payment_intent_id.clone()),
            // The transaction may have committed before its answer was lost: the booking
            // id is this request's, so a stored booking means its intent must stay.
            Err(AppError::Unavailable(_) | AppError::Internal(_)) => self
                .store
                .get_booking_with_payment(&booking_id)
                .await
                .ok()
                .flatten()
                .and_then(|(_, p)| p)
                .map(|p| p.stripe_payment_intent_id),
            Err(_) => None,
        };
        for (_, _, intent) in &intents {
            if Some(&intent.id) != keep.as_ref()
                && let Err(e) = self.payments.cancel_intent(&intent.id).await
            {
                tracing::warn!(error = %e, "could not cancel an unused payment intent");
            }
        }
        result
    }

    /// Plans and writes one booking (retrying on fresh reads when a cached definition was
    /// stale), paid as `pay` says.
    pub(crate) async fn attempts(
        &self,
        cmd: &CreateBookingCommand<'_>,
        booking_id: &str,
        idempotency: &IdempotencyRecord,
        pay: &mut Paying<'_>,
        now: Timestamp,
    ) -> Result<(Booking, Option<PaymentTransaction>), AppError> {
        let item_id = cmd.item_id;
        // Another attempt only after a cached definition was stale (then on fresh reads),
        // or once after expiring holds that ran out but still marked the time.
        let (mut fresh, mut expired_in_the_way) = (false, false);
        loop {
            let entry = self
                .catalog
                .for_item(&self.store, item_id, fresh)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("no bookable item {item_id}")))?;
            let item = entry
                .item(item_id)
                .ok_or_else(|| AppError::NotFound(format!("no bookable item {item_id}")))?;
            // A rental's month is priced at the rent, without the member's plan (its
            // discount is for bookings; a free month would confirm unpaid).
            let member = match pay {
                Paying::Rent { .. } => Default::default(),
                _ => self.members.get(&self.store, cmd.user_id, fresh).await?,
            };
            // The one read a promo code adds (only when one was typed): its terms and the
            // member's count; the transaction counts the redemption on condition that the
            // code is still as read.
            let promo = match cmd.promo_code {
                Some(typed) => Some(Box::pin(self.promo(typed, cmd.user_id)).await?),
                None => None,
            };
            let planned = lifecycle::create(&NewBooking {
                id: booking_id,
                user_id: cmd.user_id,
                space: &entry.space,
                item,
                period: cmd.period,
                member: &member,
                hold: self.hold,
                hold_limit: self.hold_limit,
                promo: promo.as_ref().map(|(code, used)| (code, *used)),
                now,
            });
            let mut creation = match planned {
                Ok(c) => c,
                // The rules may have changed since they were cached: a refusal is only
                // answered on fresh reads.
                Err(_) if !fresh => {
                    fresh = true;
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            if let Paying::Series { link, .. } = pay {
                creation.in_series(link.clone());
            }
            if let Paying::Rent { link, rent } = pay {
                creation.in_rental(link.clone(), rent, now);
            }
            if creation.needs_payment() {
                let intent = match pay {
                    Paying::Own { nonce, intents } => Some(
                        self.intent_for(&creation.booking, idempotency, nonce, intents)
                            .await?,
                    ),
                    Paying::Series { intent, make, .. } => Some(match intent {
                        Some(i) => i.clone(),
                        None => {
                            let made = self
                                .payments
                                .create_intent(&make.request(&creation.booking.price))
                                .await?;
                            **intent = Some(made.clone());
                            made
                        }
                    }),
                    // Its invoice pays it (`in_rental` recorded what is due).
                    Paying::Rent { .. } => None,
                };
                if let Some(intent) = intent {
                    creation.attach_intent(&intent.id, &intent.client_secret, now);
                }
            }
            match self
                .store
                .create_booking(&creation, Some(idempotency))
                .await
            {
                Ok(()) => {
                    if let Some(u) = &creation.usage {
                        self.members.used(cmd.user_id, &u.month, u.minutes as u32);
                    }
                    let b = &creation.booking;
                    tracing::info!(booking_id = %b.id, item_id = %b.bookable_item_id, claims = b.slots.len(), status = b.status.as_str(), "booking created");
                    return Ok((creation.booking, creation.payment));
                }
                Err(CreateBookingError::Stale) if !fresh => {
                    fresh = true;
                    continue;
                }
                Err(CreateBookingError::Stale) => {
                    return Err(AppError::conflict(
                        "the space, item or your membership changed while booking; retry",
                    ));
                }
                Err(CreateBookingError::KeyUsed) => {
                    return self.replay(cmd.user_id, idempotency).await;
                }
                Err(CreateBookingError::SlotTaken { marked_by, .. })
                    if !expired_in_the_way
                        && self.expire_run_out_holds(&marked_by, now).await? > 0 =>
                {
                    expired_in_the_way = true;
                    continue;
                }
                Err(CreateBookingError::SlotTaken {
                    slot_start,
                    kind,
                    taken,
                    ..
                }) => return Err(lifecycle::slot_taken(item_id, slot_start, kind, taken).into()),
                Err(CreateBookingError::TooManyHolds { limit, new_account }) => {
                    let detail = if new_account {
                        format!(
                            "a new account may hold {limit} unpaid booking(s) at once during its first day: pay for or cancel it first"
                        )
                    } else {
                        format!(
                            "you already hold {limit} unpaid bookings: pay for or cancel one first"
                        )
                    };
                    return Err(AppError::Conflict {
                        detail,
                        conflict: Some(serde_json::json!({
                            "active_holds_limit": limit,
                            "new_account": new_account,
                        })),
                    });
                }
                Err(CreateBookingError::PromoUsedUp { member }) => {
                    let code = creation.promo.as_ref().map(|p| p.code.as_str());
                    return Err(domain::promo::used_up(code.unwrap_or_default(), member).into());
                }
                Err(CreateBookingError::QuotaReached { index }) => {
                    let reached = creation.booking.quotas.get(index).ok_or_else(|| {
                        AppError::internal("the store named a quota the booking does not take")
                    })?;
                    return Err(domain::quota::quota_reached(reached).into());
                }
                Err(CreateBookingError::Store(e)) => return Err(e.into()),
            }
        }
    }

    /// A typed promo code as stored, with the member's count of it; a 400 naming
    /// `promo_code` when there is no such code.
    async fn promo(
        &self,
        typed: &str,
        user_id: &str,
    ) -> Result<(domain::promo::PromoCode, u32), AppError> {
        let unknown = || {
            AppError::from(domain::error::DomainError::from(
                domain::promo::PromoRefusal::Unknown,
            ))
        };
        let code = domain::promo::parse_code(typed).ok_or_else(unknown)?;
        self.store
            .promo_for(&code, user_id)
            .await?
            .ok_or_else(unknown)
    }

    /// Why a planned booking's time is taken (the 409 a single booking would get), read
    /// from the live whole claims in its way; None while it is free. A read, for answers
    /// that must not write (a refused series, joining a waitlist): the booking's own
    /// transaction stays the guarantee.
    pub(crate) async fn taken(
        &self,
        b: &Booking,
        now: Timestamp,
    ) -> Result<Option<AppError>, AppError> {
        let from = b
            .slots
            .iter()
            .map(|s| s.start)
            .min()
            .unwrap_or(b.start_time);
        let to = b
            .slots
            .iter()
            .map(|s| s.block().end())
            .max()
            .unwrap_or(b.end_time);
        let claims = self.store.slot_claims(&b.space_id, from, to).await?;
        let hit = claims.into_iter().find(|c| {
            c.item_id == b.bookable_item_id
                && c.booking_id != b.id
                && c.active_at(now)
                && c.start < to
                && from < c.end
        });
        Ok(hit.map(|c| lifecycle::slot_taken(&c.item_id, c.start, Some(c.kind), c.booking).into()))
    }

    /// Expires the bookings among `ids` whose hold ran out (what the scheduler would do
    /// within its period): their marks go, so the time they no longer hold can be taken
    /// now. Expiry is a condition, never a wait. Returns how many were expired.
    async fn expire_run_out_holds(
        &self,
        ids: &[String],
        now: Timestamp,
    ) -> Result<usize, AppError> {
        let mut expired = 0;
        for id in ids {
            let ran =
                crate::usecase::lifecycle::run(&self.store, &self.payments, id, now, |b, p| {
                    Ok(lifecycle::expire(b, p, now))
                })
                .await?;
            expired += usize::from(matches!(ran, crate::usecase::lifecycle::Ran::Applied(..)));
        }
        Ok(expired)
    }

    /// An intent for the booking's price: the one this request already has for that exact
    /// amount and currency, or a new one.
    async fn intent_for(
        &self,
        b: &Booking,
        idempotency: &IdempotencyRecord,
        nonce: &str,
        intents: &mut Vec<(i64, String, Intent)>,
    ) -> Result<Intent, AppError> {
        let (amount, currency) = (b.price.total, b.price.currency.clone());
        if let Some((_, _, intent)) = intents
            .iter()
            .find(|(a, c, _)| *a == amount && *c == currency)
        {
            return Ok(intent.clone());
        }
        let key = idempotency_key(
            "booking",
            &b.id,
            &format!("{}|{amount}|{currency}|{nonce}", idempotency.request),
        );
        let intent = self
            .payments
            .create_intent(&IntentRequest {
                amount,
                currency: &currency,
                booking_id: &b.id,
                for_series: false,
                user_id: &b.user_id,
                idempotency_key: &key,
            })
            .await?;
        intents.push((amount, currency, intent.clone()));
        Ok(intent)
    }

    /// The answer a request with this key got (or 409 while it is still in progress).
    async fn replay(
        &self,
        user_id: &str,
        idempotency: &IdempotencyRecord,
    ) -> Result<(Booking, Option<PaymentTransaction>), AppError> {
        let record = self
            .store
            .get_idempotency(user_id, &idempotency.key)
            .await?
            .ok_or_else(|| {
                AppError::conflict("this Idempotency-Key is being used by a request in progress")
            })?;
        if record.request != idempotency.request {
            return Err(AppError::Unprocessable(
                "this Idempotency-Key was used for a different booking request".into(),
            ));
        }
        self.store
            .get_booking_with_payment(&record.booking_id)
            .await?
            .ok_or_else(|| AppError::internal("idempotency record without its booking"))
    }
}
