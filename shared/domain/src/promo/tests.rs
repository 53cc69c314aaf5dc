use super::*;
use crate::invoice::{TaxTreatment, Totals, booking_lines};
use crate::pricing::{MembershipBenefit, PriceLine, price};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

const NOW: &str = "2027-03-01T12:00:00Z";

const ADMIN: PromoAuthor<'static> = PromoAuthor::Admin("admin-1");
const OPERATOR: PromoAuthor<'static> = PromoAuthor::Operator("op-1");

fn draft() -> PromoDraft {
    PromoDraft {
        code: "  summer-10 ".into(),
        space_ids: Some(vec!["s1".into(), " s2 ".into()]),
        discount: Discount::Percent { percent: 10 },
        valid_from: ts("2027-03-01T00:00:00Z"),
        valid_until: ts("2027-04-01T00:00:00Z"),
        item_kinds: vec![],
        max_redemptions: Some(100),
        per_member_limit: Some(1),
    }
}

fn code() -> PromoCode {
    draft().checked(OPERATOR, ts(NOW)).unwrap()
}

/// `field:rule` of each violation of `d` by `author`.
fn broken(d: PromoDraft, author: PromoAuthor<'_>) -> Vec<String> {
    d.checked(author, ts(NOW)).unwrap_err().rules()
}

fn breakdown(total: i64, currency: &str) -> PriceBreakdown {
    PriceBreakdown {
        currency: currency.into(),
        price_per_hour: total,
        lines: vec![PriceLine {
            label: "standard".into(),
            minutes: 60,
            multiplier_percent: 100,
            amount: total,
        }],
        subtotal: total,
        included_minutes_applied: 0,
        included_amount: 0,
        discount_percent: 0,
        discount_amount: 0,
        promo_code: None,
        promo_amount: 0,
        total,
    }
}

fn with_discount(discount: Discount) -> PromoCode {
    PromoCode { discount, ..code() }
}

// --- Drafts ---

#[test]
fn a_valid_draft_becomes_a_normalised_code() {
    let c = code();
    assert_eq!(c.code, "SUMMER-10");
    assert_eq!(
        c.scope,
        PromoScope::Spaces {
            space_ids: vec!["s1".into(), "s2".into()]
        }
    );
    assert_eq!(
        (c.redeemed, c.disabled, c.version, c.created_by.as_str()),
        (0, false, 1, "op-1")
    );
    assert_eq!(c.created_at, ts(NOW));
    // An admin's code without spaces is for the whole platform.
    let d = PromoDraft {
        space_ids: None,
        discount: Discount::Amount {
            amount: 500,
            currency: " eur".into(),
        },
        ..draft()
    };
    let c = d.checked(ADMIN, ts(NOW)).unwrap();
    assert_eq!(c.scope, PromoScope::Platform);
    assert_eq!(
        c.discount,
        Discount::Amount {
            amount: 500,
            currency: "EUR".into()
        }
    );
    // Boundaries that are fine: 3 and 32 characters, 100 %, 50 spaces, no limits.
    let d = PromoDraft {
        code: "A-1".into(),
        discount: Discount::Percent { percent: 100 },
        space_ids: Some((0..MAX_PROMO_SPACES).map(|i| format!("s{i}")).collect()),
        max_redemptions: None,
        per_member_limit: None,
        item_kinds: vec![ItemKind::Desk, ItemKind::Room],
        ..draft()
    };
    assert!(d.checked(OPERATOR, ts(NOW)).is_ok());
    let d = PromoDraft {
        code: "X".repeat(MAX_CODE_CHARS),
        ..draft()
    };
    assert!(d.checked(OPERATOR, ts(NOW)).is_ok());
}

