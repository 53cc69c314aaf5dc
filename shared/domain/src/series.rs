//! Recurring bookings: a series of hourly bookings of one item, planned as a whole.
//!
//! The rule is a subset of RFC 5545's RRULE, enough for what members ask for:
//! `FREQ=DAILY|WEEKLY`, `INTERVAL`, `BYDAY` (days of the week), and exactly one of
//! `COUNT` or `UNTIL` (a local date, or a UTC instant as `YYYYMMDDTHHMMSSZ`). "Every
//! weekday" is `FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR` (or `FREQ=DAILY` with the same BYDAY).
//!
//! Occurrences keep the first one's local wall-clock times in the space's zone, so a
//! weekly 09:00-10:00 stays 09:00-10:00 across a DST change (the UTC instants move). A
//! local time a DST gap skips is moved forward by the gap (RFC 5545 and jiff's
//! "compatible" rule): an occurrence starting in the gap starts later and still ends at
//! its local end time, so it is shorter (and priced for what it is).
//!
//! Each occurrence is an ordinary booking (its own claims, check-in, no-show release,
//! calendar entry), tagged with a [`SeriesLink`]. What the series itself decides:
//! which occurrences exist, and whether a conflict refuses the whole series or is
//! skipped (the member's choice).

use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// The most occurrences one series may have: a year of weekly bookings.
pub const MAX_OCCURRENCES: usize = 52;
/// The furthest the last occurrence may start after the first.
pub const MAX_SPAN_DAYS: i64 = 366;

/// How often it repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    Daily,
    Weekly,
}

/// Where a series stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Until {
    /// N occurrences in all (the first included).
    Count(u32),
    /// The last local day an occurrence may start on.
    Date(Date),
    /// The last instant an occurrence may start at.
    Instant(Timestamp),
}

/// A parsed recurrence rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recurrence {
    pub frequency: Frequency,
    pub interval: u32,
    /// Days of the week it falls on (empty: the first occurrence's day, for weekly).
    pub by_day: Vec<Weekday>,
    pub until: Until,
}

/// Which series an occurrence belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SeriesLink {
    pub id: String,
    /// Its place in the series (0 = the first occurrence asked for).
    pub index: u32,
    /// Whether this occurrence took the member's unpaid-hold place: a series takes one
    /// place, whatever its number of occurrences (the first pending occurrence holds it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub counts_hold: bool,
}

/// What to do when some occurrences cannot be booked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnConflict {
    /// Book the free occurrences and say which were skipped.
    Skip,
    /// Book nothing unless every occurrence is free (409 listing the conflicts).
    #[default]
    Refuse,
}

impl OnConflict {
    pub fn as_str(self) -> &'static str {
        match self {
            OnConflict::Skip => "skip",
            OnConflict::Refuse => "refuse",
        }
    }
}

fn invalid(rule: &str, message: impl Into<String>) -> DomainError {
    DomainError::field("rrule", rule, message)
}

fn weekday(code: &str) -> Option<Weekday> {
    Some(match code {
        "MO" => Weekday::Monday,
        "TU" => Weekday::Tuesday,
        "WE" => Weekday::Wednesday,
        "TH" => Weekday::Thursday,
        "FR" => Weekday::Friday,
        "SA" => Weekday::Saturday,
        "SU" => Weekday::Sunday,
        _ => return None,
    })
}

fn weekday_code(d: Weekday) -> &'static str {
    match d {
        Weekday::Monday => "MO",
        Weekday::Tuesday => "TU",
        Weekday::Wednesday => "WE",
        Weekday::Thursday => "TH",
        Weekday::Friday => "FR",
        Weekday::Saturday => "SA",
        Weekday::Sunday => "SU",
    }
}

fn parse_until(v: &str) -> Result<Until, DomainError> {
    let bad = || {
        invalid(
            "format",
            "UNTIL is a date (YYYYMMDD) or a UTC instant (YYYYMMDDTHHMMSSZ)",
        )
    };
    let digits = |s: &str| s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit());
    let date = |s: &str| -> Result<Date, DomainError> {
        if !digits(s) {
            return Err(bad());
        }
        let n = |r: std::ops::Range<usize>| s[r].parse::<i16>().map_err(|_| bad());
        Date::new(n(0..4)?, n(4..6)? as i8, n(6..8)? as i8).map_err(|_| bad())
    };
    match v.split_once('T') {
        None => Ok(Until::Date(date(v)?)),
        Some((d, t)) => {
            let t = t.strip_suffix('Z').ok_or_else(|| {
                invalid("utc", "an UNTIL with a time must be in UTC (ending in Z)")
            })?;
            if t.len() != 6 || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let n = |r: std::ops::Range<usize>| t[r].parse::<i8>().map_err(|_| bad());
            let dt = date(d)?.to_datetime(
                jiff::civil::Time::new(n(0..2)?, n(2..4)?, n(4..6)?, 0).map_err(|_| bad())?,
            );
            let ts = TimeZone::UTC
                .to_ambiguous_timestamp(dt)
                .compatible()
                .map_err(|_| bad())?;
            Ok(Until::Instant(ts))
        }
    }
}

