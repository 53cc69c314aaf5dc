//! iCalendar (RFC 5545) documents of bookings: the private feed a member's calendar app
//! subscribes to (Google Calendar, Outlook, Apple Calendar) and the file a confirmation
//! carries.
//!
//! Times are written in the space's zone (`DTSTART;TZID=Europe/Berlin:20271201T090000`),
//! so a booking shows at the space's local time wherever the reader is, and every zone
//! used is defined by a `VTIMEZONE` built from the time zone database (its transitions
//! around the bookings, written out one by one: no recurrence rules to get wrong), as RFC
//! 5545 requires of every `TZID`. Lines end in CRLF and are folded at 75 octets.

use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};

use crate::booking::{Booking, BookingStatus};

/// A feed URL's secret: two UUID v4s (244 random bits) as 64 hex digits. Calendar apps
/// cannot send headers, so the URL itself must be unguessable.
pub fn new_feed_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Whether `token` has the shape of one we issue (anything else is not looked up).
pub fn is_feed_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What is stored for a token: its SHA-256, so a copy of the table opens no feed.
pub fn feed_key(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

/// One booking as a calendar event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarEntry {
    /// The booking's id: the event keeps it across updates, so an edit replaces it.
    pub uid: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub time_zone: String,
    pub summary: String,
    pub location: Option<String>,
    pub description: String,
    pub status: EntryStatus,
    /// Grows with every change of the booking (its version), as RFC 5545 asks.
    pub sequence: u64,
    pub last_modified: Timestamp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryStatus {
    Confirmed,
    /// Held, not yet paid.
    Tentative,
    Cancelled,
}

impl EntryStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "CONFIRMED",
            Self::Tentative => "TENTATIVE",
            Self::Cancelled => "CANCELLED",
        }
    }
}

/// The event of `booking` at `space_name` (and its address, if known).
pub fn entry_for(booking: &Booking, space_name: &str, address: Option<String>) -> CalendarEntry {
    let status = match booking.status {
        BookingStatus::Confirmed => EntryStatus::Confirmed,
        BookingStatus::Pending => EntryStatus::Tentative,
        _ => EntryStatus::Cancelled,
    };
    CalendarEntry {
        uid: format!("{}@bookings.coworking", booking.id),
        start: booking.start_time,
        end: booking.end_time,
        time_zone: booking.time_zone.clone(),
        summary: format!("{} - {}", booking.item_identifier, space_name),
        location: address,
        description: format!("Booking {}", booking.id),
        status,
        sequence: booking.version,
        last_modified: booking.updated_at,
    }
}

/// The `.ics` a booking event's email carries (`BookingConfirmed`, `BookingCancelled`),
/// from the event's detail (`DomainEvent::booking`): the same event (UID) as in the feed.
pub fn invite_for_event(
    detail_type: &str,
    detail: &serde_json::Value,
    space_name: &str,
    address: Option<String>,
    now: Timestamp,
) -> Option<String> {
    let status = match detail_type {
        "BookingConfirmed" | "BookingReminder" => EntryStatus::Confirmed,
        "BookingCancelled" => EntryStatus::Cancelled,
        _ => return None,
    };
    let text = |k: &str| detail.get(k).and_then(|v| v.as_str());
    let time = |k: &str| text(k).and_then(|t| t.parse::<Timestamp>().ok());
    let id = text("booking_id")?;
    let entry = CalendarEntry {
        uid: format!("{id}@bookings.coworking"),
        start: time("start_time")?,
        end: time("end_time")?,
        time_zone: text("time_zone")?.to_string(),
        summary: format!(
            "{} - {space_name}",
            text("item_identifier").unwrap_or("Booking")
        ),
        location: address,
        description: format!("Booking {id}"),
        status,
        sequence: detail.get("version").and_then(|v| v.as_u64()).unwrap_or(0),
        last_modified: now,
    };
    Some(document("Coworking booking", &[entry], now))
}