#[test]
fn each_rule_of_a_draft_names_its_field() {
    let cases: Vec<(PromoDraft, PromoAuthor<'_>, &str)> = vec![
        (
            PromoDraft {
                code: "  ".into(),
                ..draft()
            },
            OPERATOR,
            "code:required",
        ),
        (
            PromoDraft {
                code: "ab".into(),
                ..draft()
            },
            OPERATOR,
            "code:min_length",
        ),
        (
            PromoDraft {
                code: "X".repeat(MAX_CODE_CHARS + 1),
                ..draft()
            },
            OPERATOR,
            "code:max_length",
        ),
        (
            PromoDraft {
                code: "SUMMER 10".into(),
                ..draft()
            },
            OPERATOR,
            "code:format",
        ),
        (
            PromoDraft {
                code: "ÉTÉ10".into(),
                ..draft()
            },
            OPERATOR,
            "code:format",
        ),
        (
            PromoDraft {
                code: "SUMMER_10".into(),
                ..draft()
            },
            OPERATOR,
            "code:format",
        ),
        (
            PromoDraft {
                discount: Discount::Percent { percent: 0 },
                ..draft()
            },
            OPERATOR,
            "discount.percent:range",
        ),
        (
            PromoDraft {
                discount: Discount::Percent { percent: 101 },
                ..draft()
            },
            OPERATOR,
            "discount.percent:range",
        ),
        (
            PromoDraft {
                discount: Discount::Amount {
                    amount: 0,
                    currency: "EUR".into(),
                },
                ..draft()
            },
            OPERATOR,
            "discount.amount:range",
        ),
        (
            PromoDraft {
                discount: Discount::Amount {
                    amount: -5,
                    currency: "EUR".into(),
                },
                ..draft()
            },
            OPERATOR,
            "discount.amount:range",
        ),
        (
            PromoDraft {
                discount: Discount::Amount {
                    amount: MAX_AMOUNT + 1,
                    currency: "EUR".into(),
                },
                ..draft()
            },
            OPERATOR,
            "discount.amount:range",
        ),
        (
            PromoDraft {
                discount: Discount::Amount {
                    amount: 500,
                    currency: "EURO".into(),
                },
                ..draft()
            },
            OPERATOR,
            "discount.currency:enum",
        ),
        (
            PromoDraft {
                valid_until: ts("2027-05-01T00:00:00Z"),
                valid_from: ts("2027-05-01T00:00:00Z"),
                ..draft()
            },
            ADMIN,
            "valid_until:order",
        ),
        (
            PromoDraft {
                valid_from: ts("2027-06-01T00:00:00Z"),
                ..draft()
            },
            OPERATOR,
            "valid_until:order",
        ),
        (
            PromoDraft {
                valid_from: ts("2027-01-01T00:00:00Z"),
                valid_until: ts(NOW),
                ..draft()
            },
            OPERATOR,
            "valid_until:future",
        ),
        (
            PromoDraft {
                space_ids: None,
                ..draft()
            },
            OPERATOR,
            "space_ids:required",
        ),
        (
            PromoDraft {
                space_ids: Some(vec![]),
                ..draft()
            },
            ADMIN,
            "space_ids:min_items",
        ),
        (
            PromoDraft {
                space_ids: Some((0..=MAX_PROMO_SPACES).map(|i| format!("s{i}")).collect()),
                ..draft()
            },
            OPERATOR,
            "space_ids:max_items",
        ),
        (
            PromoDraft {
                space_ids: Some(vec!["s1".into(), " s1".into()]),
                ..draft()
            },
            OPERATOR,
            "space_ids[1]:unique",
        ),
        (
            PromoDraft {
                space_ids: Some(vec![" ".into()]),
                ..draft()
            },
            OPERATOR,
            "space_ids[0]:required",
        ),
        (
            PromoDraft {
                space_ids: Some(vec!["s".repeat(MAX_SPACE_ID_CHARS + 1)]),
                ..draft()
            },
            OPERATOR,
            "space_ids[0]:max_length",
        ),
        (
            PromoDraft {
                item_kinds: vec![ItemKind::Desk, ItemKind::Room, ItemKind::Desk],
                ..draft()
            },
            OPERATOR,
            "item_kinds[2]:unique",
        ),
        (
            PromoDraft {
                max_redemptions: Some(0),
                ..draft()
            },
            OPERATOR,
            "max_redemptions:range",
        ),
        (
            PromoDraft {
                per_member_limit: Some(0),
                ..draft()
            },
            OPERATOR,
            "per_member_limit:range",
        ),
    ];
    for (d, author, rule) in cases {
        assert_eq!(broken(d.clone(), author), vec![rule], "{d:?}");
    }
}

