//! The pricing engine: base price per hour x duration, peak/off-peak multipliers by local
//! day and time, then membership benefits (included hours first, then the discount).
//!
//! All arithmetic is in integers. Each slot costs `price_per_hour x slot_minutes x percent`
//! in units of 1/6000 of a minor unit; amounts are rounded half-up once per line.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::hours::parse_hhmm;
use crate::validate::Violations;

/// A multiplier for slots starting on `days` between `start` and `end` (local time).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PricingRule {
    pub label: String,
    /// Lower-case weekday names; empty means every day.
    #[serde(default)]
    pub days: Vec<String>,
    pub start: String,
    pub end: String,
    /// 150 = +50 % (peak), 80 = -20 % (off-peak).
    pub multiplier_percent: u32,
}

pub const MAX_RULES: usize = 20;
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

pub fn validate_rules(v: &mut Violations, field: &str, rules: &[PricingRule]) {
    v.check(
        rules.len() <= MAX_RULES,
        field,
        "max_items",
        format!("at most {MAX_RULES} rules"),
    );
    for (i, r) in rules.iter().enumerate() {
        let f = format!("{field}[{i}]");
        v.text(&format!("{f}.label"), &r.label, 1, 40);
        for (j, d) in r.days.iter().enumerate() {
            v.check(
                WEEKDAYS.contains(&d.as_str()),
                format!("{f}.days[{j}]"),
                "enum",
                "must be a weekday name such as monday",
            );
        }
        match (parse_hhmm(&r.start), parse_hhmm(&r.end)) {
            (Some(s), Some(e)) => {
                v.check(s < e, format!("{f}.end"), "order", "must be after start")
            }
            _ => v.add(&f, "format", "start and end must be HH:MM"),
        }
        v.check(
            (10..=500).contains(&r.multiplier_percent),
            format!("{f}.multiplier_percent"),
            "range",
            "must be between 10 and 500",
        );
    }
}

/// What a member's plan contributes to one booking.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MembershipBenefit {
    pub plan_id: String,
    pub discount_percent: u8,
    /// Included minutes still unused this month.
    pub included_minutes_remaining: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PriceLine {
    pub label: String,
    pub minutes: u32,
    pub multiplier_percent: u32,
    pub amount: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PriceBreakdown {
    pub currency: String,
    pub price_per_hour: i64,
    pub lines: Vec<PriceLine>,
    pub subtotal: i64,
    pub included_minutes_applied: u32,
    pub included_amount: i64,
    pub discount_percent: u8,
    pub discount_amount: i64,
    /// The promo code taken off the price (`domain::promo::apply_promo`), normalised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promo_code: Option<String>,
    /// What the promo code took off, in minor units (never negative): `total` is after it.
    #[serde(default)]
    pub promo_amount: i64,
    /// What the member pays: subtotal less included hours, plan discount and promo code.
    pub total: i64,
}

fn round_div(x: i128, d: i128) -> i64 {
    ((x + d / 2) / d) as i64
}

fn weekday_name(w: jiff::civil::Weekday) -> &'static str {
    WEEKDAYS[w.to_monday_zero_offset() as usize]
}

/// The rule applying to a slot starting at local `weekday`/`minute`: the first that matches.
fn rule_for<'a>(rules: &'a [PricingRule], weekday: &str, minute: u16) -> Option<&'a PricingRule> {
    rules.iter().find(|r| {
        (r.days.is_empty() || r.days.iter().any(|d| d == weekday))
            && parse_hhmm(&r.start).is_some_and(|s| s <= minute)
            && parse_hhmm(&r.end).is_some_and(|e| minute < e)
    })
}

