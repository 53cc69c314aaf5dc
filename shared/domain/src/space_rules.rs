//! Rules for spaces and bookable items. They are checked on the whole entity after a
//! create or a merge of a PATCH, so an edit can never produce what a create would refuse.

use std::collections::HashSet;

use crate::amenity;
use crate::claims::MAX_CLAIMED_MINUTES;
use crate::error::DomainError;
use crate::geo::validate_point;
use crate::hours::{MAX_CLOSURES, parse_date, time_zone, validate_opening_hours};
use crate::money::validate_money;
use crate::space::{
    BookableItem, MAX_CHECK_IN_WINDOW_MINUTES, MAX_GRACE_MINUTES, MAX_HORIZON_DAYS,
    MIN_GRACE_MINUTES, Space,
};
use crate::validate::Violations;

pub const MAX_PHOTOS: usize = 20;
pub const MAX_URL_CHARS: usize = 2048;
/// Slot grids an item may use; bookings start and end on the grid.
pub const SLOT_SIZES: [u32; 3] = [15, 30, 60];
pub const MAX_BUFFER_MINUTES: u32 = 240;
pub const MAX_CAPACITY: u32 = 500;

pub(crate) fn no_control(v: &mut Violations, field: &str, s: &str) {
    v.check(
        !s.chars().any(char::is_control),
        field,
        "format",
        "must not contain control characters",
    );
}

pub fn validate_space(space: &Space) -> Result<(), DomainError> {
    let mut v = Violations::new();
    v.text("name", &space.name, 1, 120);
    no_control(&mut v, "name", &space.name);
    v.text("description", &space.description, 0, 5000);
    validate_address(&mut v, "address", &space.address);
    validate_point(&mut v, "location", &space.location);
    v.check(
        time_zone(&space.time_zone).is_some(),
        "time_zone",
        "iana",
        "must be an IANA time zone name from the tz database, such as Europe/Berlin",
    );
    validate_opening_hours(&mut v, "opening_hours", &space.opening_hours);

    v.check(
        space.closures.len() <= MAX_CLOSURES,
        "closures",
        "max_items",
        format!("at most {MAX_CLOSURES} closures"),
    );
    let mut dates = HashSet::new();
    for (i, c) in space.closures.iter().enumerate() {
        v.check(
            parse_date(&c.date).is_some(),
            format!("closures[{i}].date"),
            "format",
            "must be a date YYYY-MM-DD",
        );
        v.check(
            dates.insert(&c.date),
            format!("closures[{i}].date"),
            "unique",
            "is listed twice",
        );
        if let Some(reason) = &c.reason {
            v.text(&format!("closures[{i}].reason"), reason, 0, 200);
        }
    }

    let mut seen = HashSet::new();
    for (i, am) in space.amenities.iter().enumerate() {
        v.check(
            amenity::is_known(am),
            format!("amenities[{i}]"),
            "enum",
            format!("must be one of {}", amenity::AMENITIES.join(", ")),
        );
        v.check(
            seen.insert(am),
            format!("amenities[{i}]"),
            "unique",
            "is listed twice",
        );
    }
    v.check(
        space.photos.len() <= MAX_PHOTOS,
        "photos",
        "max_items",
        format!("at most {MAX_PHOTOS} photos"),
    );
    for (i, url) in space.photos.iter().enumerate() {
        v.check(
            url.starts_with("https://")
                && url.len() > "https://".len()
                && url.len() <= MAX_URL_CHARS
                && !url.chars().any(|c| c.is_whitespace() || c.is_control()),
            format!("photos[{i}]"),
            "format",
            format!("must be an https URL of at most {MAX_URL_CHARS} characters"),
        );
    }
    crate::pricing::validate_rules(&mut v, "pricing_rules", &space.pricing_rules);
    v.check(
        (1..=MAX_HORIZON_DAYS).contains(&space.booking_horizon_days),
        "booking_horizon_days",
        "range",
        format!("must be between 1 and {MAX_HORIZON_DAYS}"),
    );
    let p = &space.cancellation_policy;
    v.check(
        p.full_refund_hours <= 24 * 365,
        "cancellation_policy.full_refund_hours",
        "range",
        "must be at most 8760 (one year)",
    );
    v.check(
        p.partial_refund_hours <= p.full_refund_hours,
        "cancellation_policy.partial_refund_hours",
        "order",
        "must not exceed full_refund_hours",
    );
    v.check(
        p.partial_refund_percent <= 100,
        "cancellation_policy.partial_refund_percent",
        "range",
        "must be between 0 and 100",
    );
    space.quotas.validate(&mut v, "quotas");
    if let Some(c) = &space.check_in {
        v.check(
            c.window_minutes <= MAX_CHECK_IN_WINDOW_MINUTES,
            "check_in.window_minutes",
            "range",
            format!("must be at most {MAX_CHECK_IN_WINDOW_MINUTES}"),
        );
        v.check(
            (MIN_GRACE_MINUTES..=MAX_GRACE_MINUTES).contains(&c.grace_minutes),
            "check_in.grace_minutes",
            "range",
            format!("must be between {MIN_GRACE_MINUTES} and {MAX_GRACE_MINUTES}"),
        );
        v.check(
            c.no_show_refund_percent <= 100,
            "check_in.no_show_refund_percent",
            "range",
            "must be between 0 and 100",
        );
    }
    v.into_result()
}

