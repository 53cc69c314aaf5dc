//! `POST /bookings` {bookable_item_id, start_time, end_time} with an `Idempotency-Key`.
//!
//! Double booking is impossible by construction: the booking and a claim on every slot it
//! covers are written in ONE DynamoDB transaction whose conditions accept a slot only if it
//! is free or held by an expired hold. There is no availability read before the write; a
//! taken slot makes the whole transaction fail, answered with 409 naming the taken interval.

use http::{HeaderValue, StatusCode, header::LOCATION};
use jiff::Timestamp;
use shared::adapters::dynamo::DynamoStore;
use shared::api::bookings::{BookingRequest, BookingView};
use shared::domain::booking::{Booking, BookingStatus, HOLD, SlotKind, plan_slots};
use shared::domain::events::DomainEvent;
use shared::domain::hours::time_zone;
use shared::domain::instant::whole_seconds;
use shared::domain::pricing::price;
use shared::http::{Body, Caller, HttpFunction, Request, Response, json, parse_json};
use shared::ports::bookings::{BookingStore, CreateBookingError, IdempotencyRecord, NewBooking};
use shared::ports::spaces::SpaceStore;
use shared::usecase::catalog::Catalog;
use shared::{ApiError, AppContext};

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

pub struct CreateBooking<S> {
    store: S,
    catalog: Catalog,
}

pub fn build(ctx: &AppContext) -> CreateBooking<DynamoStore> {
    CreateBooking::new(DynamoStore::from_context(ctx))
}

impl<S: SpaceStore + BookingStore> CreateBooking<S> {
    pub fn new(store: S) -> Self {
        Self {
            store,
            catalog: Catalog::new(),
        }
    }
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

impl<S: SpaceStore + BookingStore> CreateBooking<S> {
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
        let booking = self
            .store
            .get_booking(&record.booking_id)
            .await?
            .ok_or_else(|| ApiError::internal("idempotency record without its booking"))?;
        respond(&booking, now)
    }
}

fn respond(booking: &Booking, now: Timestamp) -> Result<Response<Body>, ApiError> {
    let mut res = json(StatusCode::CREATED, &BookingView::new(booking, now))?;
    let location =
        HeaderValue::try_from(format!("/bookings/{}", booking.id)).map_err(ApiError::internal)?;
    res.headers_mut().insert(LOCATION, location);
    Ok(res)
}

impl<S: SpaceStore + BookingStore> HttpFunction for CreateBooking<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let caller = Caller::from_request(&req)?;
        let key = idempotency_key(&req)?;
        let input: BookingRequest = parse_json(&req)?;
        let now = Timestamp::now();
        let booking_id = uuid::Uuid::new_v4().to_string();
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
            let breakdown = price(
                item.price_per_hour.amount,
                &item.price_per_hour.currency,
                item.slot_minutes,
                &booked,
                &tz,
                &space.pricing_rules,
                None,
            );
            let booking = Booking {
                id: booking_id.clone(),
                user_id: caller.user_id.clone(),
                space_id: space.id.clone(),
                bookable_item_id: item.id.clone(),
                item_identifier: item.identifier.clone(),
                item_kind: item.kind,
                start_time: input.start_time,
                end_time: input.end_time,
                time_zone: space.time_zone.clone(),
                status: BookingStatus::Pending,
                hold_expires_at: Some(whole_seconds(now + HOLD)),
                price: breakdown,
                slots,
                slot_minutes: item.slot_minutes,
                payment_transaction_id: None,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            let event = DomainEvent::booking("BookingCreated", &booking, now);
            let result = self
                .store
                .create_booking(&NewBooking {
                    booking: &booking,
                    space_version: space.version,
                    item_version: item.version,
                    event: &event,
                    idempotency: Some(&idempotency),
                    now,
                })
                .await;
            match result {
                Ok(()) => {
                    tracing::info!(booking_id = %booking.id, item_id = %item.id, slots = booking.slots.len(), "booking created");
                    return respond(&booking, now);
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
                Err(CreateBookingError::Store(e)) => return Err(e.into()),
            }
        }
        unreachable!("the loop returns on its second attempt")
    }
}
