use super::*;
use crate::claims::{Level, MAX_CLAIMS_PER_BOOKING};
use crate::samples::{sample_item, sample_space, weekdays};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

const NOW: &str = "2027-03-01T12:00:00Z";

fn office() -> BookableItem {
    let mut i = sample_item();
    i.stay_rates = StayRates {
        day: Some(4_000),
        week: Some(18_000),
        month: Some(60_000),
        open_ended: false,
    };
    i
}

fn space(zone: &str) -> Space {
    let mut s = sample_space();
    s.time_zone = zone.into();
    s.opening_hours = weekdays("08:00", "20:00");
    s.opening_hours.sunday = vec![];
    s
}

fn stay(unit: BookingUnit, start: &str, quantity: u32) -> StayRequest {
    StayRequest {
        unit,
        start_date: date(start),
        quantity,
    }
}

#[test]
fn a_day_pass_covers_the_local_day_and_dst_days_are_short() {
    let s = space("Europe/Berlin");
    // Sunday 2027-03-28 is the spring change (closed on Sundays): use Saturday and Monday.
    let p = plan_stay(
        &s,
        &office(),
        &stay(BookingUnit::Day, "2027-03-29", 1),
        ts(NOW),
    )
    .unwrap();
    assert_eq!(
        (p.start, p.end),
        (ts("2027-03-28T22:00:00Z"), ts("2027-03-29T22:00:00Z"))
    );
    let mut all_week = s.clone();
    all_week.opening_hours = weekdays("08:00", "20:00");
    let p = plan_stay(
        &all_week,
        &office(),
        &stay(BookingUnit::Day, "2027-03-28", 1),
        ts(NOW),
    )
    .unwrap();
    assert_eq!((p.end - p.start).as_hours(), 23);
    assert_eq!(p.rate, 4_000);
}

#[test]
fn refuses_what_breaks_a_rule() {
    let s = space("Europe/Berlin");
    let rules =
        |item: &BookableItem, r: StayRequest| plan_stay(&s, item, &r, ts(NOW)).unwrap_err().rules();
    assert_eq!(
        rules(&sample_item(), stay(BookingUnit::Day, "2027-03-02", 1)),
        ["unit:not_offered"]
    );
    assert_eq!(
        rules(&office(), stay(BookingUnit::Day, "2027-02-28", 1)),
        ["start_date:past"]
    );
    // Sunday 2027-03-07 is closed: a day pass needs an open day, a week does not.
    assert_eq!(
        rules(&office(), stay(BookingUnit::Day, "2027-03-06", 2)),
        ["start_date:closed"]
    );
    assert!(
        plan_stay(
            &s,
            &office(),
            &stay(BookingUnit::Week, "2027-03-06", 1),
            ts(NOW)
        )
        .is_ok()
    );
    assert_eq!(
        rules(&office(), stay(BookingUnit::Week, "2027-03-02", 5)),
        ["quantity:range"]
    );
    assert_eq!(
        rules(&office(), stay(BookingUnit::Month, "2027-03-02", 0)),
        ["quantity:range"]
    );
    // Beyond what a calendar span holds: refused, never a panic.
    for unit in [BookingUnit::Day, BookingUnit::Week, BookingUnit::Month] {
        assert_eq!(
            rules(&office(), stay(unit, "2027-03-02", u32::MAX)),
            ["quantity:range"]
        );
    }
    assert_eq!(
        rules(&office(), stay(BookingUnit::Month, "2028-03-02", 1)),
        ["start_date:horizon"]
    );
    let mut until = office();
    until.available_to = Some("2027-03-20".into());
    assert_eq!(
        rules(&until, stay(BookingUnit::Week, "2027-03-15", 1)),
        ["quantity:availability_window"]
    );
}

#[test]
fn a_month_fits_one_transaction_in_every_zone_and_every_start() {
    // Generated: every start date of a year in zones with quarter-hour offsets, 30-minute
    // DST shifts and midnight DST changes. The stay is exactly its local days, its blocks
    // tile it, and blocks plus marks fit one transaction.
    for zone in [
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
        "Australia/Eucla",
        "Pacific/Chatham",
        "America/St_Johns",
        "America/Santiago",
        "Asia/Beirut",
        "Europe/Berlin",
        "UTC",
    ] {
        let mut s = space(zone);
        s.booking_horizon_days = 800;
        let tz = TimeZone::get(zone).unwrap();
        let mut d = date("2027-03-03");
        for _ in 0..366 {
            for req in [
                stay(BookingUnit::Month, &d.to_string(), 1),
                stay(BookingUnit::Week, &d.to_string(), 4),
                stay(BookingUnit::Day, &d.to_string(), 31),
            ] {
                let p = match plan_stay(&s, &office(), &req, ts(NOW)) {
                    Ok(p) => p,
                    // A day pass run needs every day open (Sundays are closed).
                    Err(e) if e.rules() == ["start_date:closed"] => continue,
                    Err(e) => panic!("{zone} {d} {req:?}: {e:?}"),
                };
                let local = |t: Timestamp| t.to_zoned_datetime(tz.clone());
                assert_eq!(local(p.start).date(), d, "{zone}");
                assert!(local(p.start).hour() <= 1, "{zone} {d}");
                let mut t = p.start;
                for slot in &p.slots {
                    assert_eq!(slot.start, t);
                    t = slot.block().end();
                }
                assert_eq!(t, p.end);
                let marks = crate::claims::intents(p.slots.iter().map(|s| s.block()));
                assert!(p.slots.len() + marks.len() <= MAX_CLAIMS_PER_BOOKING as usize);
                assert!(p.slots.iter().any(|s| s.level == Level::Day));
            }
            d = d.tomorrow().unwrap();
        }
    }
}

#[test]
fn the_price_is_rate_times_quantity_less_the_plan_discount() {
    let req = stay(BookingUnit::Week, "2027-03-02", 2);
    let benefit = MembershipBenefit {
        plan_id: "p".into(),
        discount_percent: 15,
        included_minutes_remaining: 6_000,
    };
    let p = stay_price(&office(), &req, 18_000, 20_160, Some(&benefit));
    assert_eq!(p.subtotal, 36_000);
    assert_eq!(p.discount_amount, 5_400);
    assert_eq!(p.total, 30_600);
    assert_eq!(p.included_minutes_applied, 0);
    assert_eq!(p.lines[0].amount, p.subtotal);
    assert_eq!(p.currency, "EUR");
}
