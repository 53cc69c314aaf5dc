use jiff::Timestamp;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;

use super::*;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn tz(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap()
}

#[test]
fn parses_the_subset_and_writes_it_back() {
    let r = Recurrence::parse("RRULE:FREQ=WEEKLY;BYDAY=WE,MO;COUNT=10").unwrap();
    assert_eq!(r.frequency, Frequency::Weekly);
    assert_eq!(r.by_day, vec![Weekday::Monday, Weekday::Wednesday]);
    assert_eq!(r.until, Until::Count(10));
    assert_eq!(r.to_rrule(), "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10");
    let r = Recurrence::parse("FREQ=DAILY;INTERVAL=2;UNTIL=20270115").unwrap();
    assert_eq!(r.to_rrule(), "FREQ=DAILY;INTERVAL=2;UNTIL=20270115");
    let r = Recurrence::parse("FREQ=DAILY;UNTIL=20270115T080000Z").unwrap();
    assert_eq!(r.until, Until::Instant(ts("2027-01-15T08:00:00Z")));
}

#[test]
fn refuses_what_it_does_not_offer_naming_the_rule() {
    for (rule, why) in [
        ("", "rrule:length"),
        ("FREQ=MONTHLY;COUNT=3", "rrule:frequency"),
        ("FREQ=WEEKLY", "rrule:end"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20270101", "rrule:end"),
        ("FREQ=WEEKLY;COUNT=0", "rrule:count"),
        ("FREQ=WEEKLY;COUNT=53", "rrule:count"),
        ("FREQ=WEEKLY;COUNT=3;COUNT=4", "rrule:repeated"),
        ("FREQ=WEEKLY;BYDAY=XX;COUNT=3", "rrule:by_day"),
        ("FREQ=WEEKLY;BYSETPOS=1;COUNT=3", "rrule:unsupported"),
        ("FREQ=WEEKLY;INTERVAL=0;COUNT=3", "rrule:interval"),
        ("FREQ=WEEKLY;UNTIL=2027-01-01", "rrule:format"),
        ("FREQ=WEEKLY;UNTIL=20270101T000000", "rrule:utc"),
        ("FREQ=WEEKLY;UNTIL=20271341", "rrule:format"),
        ("COUNT=3", "rrule:required"),
        ("FREQ", "rrule:format"),
    ] {
        let err = Recurrence::parse(rule).unwrap_err();
        assert_eq!(err.rules(), vec![why.to_string()], "{rule}");
    }
}

#[test]
fn a_weekly_series_keeps_its_local_time_across_dst() {
    // Berlin leaves winter time on 2027-03-28: 09:00 is 08:00Z before, 07:00Z after.
    let rule = Recurrence::parse("FREQ=WEEKLY;COUNT=4").unwrap();
    let occ = occurrences(
        &rule,
        ts("2027-03-17T08:00:00Z"),
        ts("2027-03-17T09:00:00Z"),
        &tz("Europe/Berlin"),
    )
    .unwrap();
    let starts: Vec<String> = occ.iter().map(|o| o.start.to_string()).collect();
    assert_eq!(
        starts,
        [
            "2027-03-17T08:00:00Z",
            "2027-03-24T08:00:00Z",
            "2027-03-31T07:00:00Z",
            "2027-04-07T07:00:00Z"
        ]
    );
    assert!(
        occ.iter()
            .all(|o| o.end.duration_since(o.start).as_mins() == 60)
    );
}

#[test]
fn weekdays_skip_the_weekend_and_until_is_inclusive() {
    let rule = Recurrence::parse("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20270112").unwrap();
    // Friday 2027-01-01 10:00 in UTC.
    let occ = occurrences(
        &rule,
        ts("2027-01-01T10:00:00Z"),
        ts("2027-01-01T11:00:00Z"),
        &TimeZone::UTC,
    )
    .unwrap();
    let days: Vec<String> = occ
        .iter()
        .map(|o| o.start.to_string()[..10].to_string())
        .collect();
    assert_eq!(
        days,
        [
            "2027-01-01",
            "2027-01-04",
            "2027-01-05",
            "2027-01-06",
            "2027-01-07",
            "2027-01-08",
            "2027-01-11",
            "2027-01-12"
        ]
    );
    let idx: Vec<u32> = occ.iter().map(|o| o.index).collect();
    assert_eq!(idx, (0..8).collect::<Vec<_>>());
}

#[test]
fn the_first_occurrence_must_fall_on_the_rule() {
    let rule = Recurrence::parse("FREQ=WEEKLY;BYDAY=MO;COUNT=3").unwrap();
    let err = occurrences(
        &rule,
        ts("2027-01-01T10:00:00Z"),
        ts("2027-01-01T11:00:00Z"),
        &TimeZone::UTC,
    )
    .unwrap_err();
    assert_eq!(err.rules(), vec!["start_time:not_in_rule".to_string()]);
}

#[test]
fn extreme_instants_are_refused_naming_the_field_never_a_panic() {
    let rule = Recurrence::parse("FREQ=DAILY;COUNT=3").unwrap();
    for (start, end, why) in [
        (
            "9999-12-30T10:00:00Z",
            "9999-12-30T11:00:00Z",
            "start_time:range",
        ),
        (
            "2027-01-01T10:00:00Z",
            "2027-01-03T11:00:00Z",
            "end_time:too_long",
        ),
        (
            "2027-01-01T10:00:00Z",
            "2027-01-01T10:00:00Z",
            "end_time:after_start",
        ),
    ] {
        let err = occurrences(&rule, ts(start), ts(end), &TimeZone::UTC).unwrap_err();
        assert_eq!(err.rules(), vec![why.to_string()], "{start}");
    }
}

#[test]
fn a_rule_longer_than_the_cap_is_refused() {
    let rule = Recurrence::parse("FREQ=DAILY;UNTIL=20271231").unwrap();
    let err = occurrences(
        &rule,
        ts("2027-01-01T10:00:00Z"),
        ts("2027-01-01T11:00:00Z"),
        &TimeZone::UTC,
    )
    .unwrap_err();
    assert_eq!(err.rules(), vec!["rrule:too_many".to_string()]);
}

/// For every zone with DST shifts of 30 minutes to 2 hours, every rule and start: each
/// occurrence starts at the first one's local time (or just after a gap that skips it),
/// lasts as long on the wall clock, and they are strictly increasing and on the rule.
#[test]
fn generated_series_keep_local_time_in_every_zone() {
    let zones = [
        "Europe/Berlin",
        "America/New_York",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
        "America/Santiago",
        "Antarctica/Troll",
        "UTC",
    ];
    let rules = [
        "FREQ=WEEKLY;COUNT=20",
        "FREQ=DAILY;COUNT=40",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=52",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,SA;UNTIL=20271101",
        "FREQ=DAILY;INTERVAL=3;BYDAY=SU;COUNT=8",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut checked = 0;
    for zone in zones {
        let tz = tz(zone);
        for rule in rules {
            let r = Recurrence::parse(rule).unwrap();
            for _ in 0..25 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                // A start within 2027 at a quarter hour, 15 min to 10 h long.
                let start = ts("2027-01-01T00:00:00Z")
                    + jiff::SignedDuration::from_mins((seed % (365 * 96)) as i64 * 15);
                let len = jiff::SignedDuration::from_mins(((seed >> 20) % 40 + 1) as i64 * 15);
                let first_local = tz.to_datetime(start);
                let occ = match occurrences(&r, start, start + len, &tz) {
                    Ok(o) => o,
                    Err(e) => {
                        assert!(
                            e.rules() == ["start_time:not_in_rule"] || e.rules() == ["rrule:empty"],
                            "{zone} {rule} {start}: {e}"
                        );
                        continue;
                    }
                };
                assert_eq!(occ[0].start, start, "{zone} {rule}");
                for w in occ.windows(2) {
                    assert!(
                        w[0].start < w[1].start && w[0].end <= w[1].start,
                        "{zone} {rule}"
                    );
                }
                for o in &occ {
                    let local = tz.to_datetime(o.start);
                    assert!(o.end > o.start);
                    assert!(
                        r.falls_on(first_local.date(), local.date())
                            || local.time() < first_local.time(),
                        "{zone} {rule} {o:?}"
                    );
                    if local.time() != first_local.time() {
                        // Only a DST gap may move it, and only forward, by at most 2 h.
                        let moved = local.time().duration_since(first_local.time());
                        assert!(
                            moved.as_mins() > 0 && moved.as_mins() <= 120,
                            "{zone} {rule} {o:?} moved {moved:?}"
                        );
                        assert!(
                            tz.to_datetime(o.start - jiff::SignedDuration::from_hours(3))
                                .date()
                                <= local.date()
                        );
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 5000, "{checked}");
}
