//! `POST /bookings` {bookable_item_id, start_time, end_time} with an `Idempotency-Key`.
//!
//! Double booking is impossible by construction: the booking and a claim on every slot it
//! covers are written in ONE DynamoDB transaction whose conditions accept a slot only if it
//! is free or held by an expired hold. There is no availability read before the write; a
//! taken slot makes the whole transaction fail, answered with 409 naming the taken interval.
//!
//! Payment: a Stripe PaymentIntent for the price is created first (Stripe call, not a
//! table read), and its record is written in that same transaction; the answer carries
//! the client secret for Stripe.js / the mobile SDKs. The booking id is derived from the
//! caller and the Idempotency-Key, so a retried request reaches the same PaymentIntent
//! (Stripe idempotency) and the same booking. A free booking is confirmed at once.

use http::{HeaderValue, StatusCode, header::LOCATION};
use jiff::Timestamp;
use shared::adapters::dynamo::DynamoStore;
use shared::adapters::stripe::StripePayments;
use shared::api::bookings::{BookingRequest, BookingView};
use shared::domain::booking::{Booking, BookingStatus, HOLD, SlotKind, plan_slots};
use shared::domain::events::DomainEvent;
use shared::domain::hours::time_zone;
use shared::domain::instant::whole_seconds;
use shared::domain::membership::usage_month;
use shared::domain::payment::{PaymentStatus, PaymentTransaction};
use shared::domain::pricing::price;
use shared::http::{Body, Caller, HttpFunction, Request, Response, json, parse_json};
use shared::ports::bookings::{
    BookingStore, CreateBookingError, IdempotencyRecord, IncludedMinutes, MembershipGuard,
    NewBooking,
};
use shared::ports::memberships::MembershipStore;
use shared::ports::payments::{Intent, IntentRequest, Payments};
use shared::ports::spaces::SpaceStore;
use shared::usecase::catalog::Catalog;
use shared::usecase::memberships::MemberCache;
use shared::{ApiError, AppContext};

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

pub struct CreateBooking<S, P> {
    store: S,
    payments: P,
    catalog: Catalog,
    members: MemberCache,
    hold_limit: u32,
}

pub fn build(ctx: &AppContext) -> CreateBooking<DynamoStore, StripePayments> {
    CreateBooking::new(
        DynamoStore::from_context(ctx),
        StripePayments::from_context(ctx),
    )
    .with_hold_limit(ctx.config().max_active_holds)
}

impl<S: SpaceStore + BookingStore + MembershipStore, P: Payments> CreateBooking<S, P> {
    pub fn new(store: S, payments: P) -> Self {
        Self {
            store,
            payments,
            catalog: Catalog::new(),
            members: MemberCache::default(),
            hold_limit: shared::config::DEFAULT_MAX_ACTIVE_HOLDS,
        }
    }

    pub fn with_hold_limit(mut self, limit: u32) -> Self {
        self.hold_limit = limit;
        self
    }
}

/// The same caller with the same key always means the same booking.
fn booking_id_for(user_id: &str, key: &str) -> String {
    const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6c0b_7a2e_41d3_4f5e_9a61_0c2b_5e8d_1f37);
    uuid::Uuid::new_v5(&NAMESPACE, format!("{user_id}\n{key}").as_bytes()).to_string()
}

fn idempotency_key(req: &Request) -> Result<String, ApiError> {
    let key = req
        .headers()
        .get(IDEMPOTENCY_HEADER)
        .ok_or_else(|| {
            ApiError::field(
                "Idempotency-Key",
                "required",
                "send a unique key per booking attempt (e.g. a UUID)",
            )
        })?
        .to_str()
        .unwrap_or_default()
        .trim()
        .to_string();
    let ok = (8..=64).contains(&key.len())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
    if !ok {
        return Err(ApiError::field(
            "Idempotency-Key",
            "format",
            "8 to 64 characters of letters, digits, '-', '_', '.', ':'",
        ));
    }
    Ok(key)
}

fn conflict(
    item_id: &str,
    slot_start: Timestamp,
    kind: Option<SlotKind>,
    taken: Option<(Timestamp, Timestamp)>,
) -> ApiError {
    let detail = match (kind, taken) {
        (Some(SlotKind::Buffer), Some((a, b))) => {
            format!("the item is kept free after a booking from {a} to {b} (changeover buffer)")
        }
        (_, Some((a, b))) => format!("the item is already booked from {a} to {b}"),
        _ => format!("the slot starting at {slot_start} is already taken"),
    };
    ApiError::Conflict {
        detail,
        conflict: Some(serde_json::json!({
            "bookable_item_id": item_id,
            "slot_start": slot_start,
            "taken": taken.map(|(a, b)| serde_json::json!({"start_time": a, "end_time": b})),
            "kind": kind,
        })),
    }
}