#[test]
fn every_broken_rule_is_listed_at_once() {
    let d = PromoDraft {
        code: "a b".into(),
        space_ids: None,
        discount: Discount::Percent { percent: 0 },
        valid_from: ts("2027-01-02T00:00:00Z"),
        valid_until: ts("2027-01-01T00:00:00Z"),
        item_kinds: vec![],
        max_redemptions: Some(0),
        per_member_limit: Some(0),
    };
    let err = d.checked(OPERATOR, ts(NOW)).unwrap_err();
    assert_eq!(
        err.rules(),
        [
            "code:format",
            "space_ids:required",
            "discount.percent:range",
            "valid_until:order",
            "valid_until:future",
            "max_redemptions:range",
            "per_member_limit:range",
        ]
    );
    let DomainError::Invalid(errors) = err else {
        panic!("not a 400");
    };
    assert!(errors.iter().all(|e| !e.message.is_empty()));
}

#[test]
fn a_draft_reads_from_json_and_a_code_round_trips() {
    let d: PromoDraft = serde_json::from_value(serde_json::json!({
        "code": "welcome",
        "space_ids": ["s1"],
        "discount": {"kind": "amount", "amount": 1000, "currency": "eur"},
        "valid_from": "2027-03-01T00:00:00Z",
        "valid_until": "2027-04-01T00:00:00Z",
        "item_kinds": ["desk"],
    }))
    .unwrap();
    let c = d.checked(OPERATOR, ts(NOW)).unwrap();
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(
        json["scope"],
        serde_json::json!({"kind": "spaces", "space_ids": ["s1"]})
    );
    assert_eq!(
        json["discount"],
        serde_json::json!({"kind": "amount", "amount": 1000, "currency": "EUR"})
    );
    assert!(json.get("max_redemptions").is_none());
    let back: PromoCode = serde_json::from_value(json).unwrap();
    assert_eq!(back, c);
    // Unknown fields are refused (a typo is not silently ignored).
    let typo = serde_json::from_value::<PromoDraft>(serde_json::json!({
        "code": "welcome",
        "discount": {"kind": "percent", "percent": 5},
        "valid_from": "2027-03-01T00:00:00Z",
        "valid_until": "2027-04-01T00:00:00Z",
        "max_redemption": 3,
    }));
    assert!(typo.is_err());
}

#[test]
fn codes_are_looked_up_normalised() {
    assert_eq!(normalize_code(" summer-10\n"), "SUMMER-10");
    assert_eq!(parse_code("summer-10").as_deref(), Some("SUMMER-10"));
    for bad in ["", "ab", "a b c", "ÉTÉ-10", "x;drop", &"X".repeat(33)] {
        assert_eq!(parse_code(bad), None, "{bad}");
    }
}

#[test]
fn operators_manage_their_own_codes_and_admins_all() {
    let c = code();
    assert!(c.manageable_by(OPERATOR));
    assert!(!c.manageable_by(PromoAuthor::Operator("op-2")));
    assert!(c.manageable_by(PromoAuthor::Admin("someone")));
}

// --- Patches ---

