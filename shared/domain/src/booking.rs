//! A booking as stored: what was booked, when (half-open `[start, end)`, UTC), its status,
//! its price and the claims it holds. How it moves from status to status is
//! `domain::lifecycle`; what a requested interval must meet is `domain::booking_rules`.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::claims::{Block, Level, intents};
use crate::pricing::PriceBreakdown;
use crate::quota::QuotaUse;
use crate::space::{CancellationPolicy, ItemKind};
pub use crate::stay::BookingUnit;

/// How long a pending booking holds its slots unless payment confirms it.
pub const HOLD: SignedDuration = SignedDuration::from_mins(15);

/// A member rarely needs more than a few unpaid holds at once; more is slot hoarding.
pub const DEFAULT_MAX_ACTIVE_HOLDS: u32 = 5;

/// Unpaid holds a brand-new account may have at once: accounts cost nothing to make, so
/// a burst of them must not be able to keep a city's inventory held.
pub const NEW_ACCOUNT_MAX_HOLDS: u32 = 1;

/// How long an account counts as brand-new.
pub const NEW_ACCOUNT_PROBATION: SignedDuration = SignedDuration::from_hours(24);

/// When an account created at `created_at` leaves its probation.
pub fn probation_until(created_at: Timestamp) -> Timestamp {
    created_at
        .checked_add(NEW_ACCOUNT_PROBATION)
        .unwrap_or(created_at)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BookingStatus {
    /// Created, slots held until `hold_expires_at`, waiting for payment.
    Pending,
    Confirmed,
    Cancelled,
    /// The hold ran out before payment confirmed it.
    Expired,
    /// Payment was declined (the hold is released), or came after the hold ran out and
    /// the slots were gone (the payment is refunded).
    Failed,
}

impl BookingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Confirmed,
            Self::Cancelled,
            Self::Expired,
            Self::Failed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SlotKind {
    Booking,
    /// Kept free after a booking (changeover); claimed like a booked slot.
    Buffer,
}

/// One block of the UTC lattice the booking claims whole (`domain::claims`): its level
/// and start, and whether it is the booking's own time or its changeover buffer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlannedSlot {
    #[schema(value_type = String, format = DateTime)]
    pub start: Timestamp,
    pub kind: SlotKind,
    #[serde(default)]
    pub level: Level,
}

impl PlannedSlot {
    pub fn block(&self) -> Block {
        Block {
            level: self.level,
            start: self.start,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Booking {
    pub id: String,
    pub user_id: String,
    pub space_id: String,
    pub bookable_item_id: String,
    /// What was booked, as it was then (items can be renamed or removed later).
    pub item_identifier: String,
    pub item_kind: ItemKind,
    #[schema(value_type = String, format = DateTime)]
    pub start_time: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub end_time: Timestamp,
    pub time_zone: String,
    pub status: BookingStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub hold_expires_at: Option<Timestamp>,
    pub price: PriceBreakdown,
    /// Every block this booking claims whole (its own and its buffer), to release them
    /// exactly; the blocks it marks as partly used follow from them (`claims::intents`).
    pub slots: Vec<PlannedSlot>,
    /// Booked by the hour, or as whole local days (a day pass, a week or month stay).
    #[serde(default, skip_serializing_if = "BookingUnit::is_hour")]
    pub unit: BookingUnit,
    /// How many days, weeks or months (1 for an hourly booking).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub quantity: u32,
    /// The item's grid when it was booked (informational: claims are 15-minute cells).
    pub slot_minutes: u32,
    /// The space's cancellation policy when it was booked: a later edit does not change
    /// what the member agreed to. (Absent on bookings made before it was copied.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_policy: Option<CancellationPolicy>,
    /// The space's check-in rule when it was booked (None: no check-in required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_in: Option<crate::space::CheckInPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub checked_in_at: Option<Timestamp>,
    /// Released because nobody checked in (its status is then `cancelled`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_show: bool,
    /// Included membership minutes this booking took from a month's allowance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub included: Option<IncludedUse>,
    /// What it takes from the member's quota counters while it holds its time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quotas: Vec<QuotaUse>,
    /// The recurring series this booking is an occurrence of (`domain::series`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<crate::series::SeriesLink>,
    /// The open-ended rental this booking is a month of (`domain::rental`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rental: Option<crate::rental::RentalLink>,
    /// The promo code it redeemed (`domain::promo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promo: Option<crate::promo::PromoTerms>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_transaction_id: Option<String>,
    pub version: u64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

/// Minutes of a month's included hours a booking uses (`month` is `YYYY-MM`, local).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IncludedUse {
    pub month: String,
    pub minutes: u32,
    /// The month's whole allowance under the plan then (taking minutes back may not pass it).
    pub allowance: u32,
    /// Minutes given back when it ended unused (cancelled, expired, failed).
    #[serde(default)]
    pub returned: u32,
}

fn one() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

impl Booking {
    /// The blocks this booking marks as partly used.
    pub fn intents(&self) -> Vec<Block> {
        intents(self.slots.iter().map(PlannedSlot::block))
    }

    /// The status as of `now`: a pending booking whose hold ran out is expired, whether or
    /// not a sweeper has written that yet (expiry never waits for TTL or a schedule).
    pub fn status_at(&self, now: Timestamp) -> BookingStatus {
        match (self.status, self.hold_expires_at) {
            (BookingStatus::Pending, Some(until)) if until <= now => BookingStatus::Expired,
            (s, _) => s,
        }
    }

    /// Whether the booking still occupies its slots at `now`.
    pub fn holds_slots(&self, now: Timestamp) -> bool {
        self.status_at(now).is_live()
    }
}

impl BookingStatus {
    /// Pending or confirmed: the states in which a booking holds its claims, its marker
    /// and its included minutes (by stored status: an expired hold is still `pending`
    /// until the scheduler or a payment moves it).
    pub fn is_live(self) -> bool {
        matches!(self, Self::Pending | Self::Confirmed)
    }
}