impl<S: SpaceStore + BookingStore + MembershipStore, P: Payments> CreateBooking<S, P> {
    /// An intent that no stored booking will ever point to must not stay payable.
    async fn abandon(&self, intent: Option<&Intent>, keep: Option<&str>) {
        if let Some(intent) = intent
            && Some(intent.id.as_str()) != keep
            && let Err(e) = self.payments.cancel_intent(&intent.id).await
        {
            tracing::warn!(error = %e, "could not cancel an unused payment intent");
        }
    }

    async fn replay(
        &self,
        user_id: &str,
        key: &str,
        request: &str,
        now: Timestamp,
    ) -> Result<Response<Body>, ApiError> {
        let record = self
            .store
            .get_idempotency(user_id, key)
            .await?
            .ok_or_else(|| {
                ApiError::conflict("this Idempotency-Key is being used by a request in progress")
            })?;
        if record.request != request {
            return Err(ApiError::Unprocessable(
                "this Idempotency-Key was used for a different booking request".into(),
            ));
        }
        let (booking, payment) = self
            .store
            .get_booking_with_payment(&record.booking_id)
            .await?
            .ok_or_else(|| ApiError::internal("idempotency record without its booking"))?;
        respond(&booking, payment.as_ref(), now)
    }
}

fn respond(
    booking: &Booking,
    payment: Option<&PaymentTransaction>,
    now: Timestamp,
) -> Result<Response<Body>, ApiError> {
    let view = BookingView::new(booking, now).with_payment(payment, &booking.user_id);
    let mut res = json(StatusCode::CREATED, &view)?;
    let location =
        HeaderValue::try_from(format!("/bookings/{}", booking.id)).map_err(ApiError::internal)?;
    res.headers_mut().insert(LOCATION, location);
    Ok(res)
}