#[test]
fn a_patch_disables_moves_the_window_and_changes_the_limit() {
    let mut c = code();
    c.redeemed = 7;
    let p = PromoPatch {
        disabled: Some(true),
        valid_from: Some(ts("2027-02-01T00:00:00Z")),
        valid_until: Some(ts("2027-05-01T00:00:00Z")),
        max_redemptions: Some(Some(7)),
    };
    let next = p.checked(&c, ts(NOW)).unwrap();
    assert!(next.disabled);
    assert_eq!(next.valid_from, ts("2027-02-01T00:00:00Z"));
    assert_eq!(next.valid_until, ts("2027-05-01T00:00:00Z"));
    assert_eq!(next.max_redemptions, Some(7));
    assert_eq!((next.version, next.redeemed), (c.version + 1, 7));
    // `Some(None)` removes the limit; an empty patch changes nothing but the version.
    let next = PromoPatch {
        max_redemptions: Some(None),
        ..PromoPatch::default()
    }
    .checked(&c, ts(NOW))
    .unwrap();
    assert_eq!(next.max_redemptions, None);
    let same = PromoPatch::default().checked(&c, ts(NOW)).unwrap();
    assert_eq!(
        same,
        PromoCode {
            version: c.version + 1,
            ..c.clone()
        }
    );
    // An expired code may get its window moved into the future, or its start edited.
    let mut old = c.clone();
    old.valid_from = ts("2026-01-01T00:00:00Z");
    old.valid_until = ts("2026-02-01T00:00:00Z");
    let p = PromoPatch {
        valid_from: Some(ts("2026-01-15T00:00:00Z")),
        ..PromoPatch::default()
    };
    assert!(p.checked(&old, ts(NOW)).is_ok());
}

#[test]
fn each_rule_of_a_patch_names_its_field() {
    let mut c = code();
    c.redeemed = 7;
    let cases = [
        (
            PromoPatch {
                max_redemptions: Some(Some(6)),
                ..PromoPatch::default()
            },
            vec!["max_redemptions:redeemed"],
        ),
        (
            PromoPatch {
                max_redemptions: Some(Some(0)),
                ..PromoPatch::default()
            },
            vec!["max_redemptions:range"],
        ),
        (
            PromoPatch {
                valid_from: Some(ts("2027-01-01T00:00:00Z")),
                valid_until: Some(ts("2027-02-15T00:00:00Z")),
                ..PromoPatch::default()
            },
            vec!["valid_until:future"],
        ),
        (
            PromoPatch {
                valid_from: Some(ts("2027-04-01T00:00:00Z")),
                ..PromoPatch::default()
            },
            vec!["valid_until:order"],
        ),
        (
            PromoPatch {
                valid_from: Some(ts("2027-06-01T00:00:00Z")),
                valid_until: Some(ts("2027-05-01T00:00:00Z")),
                disabled: Some(false),
                max_redemptions: None,
            },
            vec!["valid_until:order"],
        ),
    ];
    for (p, rules) in cases {
        assert_eq!(
            p.clone().checked(&c, ts(NOW)).unwrap_err().rules(),
            rules,
            "{p:?}"
        );
    }
}

// --- Refusals ---

fn refused(
    c: &PromoCode,
    space: &str,
    kind: ItemKind,
    cur: &str,
    now: &str,
    member: u32,
) -> Option<&'static str> {
    refusal(c, space, kind, cur, ts(now), member).map(|r| r.rule())
}

#[test]
fn a_code_applies_inside_its_window_scope_and_limits() {
    let c = code();
    assert_eq!(refused(&c, "s1", ItemKind::Desk, "EUR", NOW, 0), None);
    assert_eq!(refused(&c, "s2", ItemKind::Office, "JPY", NOW, 0), None);
    // The window is half-open: its first instant counts, its last does not.
    assert_eq!(
        refused(&c, "s1", ItemKind::Desk, "EUR", "2027-03-01T00:00:00Z", 0),
        None
    );
    assert_eq!(
        refused(&c, "s1", ItemKind::Desk, "EUR", "2027-03-31T23:59:59Z", 0),
        None
    );
}

/// One booking asking for a code: where, what, in which currency, when, and how often the
/// member used the code before.
struct Ask {
    space: &'static str,
    kind: ItemKind,
    currency: &'static str,
    now: &'static str,
    member: u32,
}

const ASK: Ask = Ask {
    space: "s1",
    kind: ItemKind::Desk,
    currency: "EUR",
    now: NOW,
    member: 0,
};