impl Recurrence {
    /// Parses `FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10` (an optional `RRULE:` prefix is allowed).
    pub fn parse(rule: &str) -> Result<Self, DomainError> {
        let rule = rule.trim();
        let rule = rule.strip_prefix("RRULE:").unwrap_or(rule);
        if rule.is_empty() || rule.len() > 200 {
            return Err(invalid("length", "a rule of 1 to 200 characters"));
        }
        let (mut frequency, mut interval, mut by_day, mut count, mut until) =
            (None, None, None, None, None);
        for part in rule.split(';') {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| invalid("format", format!("`{part}` is not NAME=VALUE")))?;
            let seen = match k.to_ascii_uppercase().as_str() {
                "FREQ" => frequency
                    .replace(match v.to_ascii_uppercase().as_str() {
                        "DAILY" => Frequency::Daily,
                        "WEEKLY" => Frequency::Weekly,
                        _ => {
                            return Err(invalid(
                                "frequency",
                                "FREQ is DAILY or WEEKLY (monthly and yearly series are not offered)",
                            ));
                        }
                    })
                    .is_some(),
                "INTERVAL" => interval
                    .replace(
                        v.parse::<u32>()
                            .ok()
                            .filter(|n| (1..=52).contains(n))
                            .ok_or_else(|| invalid("interval", "INTERVAL is 1 to 52"))?,
                    )
                    .is_some(),
                "BYDAY" => {
                    let mut days = Vec::new();
                    for code in v.split(',') {
                        let d = weekday(&code.to_ascii_uppercase()).ok_or_else(|| {
                            invalid(
                                "by_day",
                                format!("`{code}` is not a day (MO, TU, WE, TH, FR, SA, SU)"),
                            )
                        })?;
                        if !days.contains(&d) {
                            days.push(d);
                        }
                    }
                    by_day.replace(days).is_some()
                }
                "COUNT" => count
                    .replace(
                        v.parse::<u32>()
                            .ok()
                            .filter(|n| (1..=MAX_OCCURRENCES as u32).contains(n))
                            .ok_or_else(|| {
                                invalid("count", format!("COUNT is 1 to {MAX_OCCURRENCES}"))
                            })?,
                    )
                    .is_some(),
                "UNTIL" => until.replace(parse_until(v)?).is_some(),
                "WKST" if v.eq_ignore_ascii_case("MO") => false,
                other => {
                    return Err(invalid(
                        "unsupported",
                        format!(
                            "`{other}` is not supported (FREQ, INTERVAL, BYDAY, COUNT, UNTIL; WKST=MO)"
                        ),
                    ));
                }
            };
            if seen {
                return Err(invalid("repeated", format!("{k} is given twice")));
            }
        }
        let frequency = frequency.ok_or_else(|| invalid("required", "FREQ is required"))?;
        let until = match (count, until) {
            (Some(n), None) => Until::Count(n),
            (None, Some(u)) => u,
            _ => {
                return Err(invalid(
                    "end",
                    "exactly one of COUNT or UNTIL: a series always ends",
                ));
            }
        };
        let mut by_day = by_day.unwrap_or_default();
        by_day.sort_by_key(|d| d.to_monday_zero_offset());
        Ok(Recurrence {
            frequency,
            interval: interval.unwrap_or(1),
            by_day,
            until,
        })
    }

    /// The rule written back in RFC 5545 form (for the calendar and the answer).
    pub fn to_rrule(&self) -> String {
        let mut parts = vec![format!(
            "FREQ={}",
            match self.frequency {
                Frequency::Daily => "DAILY",
                Frequency::Weekly => "WEEKLY",
            }
        )];
        if self.interval != 1 {
            parts.push(format!("INTERVAL={}", self.interval));
        }
        if !self.by_day.is_empty() {
            let days: Vec<&str> = self.by_day.iter().map(|d| weekday_code(*d)).collect();
            parts.push(format!("BYDAY={}", days.join(",")));
        }
        parts.push(match self.until {
            Until::Count(n) => format!("COUNT={n}"),
            Until::Date(d) => format!("UNTIL={}", d.strftime("%Y%m%d")),
            Until::Instant(t) => format!("UNTIL={}", t.strftime("%Y%m%dT%H%M%SZ")),
        });
        parts.join(";")
    }

    /// Whether a local day is one the rule's pattern falls on, `days` after the first.
    fn falls_on(&self, first: Date, day: Date) -> bool {
        let on_day = if self.by_day.is_empty() {
            self.frequency == Frequency::Daily || day.weekday() == first.weekday()
        } else {
            self.by_day.contains(&day.weekday())
        };
        if !on_day {
            return false;
        }
        let days = (day - first).get_days() as i64;
        match self.frequency {
            Frequency::Daily => days % self.interval as i64 == 0,
            Frequency::Weekly => {
                // Weeks start on Monday (WKST=MO): count whole weeks between the Mondays.
                let monday = |d: Date| d - (d.weekday().to_monday_zero_offset() as i64).days();
                let weeks = (monday(day) - monday(first)).get_days() as i64 / 7;
                weeks % self.interval as i64 == 0
            }
        }
    }
}