impl<S: SpaceStore + BookingStore + MembershipStore, P: Payments> HttpFunction
    for CreateBooking<S, P>
{
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let caller = Caller::from_request(&req)?;
        let key = idempotency_key(&req)?;
        let input: BookingRequest = parse_json(&req)?;
        let now = Timestamp::now();
        let booking_id = booking_id_for(&caller.user_id, &key);
        let idempotency = IdempotencyRecord {
            key: key.clone(),
            request: input.canonical(),
            booking_id: booking_id.clone(),
        };
        // At most two attempts: the second only after the cached space or item was stale.
        for fresh in [false, true] {
            let entry = self
                .catalog
                .for_item(&self.store, &input.bookable_item_id, fresh)
                .await?
                .ok_or_else(|| {
                    ApiError::NotFound(format!("no bookable item {}", input.bookable_item_id))
                })?;
            let item = entry
                .item(&input.bookable_item_id)
                .expect("entry holds the item");
            let space = &entry.space;
            let slots = plan_slots(space, item, input.start_time, input.end_time, now)?;
            let tz = time_zone(&space.time_zone)
                .ok_or_else(|| ApiError::internal("invalid stored time zone"))?;
            let booked: Vec<Timestamp> = slots
                .iter()
                .filter(|s| s.kind == SlotKind::Booking)
                .map(|s| s.start)
                .collect();
            // The member's plan: included hours of the booking's (local) month, discount.
            let member = self
                .members
                .get(&self.store, &caller.user_id, fresh)
                .await?;
            let month = usage_month(input.start_time, &tz);
            let used = member.usage.get(&month).copied().unwrap_or(0);
            let benefit = member
                .membership
                .as_ref()
                .and_then(|m| m.benefit_for(&space.id, now, used));
            let breakdown = price(
                item.price_per_hour.amount,
                &item.price_per_hour.currency,
                item.slot_minutes,
                &booked,
                &tz,
                &space.pricing_rules,
                benefit.as_ref(),
            );
            let guard = MembershipGuard {
                user_id: &caller.user_id,
                version: member.membership.as_ref().map(|m| m.version),
                included: member
                    .membership
                    .as_ref()
                    .filter(|_| breakdown.included_minutes_applied > 0)
                    .map(|m| IncludedMinutes {
                        month: &month,
                        minutes: breakdown.included_minutes_applied,
                        allowance: m.benefits.included_hours_per_month * 60,
                    }),
            };
            let free = breakdown.total == 0;
            let mut booking = Booking {
                id: booking_id.clone(),
                user_id: caller.user_id.clone(),
                space_id: space.id.clone(),
                bookable_item_id: item.id.clone(),
                item_identifier: item.identifier.clone(),
                item_kind: item.kind,
                start_time: input.start_time,
                end_time: input.end_time,
                time_zone: space.time_zone.clone(),
                status: if free {
                    BookingStatus::Confirmed
                } else {
                    BookingStatus::Pending
                },
                hold_expires_at: (!free).then(|| whole_seconds(now + HOLD)),
                price: breakdown,
                slots,
                slot_minutes: item.slot_minutes,
                payment_transaction_id: None,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            let (intent, payment) = if free {
                (None, None)
            } else {
                // Bound to this exact request and price: a changed price is a new intent.
                let key = shared::ports::payments::idempotency_key(
                    "booking",
                    &booking.id,
                    &format!("{}|{}", idempotency.request, booking.price.total),
                );
                let intent = self
                    .payments
                    .create_intent(&IntentRequest {
                        amount: booking.price.total,
                        currency: &booking.price.currency,
                        booking_id: &booking.id,
                        user_id: &booking.user_id,
                        idempotency_key: &key,
                    })
                    .await?;
                let payment = PaymentTransaction {
                    id: format!("pay_{}", booking.id),
                    booking_id: booking.id.clone(),
                    user_id: booking.user_id.clone(),
                    amount: booking.price.total,
                    currency: booking.price.currency.clone(),
                    status: PaymentStatus::RequiresPayment,
                    stripe_payment_intent_id: intent.id.clone(),
                    client_secret: intent.client_secret.clone(),
                    refunded_amount: 0,
                    refunds: Vec::new(),
                    created_at: now,
                    updated_at: now,
                };
                booking.payment_transaction_id = Some(payment.id.clone());
                (Some(intent), Some(payment))
            };
            let event = DomainEvent::booking(
                if free {
                    "BookingConfirmed"
                } else {
                    "BookingCreated"
                },
                &booking,
                now,
            );
            let result = self
                .store
                .create_booking(&NewBooking {
                    booking: &booking,
                    space_version: space.version,
                    item_version: item.version,
                    event: &event,
                    idempotency: Some(&idempotency),
                    payment: payment.as_ref(),
                    membership: Some(guard),
                    hold_limit: self.hold_limit,
                    now,
                })
                .await;
            if let Err(e) = &result {
                // Keep the intent only if it is the one an earlier attempt stored.
                let stored = match e {
                    CreateBookingError::KeyUsed => self
                        .store
                        .get_booking_with_payment(&booking.id)
                        .await
                        .ok()
                        .flatten()
                        .and_then(|(_, p)| p)
                        .map(|p| p.stripe_payment_intent_id),
                    _ => None,
                };
                self.abandon(intent.as_ref(), stored.as_deref()).await;
            }
            match result {
                Ok(()) => {
                    if let Some(inc) = guard.included {
                        self.members.used(&caller.user_id, inc.month, inc.minutes);
                    }
                    tracing::info!(booking_id = %booking.id, item_id = %item.id, slots = booking.slots.len(), free, "booking created");
                    return respond(&booking, payment.as_ref(), now);
                }
                Err(CreateBookingError::Stale) if !fresh => continue,
                Err(CreateBookingError::Stale) => {
                    return Err(ApiError::conflict(
                        "the space or item changed while booking; retry",
                    ));
                }
                Err(CreateBookingError::KeyUsed) => {
                    return self
                        .replay(&caller.user_id, &key, &idempotency.request, now)
                        .await;
                }
                Err(CreateBookingError::SlotTaken {
                    slot_start,
                    kind,
                    taken,
                }) => {
                    return Err(conflict(&item.id, slot_start, kind, taken));
                }
                Err(CreateBookingError::TooManyHolds { limit }) => {
                    return Err(ApiError::Conflict {
                        detail: format!(
                            "you already hold {limit} unpaid bookings: pay for or cancel one first"
                        ),
                        conflict: Some(serde_json::json!({"active_holds_limit": limit})),
                    });
                }
                Err(CreateBookingError::Store(e)) => return Err(e.into()),
            }
        }
        unreachable!("the loop returns on its second attempt")
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/bookings",
    tag = "bookings",
    request_body(content = shared::api::bookings::BookingRequest, content_type = "application/json"),
    params(
        ("Idempotency-Key" = String, Header, description = "unique per booking attempt"),
    ),
    responses(
        (status = 201, description = "held (pay with payment.client_secret) or confirmed", body = shared::api::bookings::BookingView<'static>),
        shared::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