#[test]
fn each_refusal_and_its_message() {
    let c = code();
    let cases = [
        (
            PromoCode {
                disabled: true,
                ..c.clone()
            },
            ASK,
            "disabled",
            "this promo code is no longer offered",
        ),
        (
            c.clone(),
            Ask {
                now: "2027-02-28T23:59:59Z",
                ..ASK
            },
            "not_yet_valid",
            "this promo code is valid from 2027-03-01T00:00:00Z",
        ),
        (
            c.clone(),
            Ask {
                now: "2027-04-01T00:00:00Z",
                ..ASK
            },
            "expired",
            "this promo code expired at 2027-04-01T00:00:00Z",
        ),
        (
            c.clone(),
            Ask { space: "s3", ..ASK },
            "not_for_this_space",
            "this promo code is not valid at this space",
        ),
        (
            PromoCode {
                item_kinds: vec![ItemKind::Desk, ItemKind::Room],
                ..c.clone()
            },
            Ask {
                kind: ItemKind::Office,
                ..ASK
            },
            "not_for_this_item_kind",
            "this promo code is only for desks and rooms",
        ),
        (
            with_discount(Discount::Amount {
                amount: 500,
                currency: "EUR".into(),
            }),
            Ask {
                currency: "CHF",
                ..ASK
            },
            "other_currency",
            "this promo code is only for prices in EUR",
        ),
        (
            PromoCode {
                redeemed: 100,
                ..c.clone()
            },
            ASK,
            "used_up",
            "this promo code has been used up",
        ),
        (
            c.clone(),
            Ask { member: 1, ..ASK },
            "member_limit_reached",
            "you have already used this promo code",
        ),
        (
            PromoCode {
                per_member_limit: Some(3),
                ..c.clone()
            },
            Ask { member: 3, ..ASK },
            "member_limit_reached",
            "you have already used this promo code 3 times",
        ),
    ];
    for (code, a, rule, message) in cases {
        let r = refusal(&code, a.space, a.kind, a.currency, ts(a.now), a.member).expect(rule);
        assert_eq!((r.rule(), r.message().as_str()), (rule, message));
        assert_eq!(r.to_string(), message);
        let e: DomainError = r.into();
        assert_eq!(e.rules(), [format!("promo_code:{rule}")]);
    }
    assert_eq!(PromoRefusal::Unknown.rule(), "unknown");
}

#[test]
fn refusals_come_in_order_and_limits_at_their_edge() {
    // Disabled and expired and elsewhere: disabled is what the member hears.
    let c = PromoCode {
        disabled: true,
        redeemed: 100,
        ..code()
    };
    assert_eq!(
        refused(&c, "s9", ItemKind::Desk, "EUR", "2028-01-01T00:00:00Z", 5),
        Some("disabled")
    );
    let c = PromoCode {
        redeemed: 100,
        ..code()
    };
    assert_eq!(
        refused(&c, "s9", ItemKind::Desk, "EUR", NOW, 5),
        Some("not_for_this_space")
    );
    assert_eq!(
        refused(&c, "s1", ItemKind::Desk, "EUR", NOW, 5),
        Some("used_up")
    );
    // One left: it applies; none: used up. No limit: never used up.
    let c = PromoCode {
        redeemed: 99,
        ..code()
    };
    assert_eq!(refused(&c, "s1", ItemKind::Desk, "EUR", NOW, 0), None);
    let c = PromoCode {
        redeemed: u32::MAX,
        max_redemptions: None,
        per_member_limit: None,
        ..code()
    };
    assert_eq!(refused(&c, "s1", ItemKind::Desk, "EUR", NOW, 1000), None);
    // A percent code works in any currency; an amount code compares case-insensitively.
    let c = with_discount(Discount::Amount {
        amount: 500,
        currency: "EUR".into(),
    });
    assert_eq!(refused(&c, "s1", ItemKind::Desk, "eur", NOW, 0), None);
}

#[test]
fn the_transaction_enforces_the_total_limit() {
    assert_eq!(redemption_condition(&code()), Some(100));
    let unlimited = PromoCode {
        max_redemptions: None,
        ..code()
    };
    assert_eq!(redemption_condition(&unlimited), None);
}

// --- Applying ---