/// Prices the booked slots (buffer slots are free). `slots` are the slot starts in order.
pub fn price(
    price_per_hour: i64,
    currency: &str,
    slot_minutes: u32,
    slots: &[Timestamp],
    tz: &TimeZone,
    rules: &[PricingRule],
    membership: Option<&MembershipBenefit>,
) -> PriceBreakdown {
    const UNIT: i128 = 60 * 100;
    let mut lines: Vec<(String, u32, u32, i128)> = Vec::new(); // label, percent, minutes, raw
    let mut per_slot: Vec<i128> = Vec::with_capacity(slots.len());
    for s in slots {
        let local = s.to_zoned_datetime(tz.clone());
        let minute = (local.hour() as u16) * 60 + local.minute() as u16;
        let (label, pct) = match rule_for(rules, weekday_name(local.weekday()), minute) {
            Some(r) => (r.label.clone(), r.multiplier_percent),
            None => ("standard".to_string(), 100),
        };
        let raw = price_per_hour as i128 * slot_minutes as i128 * pct as i128;
        per_slot.push(raw);
        match lines.iter_mut().find(|l| l.0 == label && l.1 == pct) {
            Some(l) => {
                l.2 += slot_minutes;
                l.3 += raw;
            }
            None => lines.push((label, pct, slot_minutes, raw)),
        }
    }
    let lines: Vec<PriceLine> = lines
        .into_iter()
        .map(|(label, pct, minutes, raw)| PriceLine {
            label,
            minutes,
            multiplier_percent: pct,
            amount: round_div(raw, UNIT),
        })
        .collect();
    let subtotal: i64 = lines.iter().map(|l| l.amount).sum();
    let (mut included_minutes, mut included_raw) = (0u32, 0i128);
    let mut discount_percent = 0;
    if let Some(m) = membership {
        discount_percent = m.discount_percent.min(100);
        for raw in &per_slot {
            if included_minutes + slot_minutes > m.included_minutes_remaining {
                break;
            }
            included_minutes += slot_minutes;
            included_raw += raw;
        }
    }
    let included_amount = round_div(included_raw, UNIT).min(subtotal);
    let discount_amount = round_div(
        (subtotal - included_amount) as i128 * discount_percent as i128,
        100,
    );
    PriceBreakdown {
        currency: currency.to_string(),
        price_per_hour,
        lines,
        subtotal,
        included_minutes_applied: included_minutes,
        included_amount,
        discount_percent,
        discount_amount,
        promo_code: None,
        promo_amount: 0,
        total: subtotal - included_amount - discount_amount,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(from: &str, n: usize, minutes: i64) -> Vec<Timestamp> {
        let start: Timestamp = from.parse().unwrap();
        (0..n)
            .map(|i| start + jiff::SignedDuration::from_mins(minutes * i as i64))
            .collect()
    }

    fn peak() -> Vec<PricingRule> {
        vec![
            PricingRule {
                label: "peak".into(),
                days: vec!["monday".into(), "tuesday".into()],
                start: "09:00".into(),
                end: "12:00".into(),
                multiplier_percent: 150,
            },
            PricingRule {
                label: "evening".into(),
                days: vec![],
                start: "18:00".into(),
                end: "24:00".into(),
                multiplier_percent: 80,
            },
        ]
    }

    #[test]
    fn base_price_times_duration() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        // Wednesday 2026-11-25 10:00-12:00 local = 09:00Z, four 30-minute slots at 12.34/h.
        let p = price(
            1234,
            "EUR",
            30,
            &slots("2026-11-25T09:00:00Z", 4, 30),
            &tz,
            &[],
            None,
        );
        assert_eq!(p.subtotal, 2468);
        assert_eq!(p.total, 2468);
        assert_eq!(p.lines.len(), 1);
        assert_eq!(p.lines[0].minutes, 120);
    }

    #[test]
    fn peak_rules_apply_by_local_time_and_weekday() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        // Monday 2026-11-23 11:00-13:00 local (10:00Z): one peak hour, one standard hour.
        let p = price(
            1000,
            "EUR",
            60,
            &slots("2026-11-23T10:00:00Z", 2, 60),
            &tz,
            &peak(),
            None,
        );
        assert_eq!(
            p.lines[0],
            PriceLine {
                label: "peak".into(),
                minutes: 60,
                multiplier_percent: 150,
                amount: 1500
            }
        );
        assert_eq!(p.lines[1].amount, 1000);
        assert_eq!(p.total, 2500);
        // The same UTC hours on a Wednesday are not peak.
        let p = price(
            1000,
            "EUR",
            60,
            &slots("2026-11-25T10:00:00Z", 2, 60),
            &tz,
            &peak(),
            None,
        );
        assert_eq!(p.total, 2000);
    }

    #[test]
    fn peak_follows_dst_shift() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        // Monday 2026-03-30 (after the spring change, UTC+2): 09:00 local is 07:00Z.
        let p = price(
            1000,
            "EUR",
            60,
            &slots("2026-03-30T07:00:00Z", 1, 60),
            &tz,
            &peak(),
            None,
        );
        assert_eq!(p.total, 1500);
        // Monday 2026-03-23 (before, UTC+1): 07:00Z is 08:00 local, not peak.
        let p = price(
            1000,
            "EUR",
            60,
            &slots("2026-03-23T07:00:00Z", 1, 60),
            &tz,
            &peak(),
            None,
        );
        assert_eq!(p.total, 1000);
    }

    #[test]
    fn membership_included_hours_then_discount() {
        let tz = TimeZone::get("UTC").unwrap();
        let m = MembershipBenefit {
            plan_id: "p".into(),
            discount_percent: 10,
            included_minutes_remaining: 90,
        };
        // Three hours at 20.00: 90 included minutes cover one 60-minute slot only.
        let p = price(
            2000,
            "EUR",
            60,
            &slots("2026-11-25T09:00:00Z", 3, 60),
            &tz,
            &[],
            Some(&m),
        );
        assert_eq!(p.subtotal, 6000);
        assert_eq!(p.included_minutes_applied, 60);
        assert_eq!(p.included_amount, 2000);
        assert_eq!(p.discount_amount, 400);
        assert_eq!(p.total, 3600);
        // Fully covered: free.
        let m = MembershipBenefit {
            included_minutes_remaining: 600,
            ..m
        };
        let p = price(
            2000,
            "EUR",
            60,
            &slots("2026-11-25T09:00:00Z", 3, 60),
            &tz,
            &[],
            Some(&m),
        );
        assert_eq!(p.total, 0);
    }

    #[test]
    fn rounds_half_up_per_line() {
        let tz = TimeZone::get("UTC").unwrap();
        // 15 minutes at 0.99/h = 0.2475 -> 0.25 (25 minor units... of 99/4 = 24.75 -> 25).
        let p = price(
            99,
            "EUR",
            15,
            &slots("2026-11-25T09:00:00Z", 1, 15),
            &tz,
            &[],
            None,
        );
        assert_eq!(p.total, 25);
        // JPY has no minor unit but the arithmetic is the same.
        let p = price(
            1200,
            "JPY",
            30,
            &slots("2026-11-25T09:00:00Z", 3, 30),
            &tz,
            &[],
            None,
        );
        assert_eq!(p.total, 1800);
    }
}
