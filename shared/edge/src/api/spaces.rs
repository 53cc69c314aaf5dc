//! Request and response bodies of the space and item routes.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::http::patch::{nullable, set};
use app::error::AppError;
use domain::geo;
use domain::money::Money;
use domain::space::*;
use domain::space_rules::{validate_item, validate_space};

/// A space with its bookable items, as the public API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SpaceResponse<'a> {
    #[serde(flatten)]
    pub space: &'a Space,
    pub items: &'a [BookableItem],
}

/// `POST /spaces`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpaceInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub address: Address,
    pub location: GeoPoint,
    pub time_zone: String,
    pub opening_hours: OpeningHours,
    #[serde(default)]
    pub closures: Vec<Closure>,
    #[serde(default)]
    pub amenities: Vec<String>,
    #[serde(default)]
    pub photos: Vec<String>,
    #[serde(default)]
    pub cancellation_policy: CancellationPolicy,
    /// Require check-in (absent: not required); a booking nobody checked in to is released
    /// `grace_minutes` after its start.
    #[serde(default)]
    pub check_in: Option<domain::space::CheckInPolicy>,
    /// Limits on each member's bookings here: hours per week, bookings per day, days ahead.
    #[serde(default)]
    pub quotas: Quotas,
    /// How far ahead bookings may start (days, 1 to 730; default 365).
    #[serde(default = "default_horizon_days")]
    pub booking_horizon_days: u32,
    #[serde(default)]
    pub pricing_rules: Vec<domain::pricing::PricingRule>,
}

impl SpaceInput {
    /// The new space, validated as a whole.
    pub fn into_space(
        self,
        id: String,
        owner_id: String,
        now: Timestamp,
    ) -> Result<Space, AppError> {
        let mut space = Space {
            id,
            owner_id,
            name: self.name.trim().to_string(),
            description: self.description,
            address: self.address,
            location: self.location,
            time_zone: self.time_zone,
            opening_hours: self.opening_hours,
            closures: self.closures,
            amenities: self.amenities,
            photos: self.photos,
            cancellation_policy: self.cancellation_policy,
            check_in: self.check_in,
            quotas: self.quotas,
            booking_horizon_days: self.booking_horizon_days,
            pricing_rules: self.pricing_rules,
            status: SpaceStatus::Active,
            cells: geo::GeoCells {
                r5: String::new(),
                r7: String::new(),
            },
            version: 1,
            created_at: now,
            updated_at: now,
        };
        finish_space(&mut space)?;
        Ok(space)
    }
}

/// `PATCH /spaces/{spaceId}`: any subset of the creatable fields. Nested objects
/// (address, location, opening_hours, cancellation_policy) are replaced whole.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpacePatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub address: Option<Address>,
    pub location: Option<GeoPoint>,
    pub time_zone: Option<String>,
    pub opening_hours: Option<OpeningHours>,
    pub closures: Option<Vec<Closure>>,
    pub amenities: Option<Vec<String>>,
    pub photos: Option<Vec<String>>,
    pub cancellation_policy: Option<CancellationPolicy>,
    /// A rule, or `null` to stop requiring check-in (bookings keep the rule they were made with).
    #[serde(default, deserialize_with = "crate::http::patch::nullable")]
    #[schema(value_type = Option<domain::space::CheckInPolicy>)]
    pub check_in: Option<Option<domain::space::CheckInPolicy>>,
    /// Replaces the space's quotas (send `{}` for none).
    pub quotas: Option<Quotas>,
    pub booking_horizon_days: Option<u32>,
    pub pricing_rules: Option<Vec<domain::pricing::PricingRule>>,
}

impl SpacePatch {
    /// The space with the patch applied and re-validated as a whole.
    pub fn apply(self, mut space: Space, now: Timestamp) -> Result<Space, AppError> {
        set(&mut space.name, self.name.map(|n| n.trim().to_string()));
        set(&mut space.description, self.description);
        set(&mut space.address, self.address);
        set(&mut space.location, self.location);
        set(&mut space.time_zone, self.time_zone);
        set(&mut space.opening_hours, self.opening_hours);
        set(&mut space.closures, self.closures);
        set(&mut space.amenities, self.amenities);
        set(&mut space.photos, self.photos);
        set(&mut space.cancellation_policy, self.cancellation_policy);
        set(&mut space.check_in, self.check_in);
        set(&mut space.quotas, self.quotas);
        set(&mut space.booking_horizon_days, self.booking_horizon_days);
        set(&mut space.pricing_rules, self.pricing_rules);
        space.version += 1;
        space.updated_at = now;
        finish_space(&mut space)?;
        Ok(space)
    }
}