/// A whole calendar: `name` is what calendar apps show for a subscribed feed.
pub fn document(name: &str, entries: &[CalendarEntry], now: Timestamp) -> String {
    let mut doc = Doc::default();
    doc.line("BEGIN:VCALENDAR");
    doc.line("VERSION:2.0");
    doc.line("PRODID:-//Coworking//Bookings//EN");
    // No METHOD: this is a calendar to show, not an iTIP message (which would need an
    // ORGANIZER and scheduling semantics calendar apps then apply).
    doc.line("CALSCALE:GREGORIAN");
    doc.line(&format!("X-WR-CALNAME:{}", text(name)));
    let mut zones: Vec<&str> = entries.iter().map(|e| e.time_zone.as_str()).collect();
    zones.sort_unstable();
    zones.dedup();
    for zone in zones {
        let Ok(tz) = TimeZone::get(zone) else {
            continue; // never stored: a space's zone is validated when it is set
        };
        let (from, to) = entries
            .iter()
            .filter(|e| e.time_zone == zone)
            .fold((Timestamp::MAX, Timestamp::MIN), |(a, b), e| {
                (a.min(e.start), b.max(e.end))
            });
        vtimezone(&mut doc, zone, &tz, from, to);
    }
    for entry in entries {
        vevent(&mut doc, entry, now);
    }
    doc.line("END:VCALENDAR");
    doc.0
}

fn vevent(doc: &mut Doc, e: &CalendarEntry, now: Timestamp) {
    let tz = TimeZone::get(&e.time_zone).unwrap_or(TimeZone::UTC);
    doc.line("BEGIN:VEVENT");
    doc.line(&format!("UID:{}", text(&e.uid)));
    doc.line(&format!("DTSTAMP:{}", utc(now)));
    doc.line(&format!(
        "DTSTART;TZID={}:{}",
        e.time_zone,
        local(&tz, e.start)
    ));
    doc.line(&format!("DTEND;TZID={}:{}", e.time_zone, local(&tz, e.end)));
    doc.line(&format!("SUMMARY:{}", text(&e.summary)));
    if let Some(location) = &e.location {
        doc.line(&format!("LOCATION:{}", text(location)));
    }
    doc.line(&format!("DESCRIPTION:{}", text(&e.description)));
    doc.line(&format!("STATUS:{}", e.status.as_str()));
    doc.line(&format!("SEQUENCE:{}", e.sequence));
    doc.line(&format!("LAST-MODIFIED:{}", utc(e.last_modified)));
    doc.line("TRANSP:OPAQUE");
    doc.line("END:VEVENT");
}

/// The zone's offsets from the one in effect at `from` through the last change before `to`.
fn vtimezone(doc: &mut Doc, zone: &str, tz: &TimeZone, from: Timestamp, to: Timestamp) {
    doc.line("BEGIN:VTIMEZONE");
    doc.line(&format!("TZID:{zone}"));
    let from = from
        .saturating_sub(SignedDuration::from_hours(24))
        .unwrap_or(from);
    let mut changes: Vec<(Timestamp, Offset, bool, String)> = Vec::new();
    let mut push = |t: &jiff::tz::TimeZoneTransition<'_>| {
        changes.push((
            t.timestamp(),
            t.offset(),
            t.dst().is_dst(),
            t.abbreviation().to_string(),
        ));
    };
    if let Some(t) = tz.preceding(from).next() {
        push(&t);
    }
    for t in tz.following(from) {
        if t.timestamp() > to {
            break;
        }
        push(&t);
    }
    if changes.is_empty() {
        // A fixed offset (UTC, or a zone without changes): one standard period.
        let info = tz.to_offset_info(from);
        let offset = offset_text(info.offset());
        doc.line("BEGIN:STANDARD");
        doc.line("DTSTART:19700101T000000");
        doc.line(&format!("TZOFFSETFROM:{offset}"));
        doc.line(&format!("TZOFFSETTO:{offset}"));
        doc.line(&format!("TZNAME:{}", text(info.abbreviation())));
        doc.line("END:STANDARD");
    }
    for (at, offset, dst, name) in changes {
        let before = tz.to_offset(
            at.saturating_sub(SignedDuration::from_secs(1))
                .unwrap_or(at),
        );
        let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
        doc.line(&format!("BEGIN:{kind}"));
        // The onset in the local time that was in effect before it (RFC 5545 3.6.5).
        doc.line(&format!("DTSTART:{}", civil(before.to_datetime(at))));
        doc.line(&format!("TZOFFSETFROM:{}", offset_text(before)));
        doc.line(&format!("TZOFFSETTO:{}", offset_text(offset)));
        doc.line(&format!("TZNAME:{}", text(&name)));
        doc.line(&format!("END:{kind}"));
    }
    doc.line("END:VTIMEZONE");
}