#[test]
fn a_percentage_rounds_half_up_on_minor_units() {
    let ten = code();
    for (total, off) in [
        (1250, 125),
        (1005, 101),
        (1004, 100),
        (5, 1),
        (4, 0),
        (0, 0),
    ] {
        let p = apply_promo(&breakdown(total, "EUR"), &ten);
        assert_eq!((p.promo_amount, p.total), (off, total - off), "{total}");
        assert_eq!(p.promo_code.as_deref(), Some("SUMMER-10"));
    }
    let all = with_discount(Discount::Percent { percent: 100 });
    assert_eq!(apply_promo(&breakdown(999, "JPY"), &all).total, 0);
}

#[test]
fn an_amount_is_capped_at_the_total_and_must_be_in_its_currency() {
    let five = with_discount(Discount::Amount {
        amount: 500,
        currency: "EUR".into(),
    });
    let p = apply_promo(&breakdown(2000, "EUR"), &five);
    assert_eq!((p.promo_amount, p.total), (500, 1500));
    let p = apply_promo(&breakdown(300, "EUR"), &five);
    assert_eq!((p.promo_amount, p.total), (300, 0));
    // In another currency it takes nothing: the price is as it was.
    let chf = breakdown(2000, "CHF");
    assert_eq!(apply_promo(&chf, &five), chf);
}

#[test]
fn it_applies_after_included_hours_and_the_plan_discount_and_replaces_a_promo() {
    let tz = jiff::tz::TimeZone::UTC;
    let slots: Vec<Timestamp> = (0..3)
        .map(|i| ts("2027-03-03T09:00:00Z") + jiff::SignedDuration::from_hours(i))
        .collect();
    let m = MembershipBenefit {
        plan_id: "p".into(),
        discount_percent: 10,
        included_minutes_remaining: 60,
    };
    // 3 h at 20.00 = 60.00; one hour included: 40.00; plan -10 %: 36.00; promo -10 %: 32.40.
    let p = price(2000, "EUR", 60, &slots, &tz, &[], Some(&m));
    assert_eq!(p.total, 3600);
    let once = apply_promo(&p, &code());
    assert_eq!((once.promo_amount, once.total), (360, 3240));
    assert_eq!(
        (once.subtotal, once.included_amount, once.discount_amount),
        (p.subtotal, p.included_amount, p.discount_amount)
    );
    // Applying a code again, or another one, replaces the first.
    assert_eq!(apply_promo(&once, &code()), once);
    let other = PromoCode {
        code: "FLAT-5".into(),
        discount: Discount::Amount {
            amount: 500,
            currency: "EUR".into(),
        },
        ..code()
    };
    let swapped = apply_promo(&once, &other);
    assert_eq!(
        (
            swapped.promo_code.as_deref(),
            swapped.promo_amount,
            swapped.total
        ),
        (Some("FLAT-5"), 500, 3100)
    );
    // The invoice lists it after the plan discount and adds up without an adjustment.
    let lines = booking_lines(&once, TaxTreatment::Vat { rate_bp: 1900 });
    let labels: Vec<&str> = lines.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "standard",
            "Included hours of your plan (60 min)",
            "Plan discount (10 %)",
            "Promo code SUMMER-10",
        ]
    );
    assert_eq!(lines[3].gross, -360);
    assert_eq!(Totals::of(&lines).gross, 3240);
    // A price without a promo has no promo line, and its JSON no promo code.
    let json = serde_json::to_value(&p).unwrap();
    assert!(json.get("promo_code").is_none());
    assert_eq!(json["promo_amount"], 0);
    // A price stored before promo codes existed reads as one without.
    let mut old = json.clone();
    old.as_object_mut().unwrap().remove("promo_amount");
    assert_eq!(serde_json::from_value::<PriceBreakdown>(old).unwrap(), p);
}

// --- Generated invariants ---