/// Validates and derives what is computed from the fields (the H3 cells).
fn finish_space(space: &mut Space) -> Result<(), AppError> {
    validate_space(space)?;
    space.cells = geo::cells(&space.location)
        .ok_or_else(|| AppError::field("location", "range", "not a valid point"))?;
    Ok(())
}

/// `POST /spaces/{spaceId}/items`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    pub kind: ItemKind,
    pub identifier: String,
    pub capacity: u32,
    pub price_per_hour: Money,
    #[serde(default)]
    pub available_from: Option<String>,
    #[serde(default)]
    pub available_to: Option<String>,
    pub slot_minutes: u32,
    pub min_booking_minutes: u32,
    pub max_booking_minutes: u32,
    #[serde(default)]
    pub buffer_minutes: u32,
    /// Sold by the hour (default true).
    #[serde(default = "yes")]
    pub hourly: bool,
    /// Day, week and month rates in the item's currency (minor units), where offered.
    #[serde(default)]
    pub stay_rates: StayRates,
}

fn yes() -> bool {
    true
}

impl ItemInput {
    pub fn into_item(
        self,
        id: String,
        space_id: String,
        now: Timestamp,
    ) -> Result<BookableItem, AppError> {
        let item = BookableItem {
            id,
            space_id,
            kind: self.kind,
            identifier: self.identifier.trim().to_string(),
            capacity: self.capacity,
            price_per_hour: Money::new(self.price_per_hour.amount, &self.price_per_hour.currency),
            available_from: self.available_from,
            available_to: self.available_to,
            slot_minutes: self.slot_minutes,
            min_booking_minutes: self.min_booking_minutes,
            max_booking_minutes: self.max_booking_minutes,
            buffer_minutes: self.buffer_minutes,
            hourly: self.hourly,
            stay_rates: self.stay_rates,
            retired_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        validate_item(&item)?;
        Ok(item)
    }
}

/// `PATCH /spaces/{spaceId}/items/{itemId}`; `null` clears an availability bound.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemPatch {
    pub kind: Option<ItemKind>,
    pub identifier: Option<String>,
    pub capacity: Option<u32>,
    pub price_per_hour: Option<Money>,
    #[serde(default, deserialize_with = "nullable")]
    pub available_from: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub available_to: Option<Option<String>>,
    pub slot_minutes: Option<u32>,
    pub min_booking_minutes: Option<u32>,
    pub max_booking_minutes: Option<u32>,
    pub buffer_minutes: Option<u32>,
    pub hourly: Option<bool>,
    /// Replaces all three rates (send `{}` to stop selling by the day).
    pub stay_rates: Option<StayRates>,
}

impl ItemPatch {
    pub fn apply(self, mut item: BookableItem, now: Timestamp) -> Result<BookableItem, AppError> {
        set(&mut item.kind, self.kind);
        set(
            &mut item.identifier,
            self.identifier.map(|i| i.trim().to_string()),
        );
        set(&mut item.capacity, self.capacity);
        set(
            &mut item.price_per_hour,
            self.price_per_hour
                .map(|p| Money::new(p.amount, &p.currency)),
        );
        set(&mut item.available_from, self.available_from);
        set(&mut item.available_to, self.available_to);
        set(&mut item.slot_minutes, self.slot_minutes);
        set(&mut item.min_booking_minutes, self.min_booking_minutes);
        set(&mut item.max_booking_minutes, self.max_booking_minutes);
        set(&mut item.buffer_minutes, self.buffer_minutes);
        set(&mut item.hourly, self.hourly);
        set(&mut item.stay_rates, self.stay_rates);
        item.version += 1;
        item.updated_at = now;
        validate_item(&item)?;
        Ok(item)
    }
}