fn civil(dt: jiff::civil::DateTime) -> String {
    dt.strftime("%Y%m%dT%H%M%S").to_string()
}

fn local(tz: &TimeZone, t: Timestamp) -> String {
    civil(tz.to_datetime(t))
}

fn utc(t: Timestamp) -> String {
    format!("{}Z", civil(TimeZone::UTC.to_datetime(t)))
}

/// `+0100`, `-0430`, `+053028` (seconds only when there are some, e.g. old local times).
fn offset_text(offset: Offset) -> String {
    let s = offset.seconds();
    let sign = if s < 0 { '-' } else { '+' };
    let s = s.unsigned_abs();
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

/// A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped,
/// other control characters dropped.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Content lines: CRLF-terminated, folded so no physical line exceeds 75 octets
/// (continuations start with a space), never inside a UTF-8 character.
#[derive(Default)]
struct Doc(String);

impl Doc {
    fn line(&mut self, content: &str) {
        let mut width = 0;
        for c in content.chars() {
            if width + c.len_utf8() > 75 {
                self.0.push_str("\r\n ");
                width = 1;
            }
            self.0.push(c);
            width += c.len_utf8();
        }
        self.0.push_str("\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(zone: &str, start: &str, end: &str) -> CalendarEntry {
        CalendarEntry {
            uid: "bk_1@bookings.coworking".into(),
            start: start.parse().unwrap(),
            end: end.parse().unwrap(),
            time_zone: zone.into(),
            summary: "Desk 4 - Mitte; Loft, \"2nd\" floor".into(),
            location: Some("Torstraße 1, 10119 Berlin".into()),
            description: "Booking bk_1".into(),
            status: EntryStatus::Confirmed,
            sequence: 3,
            last_modified: "2027-01-01T00:00:00Z".parse().unwrap(),
        }
    }

    fn now() -> Timestamp {
        "2027-01-02T03:04:05Z".parse().unwrap()
    }

    #[test]
    fn times_are_local_to_the_space_with_its_zone_defined() {
        // 09:00 in Berlin in winter is 08:00 UTC.
        let doc = document(
            "My bookings",
            &[entry(
                "Europe/Berlin",
                "2027-01-15T08:00:00Z",
                "2027-01-15T10:00:00Z",
            )],
            now(),
        );
        assert!(
            doc.contains("DTSTART;TZID=Europe/Berlin:20270115T090000\r\n"),
            "{doc}"
        );
        assert!(doc.contains("DTEND;TZID=Europe/Berlin:20270115T110000\r\n"));
        assert!(doc.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"));
        // The offset in effect: the October 2026 change to CET.
        assert!(
            doc.contains(
                "DTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET"
            ),
            "{doc}"
        );
        assert!(doc.contains("DTSTAMP:20270102T030405Z\r\n"));
        assert!(doc.contains("SUMMARY:Desk 4 - Mitte\\; Loft\\, \"2nd\" floor\r\n"));
    }

    #[test]
    fn a_stay_across_a_dst_change_carries_both_offsets() {
        // Lord Howe Island moves by 30 minutes (+10:30 <-> +11:00).
        let doc = document(
            "x",
            &[entry(
                "Australia/Lord_Howe",
                "2027-03-20T00:00:00Z",
                "2027-04-10T00:00:00Z",
            )],
            now(),
        );
        assert!(
            doc.contains("TZOFFSETFROM:+1100\r\nTZOFFSETTO:+1030"),
            "{doc}"
        );
        assert!(doc.contains("BEGIN:STANDARD"));
    }

    #[test]
    fn a_zone_without_changes_has_one_period() {
        let doc = document(
            "x",
            &[entry(
                "Etc/UTC",
                "2027-03-20T09:00:00Z",
                "2027-03-20T10:00:00Z",
            )],
            now(),
        );
        assert!(doc.contains("BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000"), "{doc}");
        assert!(doc.contains("DTSTART;TZID=Etc/UTC:20270320T090000"));
    }

    #[test]
    fn every_line_is_crlf_and_at_most_75_octets_and_unfolds_to_the_content() {
        let mut e = entry(
            "Asia/Kolkata",
            "2027-03-20T09:00:00Z",
            "2027-03-20T10:00:00Z",
        );
        e.summary = "Große Besprechung ü".repeat(20);
        let doc = document("x", &[e.clone()], now());
        assert!(doc.ends_with("END:VCALENDAR\r\n"));
        for line in doc.split("\r\n") {
            assert!(line.len() <= 75, "{line:?}");
            assert!(!line.contains('\n'));
        }
        let unfolded = doc.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{}\r\n", e.summary)));
        assert!(doc.contains("TZOFFSETTO:+0530"));
    }

    #[test]
    fn a_confirmation_carries_the_booking_as_an_event_and_other_news_none() {
        let detail = serde_json::json!({
            "booking_id": "bk_9", "item_identifier": "Room A", "time_zone": "America/New_York",
            "start_time": "2027-07-01T13:00:00Z", "end_time": "2027-07-01T15:00:00Z", "version": 4
        });
        let doc = invite_for_event("BookingConfirmed", &detail, "Midtown", None, now()).unwrap();
        assert!(doc.contains("UID:bk_9@bookings.coworking\r\n"));
        assert!(
            doc.contains("DTSTART;TZID=America/New_York:20270701T090000\r\n"),
            "{doc}"
        );
        assert!(doc.contains("SEQUENCE:4\r\nLAST-MODIFIED"));
        assert!(doc.contains("SUMMARY:Room A - Midtown\r\n"));
        let cancelled =
            invite_for_event("BookingCancelled", &detail, "Midtown", None, now()).unwrap();
        assert!(cancelled.contains("STATUS:CANCELLED"));
        assert_eq!(
            invite_for_event("PaymentFailed", &detail, "Midtown", None, now()),
            None
        );
        assert_eq!(
            invite_for_event("BookingConfirmed", &serde_json::json!({}), "M", None, now()),
            None
        );
    }

    #[test]
    fn feed_tokens_are_unguessable_and_stored_only_as_their_hash() {
        let (a, b) = (new_feed_token(), new_feed_token());
        assert_ne!(a, b);
        assert!(is_feed_token(&a) && is_feed_token(&b));
        assert!(!is_feed_token(&a[1..]) && !is_feed_token(&format!("{}g", &a[1..])));
        assert_eq!(feed_key(&a), feed_key(&a));
        assert_ne!(feed_key(&a), a);
        assert_eq!(feed_key(&a).len(), 64);
    }

    #[test]
    fn offsets_are_written_with_seconds_only_when_needed() {
        assert_eq!(
            offset_text(Offset::from_seconds(-(4 * 3600 + 30 * 60)).unwrap()),
            "-0430"
        );
        assert_eq!(
            offset_text(Offset::from_seconds(3600 + 7).unwrap()),
            "+010007"
        );
        assert_eq!(text("a\\b\nc\u{7}"), "a\\\\b\\nc");
    }
}