/// A small deterministic generator (no dependency): xorshift.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_price(g: &mut Gen) -> PriceBreakdown {
    let tz = jiff::tz::TimeZone::UTC;
    let slot_minutes = [15u32, 30, 60][g.below(3) as usize];
    let n = 1 + g.below(12) as i64;
    let start = ts("2027-03-03T06:00:00Z");
    let slots: Vec<Timestamp> = (0..n)
        .map(|i| start + jiff::SignedDuration::from_mins(i * i64::from(slot_minutes)))
        .collect();
    let membership = (g.below(2) == 0).then(|| MembershipBenefit {
        plan_id: "p".into(),
        discount_percent: g.below(101) as u8,
        included_minutes_remaining: g.below(600) as u32,
    });
    let per_hour = match g.below(3) {
        0 => g.below(100) as i64,
        1 => g.below(10_000) as i64,
        _ => g.below(MAX_AMOUNT as u64) as i64,
    };
    let currency = ["EUR", "CHF", "JPY"][g.below(3) as usize];
    price(
        per_hour,
        currency,
        slot_minutes,
        &slots,
        &tz,
        &[],
        membership.as_ref(),
    )
}

fn random_code(g: &mut Gen) -> PromoCode {
    let discount = match g.below(3) {
        0 => Discount::Percent {
            percent: 1 + g.below(100) as u8,
        },
        1 => Discount::Percent { percent: 100 },
        _ => Discount::Amount {
            amount: {
                let max = if g.below(2) == 0 { 5_000 } else { 10_000_000 };
                1 + g.below(max) as i64
            },
            currency: ["EUR", "CHF", "JPY"][g.below(3) as usize].into(),
        },
    };
    with_discount(discount)
}

#[test]
fn applying_a_code_keeps_the_total_exact_and_never_negative() {
    let mut g = Gen(0x00C0_FFEE_1234);
    let mut applied = 0;
    for case in 0..10_000 {
        let before = random_price(&mut g);
        let code = random_code(&mut g);
        let after = apply_promo(&before, &code);
        assert!(after.total >= 0, "case {case}: {after:?}");
        assert!(after.promo_amount >= 0, "case {case}");
        assert_eq!(
            after.total + after.promo_amount,
            before.total,
            "case {case}"
        );
        // Nothing but the promo and the total changes.
        assert_eq!(
            PriceBreakdown {
                promo_code: None,
                promo_amount: 0,
                total: before.total,
                ..after.clone()
            },
            before,
            "case {case}"
        );
        match &code.discount {
            Discount::Percent { percent } => {
                applied += 1;
                assert_eq!(after.promo_code.as_deref(), Some(code.code.as_str()));
                let exact = before.total as f64 * f64::from(*percent) / 100.0;
                assert!(
                    (after.promo_amount as f64 - exact).abs() <= 0.5 + 1e-6 * exact.max(1.0),
                    "case {case}: {} of {} is {}",
                    percent,
                    before.total,
                    after.promo_amount
                );
                if *percent == 100 {
                    assert_eq!(after.total, 0, "case {case}");
                }
            }
            Discount::Amount { amount, currency } if *currency == before.currency => {
                applied += 1;
                assert_eq!(
                    after.promo_amount,
                    (*amount).min(before.total),
                    "case {case}"
                );
            }
            Discount::Amount { .. } => assert_eq!(after, before, "case {case}"),
        }
        // Applying it again changes nothing.
        assert_eq!(apply_promo(&after, &code), after, "case {case}");
        // The invoice of the discounted price sums exactly to what is charged.
        let treatment = match g.below(3) {
            0 => TaxTreatment::Vat {
                rate_bp: [1900, 2000, 810, 2550][g.below(4) as usize],
            },
            1 => TaxTreatment::ReverseCharge,
            _ => TaxTreatment::None,
        };
        let lines = booking_lines(&after, treatment);
        let totals = Totals::of(&lines);
        assert_eq!(totals.gross, after.total, "case {case}");
        assert_eq!(totals.net + totals.tax, totals.gross, "case {case}");
        assert!(
            lines.iter().all(|l| l.label != "Adjustment"),
            "case {case}: {lines:?}"
        );
        if after.promo_amount != 0 {
            assert_eq!(
                lines.last().map(|l| l.gross),
                Some(-after.promo_amount),
                "case {case}"
            );
        }
    }
    assert!(applied > 5_000, "too few codes applied: {applied}");
}