/// A postal address's fields, named `<prefix>.line1` and so on (a space's, a member's
/// billing address).
pub fn validate_address(v: &mut Violations, prefix: &str, a: &crate::space::Address) {
    v.text(&format!("{prefix}.line1"), &a.line1, 1, 200);
    no_control(v, &format!("{prefix}.line1"), &a.line1);
    if let Some(line2) = &a.line2 {
        v.text(&format!("{prefix}.line2"), line2, 0, 200);
        no_control(v, &format!("{prefix}.line2"), line2);
    }
    v.text(&format!("{prefix}.city"), &a.city, 1, 100);
    no_control(v, &format!("{prefix}.city"), &a.city);
    v.text(&format!("{prefix}.postal_code"), &a.postal_code, 1, 20);
    no_control(v, &format!("{prefix}.postal_code"), &a.postal_code);
    v.check(
        a.country.len() == 2 && a.country.chars().all(|c| c.is_ascii_uppercase()),
        format!("{prefix}.country"),
        "format",
        "must be an ISO 3166-1 alpha-2 code such as DE",
    );
}

pub fn validate_item(item: &BookableItem) -> Result<(), DomainError> {
    let mut v = Violations::new();
    v.text("identifier", &item.identifier, 1, 60);
    no_control(&mut v, "identifier", &item.identifier);
    v.check(
        (1..=MAX_CAPACITY).contains(&item.capacity),
        "capacity",
        "range",
        format!("must be between 1 and {MAX_CAPACITY}"),
    );
    validate_money(&mut v, "price_per_hour", &item.price_per_hour);
    let slot = item.slot_minutes;
    let slot_ok = SLOT_SIZES.contains(&slot);
    v.check(slot_ok, "slot_minutes", "enum", "must be 15, 30 or 60");
    if slot_ok {
        let on_grid = |m: u32| m.is_multiple_of(slot);
        v.check(
            item.min_booking_minutes >= slot && on_grid(item.min_booking_minutes),
            "min_booking_minutes",
            "grid",
            format!("must be a positive multiple of slot_minutes ({slot})"),
        );
        v.check(
            item.max_booking_minutes >= item.min_booking_minutes
                && on_grid(item.max_booking_minutes),
            "max_booking_minutes",
            "grid",
            format!("must be a multiple of slot_minutes ({slot}) and at least min_booking_minutes"),
        );
        v.check(
            on_grid(item.buffer_minutes) && item.buffer_minutes <= MAX_BUFFER_MINUTES,
            "buffer_minutes",
            "grid",
            format!("must be a multiple of slot_minutes ({slot}) and at most {MAX_BUFFER_MINUTES}"),
        );
        // One booking's claims fit one transaction (`domain::claims`), whatever the grid.
        v.check(
            item.max_booking_minutes.saturating_add(item.buffer_minutes) <= MAX_CLAIMED_MINUTES,
            "max_booking_minutes",
            "max_span",
            format!(
                "a booking plus its buffer may span at most {MAX_CLAIMED_MINUTES} minutes (one transaction's worth of 15-minute claims)"
            ),
        );
    }
    for (unit, rate) in item.stay_rates.offered() {
        v.check(
            (1..=crate::money::MAX_AMOUNT).contains(&rate),
            format!("stay_rates.{}", unit.as_str()),
            "range",
            format!(
                "must be between 1 and {} (minor units of the item's currency)",
                crate::money::MAX_AMOUNT
            ),
        );
    }
    v.check(
        !item.stay_rates.open_ended || item.stay_rates.month.is_some(),
        "stay_rates.open_ended",
        "needs_month_rate",
        "an open-ended rental is billed at the month rate: set stay_rates.month",
    );
    v.check(
        item.hourly || !item.stay_rates.is_empty(),
        "hourly",
        "unsellable",
        "an item not sold by the hour needs a day, week or month rate",
    );
    let from = item.available_from.as_deref().map(|d| (d, parse_date(d)));
    let to = item.available_to.as_deref().map(|d| (d, parse_date(d)));
    if let Some((_, None)) = from {
        v.add("available_from", "format", "must be a date YYYY-MM-DD");
    }
    if let Some((_, None)) = to {
        v.add("available_to", "format", "must be a date YYYY-MM-DD");
    }
    if let (Some((_, Some(f))), Some((_, Some(t)))) = (from, to) {
        v.check(
            f <= t,
            "available_to",
            "order",
            "must not be before available_from",
        );
    }
    v.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;
    use crate::samples::{sample_item, sample_space};
    use crate::space::*;

    fn fields(err: DomainError) -> Vec<String> {
        match err {
            DomainError::Invalid(errors) => errors
                .into_iter()
                .map(|e| format!("{}:{}", e.field, e.rule))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn valid_samples_pass() {
        validate_space(&sample_space()).unwrap();
        validate_item(&sample_item()).unwrap();
    }

    #[test]
    fn space_rules_name_each_field() {
        let mut s = sample_space();
        s.name = " ".into();
        s.address.country = "de".into();
        s.location.lng = 181.0;
        s.time_zone = "CET".into();
        s.amenities = vec!["wifi".into(), "jacuzzi".into(), "wifi".into()];
        s.photos = vec!["http://insecure.example.com/a.jpg".into()];
        s.closures = vec![
            Closure {
                date: "2026-12-25".into(),
                reason: None,
            },
            Closure {
                date: "2026-12-25".into(),
                reason: None,
            },
            Closure {
                date: "2026-13-01".into(),
                reason: None,
            },
        ];
        s.cancellation_policy.partial_refund_hours = 48;
        assert_eq!(
            fields(validate_space(&s).unwrap_err()),
            [
                "name:required",
                "address.country:format",
                "location.lng:range",
                "time_zone:iana",
                "closures[1].date:unique",
                "closures[2].date:format",
                "amenities[1]:enum",
                "amenities[2]:unique",
                "photos[0]:format",
                "cancellation_policy.partial_refund_hours:order",
            ]
        );
    }

    #[test]
    fn item_grid_rules() {
        let mut i = sample_item();
        i.slot_minutes = 20;
        assert_eq!(
            fields(validate_item(&i).unwrap_err()),
            ["slot_minutes:enum"]
        );
        let mut i = sample_item();
        i.min_booking_minutes = 45;
        i.buffer_minutes = 10;
        assert_eq!(
            fields(validate_item(&i).unwrap_err()),
            ["min_booking_minutes:grid", "buffer_minutes:grid"]
        );
        let mut i = sample_item();
        i.slot_minutes = 15;
        i.min_booking_minutes = 15;
        i.max_booking_minutes = 24 * 60;
        assert_eq!(
            fields(validate_item(&i).unwrap_err()),
            ["max_booking_minutes:max_span"]
        );
        let mut i = sample_item();
        i.capacity = 0;
        i.price_per_hour = Money::new(-1, "XXX");
        i.available_from = Some("2027-02-01".into());
        i.available_to = Some("2027-01-01".into());
        assert_eq!(
            fields(validate_item(&i).unwrap_err()),
            [
                "capacity:range",
                "price_per_hour.amount:range",
                "price_per_hour.currency:enum",
                "available_to:order"
            ]
        );
    }
}
