//! `GET /spaces/{spaceId}/availability?from&to[&type][&item]`: per item, the free
//! intervals inside opening hours, minus bookings, unexpired holds and buffers. Expired
//! holds are free at once. One query for the space (cached briefly) plus one per week of
//! slot claims: a week costs at most three queries.

use app::AppError;
use app::ports::bookings::BookingStore;
use app::ports::spaces::SpaceStore;
use app::usecase::catalog::Catalog;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::availability::free_intervals;
use domain::hours::time_zone;
use domain::money::Money;
use domain::space::{ItemKind, MAX_HORIZON_DAYS, StayRates};
use edge::http::params::{path_param, query};
use edge::http::{Body, HttpFunction, Request, Response, json};
use http::StatusCode;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

pub const MAX_RANGE_DAYS: i64 = 31;

pub struct GetAvailability<S> {
    store: S,
    catalog: Catalog,
}

pub fn build(ctx: &AppContext) -> GetAvailability<DynamoStore> {
    GetAvailability {
        store: DynamoStore::from_context(ctx),
        catalog: Catalog::new(),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct FreeInterval {
    #[schema(value_type = String, format = DateTime)]
    start_time: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    end_time: Timestamp,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ItemAvailability<'a> {
    item_id: &'a str,
    identifier: &'a str,
    kind: ItemKind,
    capacity: u32,
    price_per_hour: &'a Money,
    slot_minutes: u32,
    min_booking_minutes: u32,
    max_booking_minutes: u32,
    /// Whether it can be booked by the hour (else only by whole days).
    hourly: bool,
    /// Day, week and month rates where it is also sold by whole local days.
    stay_rates: &'a StayRates,
    free: Vec<FreeInterval>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Availability<'a> {
    space_id: &'a str,
    time_zone: &'a str,
    #[schema(value_type = String, format = DateTime)]
    from: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    to: Timestamp,
    items: Vec<ItemAvailability<'a>>,
}

/// The query string this route reads (and documents).
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AvailabilityQuery {
    /// Start of the window (UTC instant).
    #[param(required = true, value_type = String, format = DateTime)]
    from: Option<String>,
    /// End of the window (UTC instant, excluded).
    #[param(required = true, value_type = String, format = DateTime)]
    to: Option<String>,
    /// Only items of this kind: desk, room or office.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    kind: Option<String>,
    /// Only this item.
    item: Option<String>,
}

fn instant(raw: Option<&str>, name: &str) -> Result<Timestamp, AppError> {
    let raw =
        raw.ok_or_else(|| AppError::field(name, "required", "an RFC 3339 instant is required"))?;
    raw.parse().map_err(|_| {
        AppError::field(
            name,
            "format",
            "must be an RFC 3339 instant such as 2026-11-25T09:00:00Z",
        )
    })
}

impl<S: SpaceStore + BookingStore> HttpFunction for GetAvailability<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let space_id = path_param(&req, "spaceId")?;
        let q: AvailabilityQuery = query(&req)?;
        let (from, to) = (
            instant(q.from.as_deref(), "from")?,
            instant(q.to.as_deref(), "to")?,
        );
        if to <= from {
            return Err(AppError::field("to", "order", "must be after from"));
        }
        // Far from the ends of the calendar, where local-date arithmetic has room.
        let now = Timestamp::now();
        let earliest: Timestamp = "2000-01-01T00:00:00Z".parse().expect("a valid instant");
        if from < earliest {
            return Err(AppError::field(
                "from",
                "range",
                "must not be before 2000-01-01",
            ));
        }
        let latest = now + SignedDuration::from_hours(24 * (MAX_HORIZON_DAYS as i64 + 366));
        if to > latest {
            return Err(AppError::field(
                "to",
                "range",
                "must be within the booking horizon of any space (about three years ahead)",
            ));
        }
        if to - from > SignedDuration::from_hours(24 * MAX_RANGE_DAYS) {
            return Err(AppError::field(
                "to",
                "max_range",
                format!("the range may span at most {MAX_RANGE_DAYS} days"),
            ));
        }
        let kind = match q.kind.as_deref() {
            None => None,
            Some("desk") => Some(ItemKind::Desk),
            Some("room") => Some(ItemKind::Room),
            Some("office") => Some(ItemKind::Office),
            Some(_) => {
                return Err(AppError::field(
                    "type",
                    "enum",
                    "must be desk, room or office",
                ));
            }
        };
        let only_item = q.item;
        let entry = self
            .catalog
            .space(&self.store, &space_id, false)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no space {space_id}")))?;
        let space = &entry.space;
        let tz = time_zone(&space.time_zone)
            .ok_or_else(|| AppError::internal("invalid stored time zone"))?;
        // Every claim overlapping the range (the store finds those that began before it).
        let claims = self.store.slot_claims(&space_id, from.max(now), to).await?;
        let mut items: Vec<_> = entry
            .items
            .iter()
            .filter(|i| i.retired_at.is_none())
            .filter(|i| kind.is_none_or(|k| i.kind == k))
            .filter(|i| only_item.as_deref().is_none_or(|id| i.id == id))
            .collect();
        if only_item.is_some() && items.is_empty() {
            return Err(AppError::NotFound(format!(
                "no item {} in space {space_id}",
                only_item.unwrap_or_default()
            )));
        }
        items.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        let items = items
            .into_iter()
            .map(|item| {
                let taken: Vec<_> = claims
                    .iter()
                    .filter(|c| c.item_id == item.id && c.active_at(now))
                    .map(|c| (c.start, c.end))
                    .collect();
                ItemAvailability {
                    item_id: &item.id,
                    identifier: &item.identifier,
                    kind: item.kind,
                    capacity: item.capacity,
                    price_per_hour: &item.price_per_hour,
                    slot_minutes: item.slot_minutes,
                    min_booking_minutes: item.min_booking_minutes,
                    max_booking_minutes: item.max_booking_minutes,
                    hourly: item.hourly,
                    stay_rates: &item.stay_rates,
                    free: free_intervals(space, item, &tz, &taken, from, to, now)
                        .into_iter()
                        .map(|(start_time, end_time)| FreeInterval {
                            start_time,
                            end_time,
                        })
                        .collect(),
                }
            })
            .collect();
        json(
            StatusCode::OK,
            &Availability {
                space_id: &space_id,
                time_zone: &space.time_zone,
                from,
                to,
                items,
            },
        )
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/spaces/{spaceId}/availability",
    tag = "bookings",
    params(
        ("spaceId" = String, Path),
        AvailabilityQuery,
    ),
    responses(
        (status = 200, description = "free intervals per item", body = Availability<'static>),
        edge::openapi::Problems,
    ),
)]
pub fn route() {}
