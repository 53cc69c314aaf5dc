//! Instants inside keys and key conditions. RFC 3339 text sorts like time only at a fixed
//! width, and `Timestamp`'s own display drops trailing fractional digits, so keys use
//! whole seconds in UTC: `2026-11-24T09:00:00Z`.

use jiff::Timestamp;

pub fn sortable(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Like [`sortable`] with nanoseconds (fixed width): orders events within a second.
pub fn sortable_nanos(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
}

/// `ts` without its fraction of a second. Instants that conditions and filters compare as
/// text (hold expiry, booking start and end) are stored whole, so their text is fixed-width.
pub fn whole_seconds(ts: Timestamp) -> Timestamp {
    Timestamp::from_second(ts.as_second()).expect("in range")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_width_and_ordered() {
        let a: Timestamp = "2026-11-24T09:00:00.1Z".parse().unwrap();
        let b: Timestamp = "2026-11-24T09:00:01Z".parse().unwrap();
        assert_eq!(sortable(a), "2026-11-24T09:00:00Z");
        assert!(sortable(a) < sortable(b));
        // The pitfall this avoids:
        assert!(a.to_string().as_str() > "2026-11-24T09:00:00.14Z");
    }
}
