//! Sample spaces and items for the tests of this crate and of the crates above it
//! (feature `samples`): a valid Berlin space and a valid room.

use jiff::Timestamp;

use crate::geo::cells;
use crate::money::Money;
use crate::space::*;

pub fn sample_space() -> Space {
    let location = GeoPoint {
        lat: 52.52,
        lng: 13.405,
    };
    Space {
        id: "s1".into(),
        owner_id: "o1".into(),
        name: "Hive Mitte".into(),
        description: "Desks".into(),
        address: Address {
            line1: "1 Street".into(),
            line2: None,
            city: "Berlin".into(),
            postal_code: "10115".into(),
            country: "DE".into(),
        },
        location,
        time_zone: "Europe/Berlin".into(),
        opening_hours: OpeningHours::default(),
        closures: vec![],
        amenities: vec!["wifi".into()],
        photos: vec!["https://img.example.com/1.jpg".into()],
        cancellation_policy: CancellationPolicy::default(),
        check_in: None,
        quotas: Default::default(),
        booking_horizon_days: DEFAULT_HORIZON_DAYS,
        pricing_rules: vec![],
        status: SpaceStatus::Active,
        cells: cells(&location).unwrap(),
        version: 1,
        created_at: Timestamp::UNIX_EPOCH,
        updated_at: Timestamp::UNIX_EPOCH,
    }
}

pub fn sample_item() -> BookableItem {
    BookableItem {
        id: "i1".into(),
        space_id: "s1".into(),
        kind: ItemKind::Room,
        identifier: "Room A".into(),
        capacity: 6,
        price_per_hour: Money::new(3000, "EUR"),
        available_from: None,
        available_to: None,
        slot_minutes: 30,
        min_booking_minutes: 30,
        max_booking_minutes: 480,
        buffer_minutes: 30,
        hourly: true,
        stay_rates: Default::default(),
        retired_at: None,
        version: 1,
        created_at: Timestamp::UNIX_EPOCH,
        updated_at: Timestamp::UNIX_EPOCH,
    }
}

/// The same intervals every day of the week.
pub fn weekdays(open: &str, close: &str) -> OpeningHours {
    let d = vec![LocalInterval {
        open: open.into(),
        close: close.into(),
    }];
    OpeningHours {
        monday: d.clone(),
        tuesday: d.clone(),
        wednesday: d.clone(),
        thursday: d.clone(),
        friday: d.clone(),
        saturday: d.clone(),
        sunday: d,
    }
}