/// One occurrence as planned: its place and its UTC interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub index: u32,
    pub start: Timestamp,
    pub end: Timestamp,
}

/// Every occurrence of a series whose first one is `[start, end)`, in `tz`. The first
/// occurrence must fall on the rule (a BYDAY that leaves out its day is refused, so the
/// series is what the member sees). Never more than [`MAX_OCCURRENCES`].
pub fn occurrences(
    rule: &Recurrence,
    start: Timestamp,
    end: Timestamp,
    tz: &TimeZone,
) -> Result<Vec<Occurrence>, DomainError> {
    if end <= start {
        return Err(DomainError::field(
            "end_time",
            "after_start",
            "end_time must be after start_time",
        ));
    }
    // Occurrences are hourly bookings: a day at most (stays are booked by the day).
    if end.duration_since(start) > SignedDuration::from_hours(24) {
        return Err(DomainError::field(
            "end_time",
            "too_long",
            "an occurrence lasts at most 24 hours",
        ));
    }
    let first: DateTime = tz.to_datetime(start);
    // The local wall-clock length, so each occurrence ends at the same local time.
    let local_end: DateTime = tz.to_datetime(end);
    let wall = local_end.duration_since(first);
    if !rule.by_day.is_empty() && !rule.by_day.contains(&first.date().weekday()) {
        return Err(DomainError::field(
            "start_time",
            "not_in_rule",
            "the first occurrence must fall on one of the rule's days (BYDAY)",
        ));
    }
    let last_day = first
        .date()
        .checked_add(MAX_SPAN_DAYS.days())
        .map_err(|_| {
            DomainError::field("start_time", "range", "a start_time within the calendar")
        })?;
    let mut out = Vec::new();
    let mut day = first.date();
    while day <= last_day {
        if rule.falls_on(first.date(), day) {
            let local = day.to_datetime(first.time());
            let s = tz
                .to_ambiguous_timestamp(local)
                .compatible()
                .map_err(|e| DomainError::Inconsistent(e.to_string()))?;
            let stop = match rule.until {
                Until::Count(n) => out.len() >= n as usize,
                Until::Date(d) => day > d,
                Until::Instant(t) => s > t,
            };
            if stop {
                break;
            }
            if out.len() == MAX_OCCURRENCES {
                return Err(invalid(
                    "too_many",
                    format!("a series has at most {MAX_OCCURRENCES} occurrences"),
                ));
            }
            let e = local
                .checked_add(wall)
                .ok()
                .and_then(|l| tz.to_ambiguous_timestamp(l).compatible().ok())
                .ok_or_else(|| {
                    DomainError::field("end_time", "range", "an end_time within the calendar")
                })?;
            // A gap at the end (or start) keeps the absolute length instead.
            let e = if e <= s {
                s + SignedDuration::from_secs((end - start).as_secs())
            } else {
                e
            };
            out.push(Occurrence {
                index: out.len() as u32,
                start: s,
                end: e,
            });
        }
        let Ok(next) = day.tomorrow() else { break };
        day = next;
    }
    if out.is_empty() {
        return Err(invalid("empty", "the rule gives no occurrence"));
    }
    Ok(out)
}

/// A series as it was booked: what was asked, what each occurrence became, and the one
/// payment that covers the booked ones. Written once, when the request is answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    pub id: String,
    pub user_id: String,
    pub space_id: String,
    pub bookable_item_id: String,
    pub time_zone: String,
    pub rrule: String,
    pub on_conflict: OnConflict,
    /// The request, canonicalized: the same Idempotency-Key with another request is 422.
    pub request: String,
    pub occurrences: Vec<SeriesOccurrence>,
    /// The one PaymentIntent for every booked occurrence that is not free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<SeriesPayment>,
    pub created_at: Timestamp,
}

/// One occurrence: booked (its booking id), or why not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesOccurrence {
    pub index: u32,
    pub start_time: Timestamp,
    pub end_time: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_id: Option<String>,
    /// Why it was not booked (taken, closed, a quota...), as the single booking's answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<serde_json::Value>,
}

/// What the series' one payment asks for: the sum of the booked occurrences' prices,
/// which the payment webhook checks the paid amount against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesPayment {
    pub stripe_payment_intent_id: String,
    pub client_secret: String,
    pub amount: i64,
    pub currency: String,
}

#[cfg(test)]
mod tests;
