//! Coworking spaces and their bookable items. Field rules (validation, the tz database
//! check, H3 cells) arrive with the space routes; the shapes are fixed here so that stored
//! data, demo data and the API agree from the start.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::geo::GeoCells;
use crate::money::Money;
use crate::pricing::PricingRule;
pub use crate::quota::Quotas;
pub use crate::stay::StayRates;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Space {
    pub id: String,
    /// User id of the operator who owns the space.
    pub owner_id: String,
    pub name: String,
    pub description: String,
    pub address: Address,
    pub location: GeoPoint,
    /// IANA time zone name; opening hours and closures are local to it.
    pub time_zone: String,
    pub opening_hours: OpeningHours,
    /// Local dates (YYYY-MM-DD) on which the space is closed.
    #[serde(default)]
    pub closures: Vec<Closure>,
    #[serde(default)]
    pub amenities: Vec<String>,
    #[serde(default)]
    pub photos: Vec<String>,
    pub cancellation_policy: CancellationPolicy,
    /// Whether members must check in (None: they need not); copied onto each booking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_in: Option<CheckInPolicy>,
    /// Limits on each member's bookings here (`domain::quota`).
    #[serde(default, skip_serializing_if = "Quotas::is_empty")]
    pub quotas: Quotas,
    /// How far ahead bookings may start, in days (an operator setting).
    #[serde(default = "default_horizon_days")]
    pub booking_horizon_days: u32,
    /// Peak/off-peak multipliers by local day and time; the first matching rule applies.
    #[serde(default)]
    pub pricing_rules: Vec<PricingRule>,
    pub status: SpaceStatus,
    /// H3 cells of `location`, derived at every write (the geo-search keys).
    pub cells: GeoCells,
    /// Bumped by every update; updates are conditional on it (optimistic concurrency).
    pub version: u64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

/// A year: enough for rooms and desks; offices are sold further ahead (an operator can
/// raise it to `MAX_HORIZON_DAYS`).
pub const DEFAULT_HORIZON_DAYS: u32 = 365;
pub const MAX_HORIZON_DAYS: u32 = 730;

pub fn default_horizon_days() -> u32 {
    DEFAULT_HORIZON_DAYS
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SpaceStatus {
    Active,
    Deleted,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Address {
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

impl Address {
    /// `line1, line2, postal_code city, country` (a calendar event's location).
    pub fn one_line(&self) -> String {
        let mut parts = vec![self.line1.clone()];
        parts.extend(self.line2.clone().filter(|l| !l.is_empty()));
        parts.push(format!("{} {}", self.postal_code, self.city));
        parts.push(self.country.clone());
        parts.join(", ")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GeoPoint {
    pub lat: f64,
    pub lng: f64,
}

/// Local opening intervals per weekday, `[open, close)` as `HH:MM`. A day without
/// intervals is closed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OpeningHours {
    #[serde(default)]
    pub monday: Vec<LocalInterval>,
    #[serde(default)]
    pub tuesday: Vec<LocalInterval>,
    #[serde(default)]
    pub wednesday: Vec<LocalInterval>,
    #[serde(default)]
    pub thursday: Vec<LocalInterval>,
    #[serde(default)]
    pub friday: Vec<LocalInterval>,
    #[serde(default)]
    pub saturday: Vec<LocalInterval>,
    #[serde(default)]
    pub sunday: Vec<LocalInterval>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LocalInterval {
    pub open: String,
    pub close: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Closure {
    pub date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Refund tiers by notice before the booking starts: full refund with at least
/// `full_refund_hours`, `partial_refund_percent` with at least `partial_refund_hours`,
/// nothing after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CancellationPolicy {
    pub full_refund_hours: u32,
    pub partial_refund_hours: u32,
    pub partial_refund_percent: u8,
}

/// Check-in, where an operator requires it: a member checks in from `window_minutes`
/// before the start; a confirmed booking not checked in `grace_minutes` after its start is
/// released as a no-show (its time bookable again) with `no_show_refund_percent` of the
/// price given back (0: the whole fee is kept).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CheckInPolicy {
    pub window_minutes: u32,
    pub grace_minutes: u32,
    pub no_show_refund_percent: u8,
}

pub const MAX_CHECK_IN_WINDOW_MINUTES: u32 = 240;
pub const MIN_GRACE_MINUTES: u32 = 5;
pub const MAX_GRACE_MINUTES: u32 = 240;

impl Default for CancellationPolicy {
    fn default() -> Self {
        Self {
            full_refund_hours: 24,
            partial_refund_hours: 2,
            partial_refund_percent: 50,
        }
    }
}

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Desk,
    Room,
    Office,
}

fn yes() -> bool {
    true
}

fn is_yes(b: &bool) -> bool {
    *b
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BookableItem {
    pub id: String,
    pub space_id: String,
    pub kind: ItemKind,
    /// Unique within the space ("Desk 12", "Room Ada").
    pub identifier: String,
    pub capacity: u32,
    pub price_per_hour: Money,
    /// Local dates bounding when the item can be booked at all (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_to: Option<String>,
    /// Booking grid: starts and ends fall on multiples of this many minutes.
    pub slot_minutes: u32,
    pub min_booking_minutes: u32,
    pub max_booking_minutes: u32,
    /// Free minutes kept after each booking (cleaning, changeover).
    pub buffer_minutes: u32,
    /// Whether the item can be booked by the hour (an office let only by the month: no).
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub hourly: bool,
    /// Day, week and month rates where the item is also sold by whole days
    /// (`domain::stay`).
    #[serde(default, skip_serializing_if = "StayRates::is_empty")]
    pub stay_rates: StayRates,
    /// Set while the item is being deleted: it takes no new bookings (see
    /// `functions/delete-item`), and goes away or comes back at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub retired_at: Option<Timestamp>,
    pub version: u64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}
