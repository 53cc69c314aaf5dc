//! Local wall-clock times and opening hours, interpreted in a space's IANA time zone.

use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::space::{LocalInterval, OpeningHours};
use crate::validate::Violations;

pub const MINUTES_PER_DAY: u16 = 24 * 60;
/// More intervals than this on one day is a data-entry mistake, not a schedule.
pub const MAX_INTERVALS_PER_DAY: usize = 4;
pub const MAX_CLOSURES: usize = 366;

/// `HH:MM` as minutes after midnight. `24:00` is accepted (only meaningful as a close).
pub fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (24, 0) => Some(MINUTES_PER_DAY),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

/// The time zone for an IANA name from the tz database (`Europe/Berlin`), never a fixed
/// offset or an abbreviation (`CET`), which would get daylight saving time wrong.
pub fn time_zone(name: &str) -> Option<TimeZone> {
    if !name.contains('/') && name != "UTC" {
        return None;
    }
    jiff::tz::db().get(name).ok()
}

pub fn parse_date(s: &str) -> Option<Date> {
    if s.len() != 10 {
        return None;
    }
    s.parse().ok()
}

impl OpeningHours {
    pub fn days(&self) -> [(&'static str, &Vec<LocalInterval>); 7] {
        [
            ("monday", &self.monday),
            ("tuesday", &self.tuesday),
            ("wednesday", &self.wednesday),
            ("thursday", &self.thursday),
            ("friday", &self.friday),
            ("saturday", &self.saturday),
            ("sunday", &self.sunday),
        ]
    }

    /// The intervals for a weekday, as minutes after local midnight, sorted.
    pub fn for_weekday(&self, weekday: jiff::civil::Weekday) -> Vec<(u16, u16)> {
        use jiff::civil::Weekday::*;
        let day = match weekday {
            Monday => &self.monday,
            Tuesday => &self.tuesday,
            Wednesday => &self.wednesday,
            Thursday => &self.thursday,
            Friday => &self.friday,
            Saturday => &self.saturday,
            Sunday => &self.sunday,
        };
        let mut out: Vec<(u16, u16)> = day
            .iter()
            .filter_map(|i| Some((parse_hhmm(&i.open)?, parse_hhmm(&i.close)?)))
            .collect();
        out.sort_unstable();
        out
    }
}

/// The instant at `minutes` after local midnight of `date` in `tz` (1440 is the next
/// midnight). A wall time skipped by a DST jump resolves to the instant after the gap, a
/// repeated one to its first occurrence ("compatible" disambiguation, as RFC 5545 does).
pub fn local_instant(
    date: Date,
    tz: &TimeZone,
    minutes: u16,
) -> Result<jiff::Timestamp, jiff::Error> {
    let (date, minutes) = if minutes >= MINUTES_PER_DAY {
        (date.tomorrow()?, minutes - MINUTES_PER_DAY)
    } else {
        (date, minutes)
    };
    let time = jiff::civil::Time::new((minutes / 60) as i8, (minutes % 60) as i8, 0, 0)?;
    tz.to_ambiguous_timestamp(date.to_datetime(time))
        .compatible()
}

/// Each day: well-formed times, `open < close`, at most a few intervals, no overlaps.
pub fn validate_opening_hours(v: &mut Violations, field: &str, hours: &OpeningHours) {
    for (day, intervals) in hours.days() {
        let path = format!("{field}.{day}");
        if intervals.len() > MAX_INTERVALS_PER_DAY {
            v.add(
                &path,
                "max_items",
                format!("at most {MAX_INTERVALS_PER_DAY} intervals per day"),
            );
            continue;
        }
        let mut parsed = Vec::new();
        for (i, interval) in intervals.iter().enumerate() {
            let open = parse_hhmm(&interval.open).filter(|m| *m < MINUTES_PER_DAY);
            let close = parse_hhmm(&interval.close);
            match (open, close) {
                (None, _) => v.add(
                    format!("{path}[{i}].open"),
                    "format",
                    "must be HH:MM between 00:00 and 23:59",
                ),
                (_, None) => v.add(
                    format!("{path}[{i}].close"),
                    "format",
                    "must be HH:MM between 00:00 and 24:00",
                ),
                (Some(o), Some(c)) if o >= c => v.add(
                    format!("{path}[{i}]"),
                    "order",
                    "open must be before close (use 24:00 for midnight)",
                ),
                (Some(o), Some(c)) => parsed.push((o, c)),
            }
        }
        parsed.sort_unstable();
        if parsed.windows(2).any(|w| w[1].0 < w[0].1) {
            v.add(&path, "overlap", "intervals must not overlap");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(open: &str, close: &str) -> LocalInterval {
        LocalInterval {
            open: open.into(),
            close: close.into(),
        }
    }

    #[test]
    fn parses_wall_clock_times() {
        assert_eq!(parse_hhmm("00:00"), Some(0));
        assert_eq!(parse_hhmm("09:30"), Some(570));
        assert_eq!(parse_hhmm("24:00"), Some(1440));
        for bad in ["24:01", "9:30", "09:60", "0930", "ab:cd", "", "09:30:00"] {
            assert_eq!(parse_hhmm(bad), None, "{bad}");
        }
    }

    #[test]
    fn accepts_iana_zones_only() {
        assert!(time_zone("Europe/Berlin").is_some());
        assert!(time_zone("America/New_York").is_some());
        assert!(time_zone("UTC").is_some());
        for bad in [
            "CET",
            "EST",
            "+01:00",
            "Europe/Atlantis",
            "",
            "europe/berlin ",
        ] {
            assert!(time_zone(bad).is_none(), "{bad}");
        }
    }

    fn utc(s: &str) -> jiff::Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn local_times_follow_dst_in_berlin() {
        let tz = time_zone("Europe/Berlin").unwrap();
        let before: Date = "2026-03-28".parse().unwrap();
        let change: Date = "2026-03-29".parse().unwrap(); // 02:00 -> 03:00
        assert_eq!(
            local_instant(before, &tz, 8 * 60).unwrap(),
            utc("2026-03-28T07:00:00Z")
        );
        assert_eq!(
            local_instant(change, &tz, 8 * 60).unwrap(),
            utc("2026-03-29T06:00:00Z")
        );
        // The change day is 23 hours long.
        let day = local_instant(change, &tz, MINUTES_PER_DAY).unwrap()
            - local_instant(change, &tz, 0).unwrap();
        assert_eq!(day.as_hours(), 23);
        // 02:30 does not exist that day: it resolves past the gap.
        assert_eq!(
            local_instant(change, &tz, 150).unwrap(),
            utc("2026-03-29T01:30:00Z")
        );
    }

    #[test]
    fn local_times_follow_dst_in_new_york() {
        let tz = time_zone("America/New_York").unwrap();
        let change: Date = "2026-11-01".parse().unwrap(); // 02:00 -> 01:00
        assert_eq!(
            local_instant(change, &tz, 9 * 60).unwrap(),
            utc("2026-11-01T14:00:00Z")
        );
        assert_eq!(
            local_instant("2026-10-31".parse().unwrap(), &tz, 9 * 60).unwrap(),
            utc("2026-10-31T13:00:00Z")
        );
        let day = local_instant(change, &tz, MINUTES_PER_DAY).unwrap()
            - local_instant(change, &tz, 0).unwrap();
        assert_eq!(day.as_hours(), 25);
        // 01:30 happens twice: the first (daylight) occurrence is used.
        assert_eq!(
            local_instant(change, &tz, 90).unwrap(),
            utc("2026-11-01T05:30:00Z")
        );
    }

    #[test]
    fn validates_each_day() {
        let hours = OpeningHours {
            monday: vec![iv("08:00", "12:00"), iv("13:00", "18:00")],
            tuesday: vec![iv("18:00", "08:00")],
            wednesday: vec![iv("08:00", "12:00"), iv("11:00", "14:00")],
            thursday: vec![iv("8:00", "12:00")],
            friday: vec![iv("00:00", "24:00")],
            ..Default::default()
        };
        let mut v = Violations::new();
        validate_opening_hours(&mut v, "opening_hours", &hours);
        let err = v.into_result().unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid request: opening_hours.tuesday[0] (order), opening_hours.wednesday (overlap), \
             opening_hours.thursday[0].open (format)"
        );
        assert_eq!(
            hours.for_weekday(jiff::civil::Weekday::Monday),
            vec![(480, 720), (780, 1080)]
        );
    }
}
