//! Promo codes: a code a member enters when booking to take a percentage or an amount off
//! the price. An admin creates platform-wide codes; an operator creates codes for their
//! own spaces. Pure rules: what a code may be (`PromoDraft::checked`, `PromoPatch::checked`),
//! whether it applies to one booking (`refusal`), and what it takes off (`apply_promo`).
//!
//! Choices, and why:
//! - **The code is its key**: normalised to upper case (`normalize_code`), so `summer-10`
//!   typed at checkout finds `SUMMER-10`; it is unique on the platform (a conditional put
//!   on the code, in the adapter).
//! - **It applies last**: to the `total` after included hours and the plan discount, so a
//!   member's plan and a promotion add up the way a member expects and an amount code never
//!   makes a free booking negative.
//! - **The total limit is a counter**: `refusal` reads `redeemed` as it was loaded, which
//!   two bookings can read at once; the guarantee is the booking transaction incrementing
//!   `redeemed` under the condition `redeemed < redemption_condition(code)`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::money::{CURRENCIES, MAX_AMOUNT};
use crate::pricing::PriceBreakdown;
use crate::space::ItemKind;
use crate::validate::Violations;

pub const MIN_CODE_CHARS: usize = 3;
pub const MAX_CODE_CHARS: usize = 32;
/// Spaces an operator's code may list.
pub const MAX_PROMO_SPACES: usize = 50;
pub const MAX_SPACE_ID_CHARS: usize = 64;

/// A promo code as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PromoCode {
    /// Normalised: upper case, 3 to 32 of `A-Z`, `0-9` and `-`. Unique on the platform.
    pub code: String,
    pub scope: PromoScope,
    pub discount: Discount,
    /// Valid in `[valid_from, valid_until)`.
    #[schema(value_type = String, format = DateTime)]
    pub valid_from: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub valid_until: Timestamp,
    /// The kinds of item it is for; empty means every kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub item_kinds: Vec<ItemKind>,
    /// How many bookings may use it in all (none: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_redemptions: Option<u32>,
    /// How many bookings of one member may use it (none: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_member_limit: Option<u32>,
    /// Bookings that used it; counted by the booking transaction, never by an edit.
    #[serde(default)]
    pub redeemed: u32,
    /// Switched off by its owner: refused from then on.
    #[serde(default)]
    pub disabled: bool,
    /// User id of the admin or operator who created it.
    pub created_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Bumped by every edit; edits are conditional on it.
    pub version: u64,
}

/// The code a booking redeemed and the limits it was redeemed under: a late payment that
/// takes the booking's time back counts it again only within them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PromoTerms {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_redemptions: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_member_limit: Option<u32>,
}

impl From<&PromoCode> for PromoTerms {
    fn from(c: &PromoCode) -> Self {
        Self {
            code: c.code.clone(),
            max_redemptions: redemption_condition(c),
            per_member_limit: c.per_member_limit,
        }
    }
}

/// Where a code may be used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PromoScope {
    /// Every space on the platform (created by an admin).
    Platform,
    /// These spaces only (an operator's, 1 to 50).
    Spaces { space_ids: Vec<String> },
}

impl PromoScope {
    pub fn covers(&self, space_id: &str) -> bool {
        match self {
            Self::Platform => true,
            Self::Spaces { space_ids } => space_ids.iter().any(|s| s == space_id),
        }
    }
}

/// What a code takes off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Discount {
    /// 1 to 100 percent of the total, rounded half up to the minor unit.
    Percent { percent: u8 },
    /// A fixed amount in minor units of `currency` (at most the total).
    Amount { amount: i64, currency: String },
}

/// Who creates or edits a code, by user id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromoAuthor<'a> {
    /// May create platform-wide codes, or codes for any spaces, and edit every code.
    Admin(&'a str),
    /// Creates codes for their own spaces only and edits the codes they created. That the
    /// listed spaces are theirs is checked by the caller, which loads them.
    Operator(&'a str),
}

impl PromoAuthor<'_> {
    pub fn user_id(&self) -> &str {
        match self {
            Self::Admin(id) | Self::Operator(id) => id,
        }
    }
}

impl PromoCode {
    /// Whether `author` may edit (or disable) this code.
    pub fn manageable_by(&self, author: PromoAuthor<'_>) -> bool {
        match author {
            PromoAuthor::Admin(_) => true,
            PromoAuthor::Operator(id) => self.created_by == id,
        }
    }
}

/// A code as typed: trimmed, upper case. Look a code up by this.
pub fn normalize_code(raw: &str) -> String {
    raw.trim().to_ascii_uppercase()
}

/// The normalised code if it is well formed (a code that is not cannot exist: no lookup).
pub fn parse_code(raw: &str) -> Option<String> {
    let code = normalize_code(raw);
    let ok = (MIN_CODE_CHARS..=MAX_CODE_CHARS).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    ok.then_some(code)
}

fn validate_code(v: &mut Violations, field: &str, code: &str) {
    let len = code.chars().count();
    if len == 0 {
        v.add(field, "required", "a code is required");
    } else if len < MIN_CODE_CHARS {
        v.add(
            field,
            "min_length",
            format!("must be at least {MIN_CODE_CHARS} characters"),
        );
    } else if len > MAX_CODE_CHARS {
        v.add(
            field,
            "max_length",
            format!("must be at most {MAX_CODE_CHARS} characters"),
        );
    }
    v.check(
        code.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'),
        field,
        "format",
        "only letters A-Z, digits and '-'",
    );
}

fn validate_discount(v: &mut Violations, d: &Discount) {
    match d {
        Discount::Percent { percent } => v.check(
            (1..=100).contains(percent),
            "discount.percent",
            "range",
            "must be between 1 and 100",
        ),
        Discount::Amount { amount, currency } => {
            v.check(
                (1..=MAX_AMOUNT).contains(amount),
                "discount.amount",
                "range",
                format!("must be between 1 and {MAX_AMOUNT} minor units"),
            );
            v.check(
                CURRENCIES.contains(&currency.as_str()),
                "discount.currency",
                "enum",
                format!("must be one of {}", CURRENCIES.join(", ")),
            );
        }
    }
}

fn validate_limit(v: &mut Violations, field: &str, limit: Option<u32>) {
    if let Some(n) = limit {
        v.check(
            n >= 1,
            field,
            "range",
            "must be at least 1, or absent for no limit",
        );
    }
}

/// A new code as an admin or operator asks for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromoDraft {
    /// Letters, digits and `-`, 3 to 32; stored in upper case.
    pub code: String,
    /// The spaces it is for (1 to 50); absent: every space on the platform (admins only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space_ids: Option<Vec<String>>,
    pub discount: Discount,
    #[schema(value_type = String, format = DateTime)]
    pub valid_from: Timestamp,
    /// After `valid_from` and in the future.
    #[schema(value_type = String, format = DateTime)]
    pub valid_until: Timestamp,
    /// The kinds of item it is for; empty or absent means every kind.
    #[serde(default)]
    pub item_kinds: Vec<ItemKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_redemptions: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_member_limit: Option<u32>,
}

impl PromoDraft {
    /// The code to store, normalised (code and currency upper case, space ids trimmed), or
    /// every rule the draft breaks. Unique code and owned spaces are the caller's checks.
    pub fn checked(
        self,
        author: PromoAuthor<'_>,
        now: Timestamp,
    ) -> Result<PromoCode, DomainError> {
        let mut v = Violations::new();
        let code = normalize_code(&self.code);
        validate_code(&mut v, "code", &code);

        let scope = match (self.space_ids, author) {
            (None, PromoAuthor::Admin(_)) => PromoScope::Platform,
            (None, PromoAuthor::Operator(_)) => {
                v.add(
                    "space_ids",
                    "required",
                    "an operator's code is for their own spaces: list 1 to 50 of them",
                );
                PromoScope::Spaces {
                    space_ids: Vec::new(),
                }
            }
            (Some(ids), _) => {
                let space_ids: Vec<String> = ids.iter().map(|s| s.trim().to_string()).collect();
                validate_space_ids(&mut v, &space_ids);
                PromoScope::Spaces { space_ids }
            }
        };

        let discount = match self.discount {
            Discount::Amount { amount, currency } => Discount::Amount {
                amount,
                currency: currency.trim().to_ascii_uppercase(),
            },
            d => d,
        };
        validate_discount(&mut v, &discount);

        validate_window(&mut v, self.valid_from, self.valid_until);
        v.check(
            self.valid_until > now,
            "valid_until",
            "future",
            "must be in the future",
        );

        let mut seen = Vec::new();
        for (i, k) in self.item_kinds.iter().enumerate() {
            v.check(
                !seen.contains(k),
                format!("item_kinds[{i}]"),
                "unique",
                "is listed twice",
            );
            seen.push(*k);
        }
        validate_limit(&mut v, "max_redemptions", self.max_redemptions);
        validate_limit(&mut v, "per_member_limit", self.per_member_limit);
        v.into_result()?;

        Ok(PromoCode {
            code,
            scope,
            discount,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            item_kinds: self.item_kinds,
            max_redemptions: self.max_redemptions,
            per_member_limit: self.per_member_limit,
            redeemed: 0,
            disabled: false,
            created_by: author.user_id().to_string(),
            created_at: now,
            version: 1,
        })
    }
}

fn validate_space_ids(v: &mut Violations, ids: &[String]) {
    if ids.is_empty() {
        v.add("space_ids", "min_items", "list at least one space");
    }
    v.check(
        ids.len() <= MAX_PROMO_SPACES,
        "space_ids",
        "max_items",
        format!("at most {MAX_PROMO_SPACES} spaces"),
    );
    let mut seen = std::collections::HashSet::new();
    for (i, id) in ids.iter().enumerate() {
        let field = format!("space_ids[{i}]");
        v.text(&field, id, 1, MAX_SPACE_ID_CHARS);
        v.check(seen.insert(id), field, "unique", "is listed twice");
    }
}

fn validate_window(v: &mut Violations, from: Timestamp, until: Timestamp) {
    v.check(
        from < until,
        "valid_until",
        "order",
        "must be after valid_from",
    );
}

/// What an owner may change on a code; `None` leaves a field as it is. Scope, discount and
/// the code itself never change (bookings were priced with them): make a new code instead.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PromoPatch {
    pub disabled: Option<bool>,
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
    /// `Some(None)` removes the limit; a new limit is never below `redeemed`.
    pub max_redemptions: Option<Option<u32>>,
}

impl PromoPatch {
    /// `current` with the patch applied and its version bumped, or every rule it breaks.
    ///
    /// The limit is checked against `current.redeemed` as loaded; bookings may count more
    /// meanwhile, so the write must also be conditional on `redeemed <= max_redemptions`
    /// (and on `version`), and write only the patched fields, never `redeemed`.
    pub fn checked(self, current: &PromoCode, now: Timestamp) -> Result<PromoCode, DomainError> {
        let mut v = Violations::new();
        let mut next = current.clone();
        if let Some(d) = self.disabled {
            next.disabled = d;
        }
        if let Some(from) = self.valid_from {
            next.valid_from = from;
        }
        if let Some(until) = self.valid_until {
            next.valid_until = until;
            v.check(
                until == current.valid_until || until > now,
                "valid_until",
                "future",
                "must be in the future (disable the code to end it now)",
            );
        }
        if self.valid_from.is_some() || self.valid_until.is_some() {
            validate_window(&mut v, next.valid_from, next.valid_until);
        }
        if let Some(max) = self.max_redemptions {
            validate_limit(&mut v, "max_redemptions", max);
            if let Some(n) = max {
                v.check(
                    n == 0 || n >= current.redeemed,
                    "max_redemptions",
                    "redeemed",
                    format!(
                        "must be at least {}, the bookings that already used it",
                        current.redeemed
                    ),
                );
            }
            next.max_redemptions = max;
        }
        v.into_result()?;
        next.version += 1;
        Ok(next)
    }
}

/// Why a code does not apply to a booking; `message` is for the member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum PromoRefusal {
    /// No such code (the adapter's answer when none is stored; `refusal` never gives it).
    Unknown,
    Disabled,
    NotYetValid {
        #[schema(value_type = String, format = DateTime)]
        valid_from: Timestamp,
    },
    Expired {
        #[schema(value_type = String, format = DateTime)]
        valid_until: Timestamp,
    },
    NotForThisSpace,
    NotForThisItemKind {
        item_kinds: Vec<ItemKind>,
    },
    /// An amount code for prices in `currency`.
    OtherCurrency {
        currency: String,
    },
    UsedUp,
    MemberLimitReached {
        limit: u32,
    },
}

fn kind_plural(k: ItemKind) -> &'static str {
    match k {
        ItemKind::Desk => "desks",
        ItemKind::Room => "rooms",
        ItemKind::Office => "offices",
    }
}

impl PromoRefusal {
    /// The rule's name (`promo_code:<rule>` in a 400).
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Disabled => "disabled",
            Self::NotYetValid { .. } => "not_yet_valid",
            Self::Expired { .. } => "expired",
            Self::NotForThisSpace => "not_for_this_space",
            Self::NotForThisItemKind { .. } => "not_for_this_item_kind",
            Self::OtherCurrency { .. } => "other_currency",
            Self::UsedUp => "used_up",
            Self::MemberLimitReached { .. } => "member_limit_reached",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Self::Unknown => "there is no such promo code".into(),
            Self::Disabled => "this promo code is no longer offered".into(),
            Self::NotYetValid { valid_from } => {
                format!("this promo code is valid from {valid_from}")
            }
            Self::Expired { valid_until } => {
                format!("this promo code expired at {valid_until}")
            }
            Self::NotForThisSpace => "this promo code is not valid at this space".into(),
            Self::NotForThisItemKind { item_kinds } => {
                let kinds: Vec<&str> = item_kinds.iter().map(|k| kind_plural(*k)).collect();
                format!("this promo code is only for {}", kinds.join(" and "))
            }
            Self::OtherCurrency { currency } => {
                format!("this promo code is only for prices in {currency}")
            }
            Self::UsedUp => "this promo code has been used up".into(),
            Self::MemberLimitReached { limit: 1 } => "you have already used this promo code".into(),
            Self::MemberLimitReached { limit } => {
                format!("you have already used this promo code {limit} times")
            }
        }
    }
}

impl std::fmt::Display for PromoRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

/// The 409 of a code redeemed as often as it may be (`member`: by this member), whether
/// the read said so or the booking transaction's condition did.
pub fn used_up(code: &str, member: bool) -> DomainError {
    let detail = if member {
        format!("you have used the promo code {code} as often as it allows")
    } else {
        format!("the promo code {code} has been used as often as it may be")
    };
    DomainError::conflict(
        detail,
        Some(serde_json::json!({"promo_code": code, "per_member": member})),
    )
}

impl PromoRefusal {
    /// The answer to a booking: limits reached are a 409 ([`used_up`]); anything else a
    /// 400 on the request's `promo_code` field, which the member fixes or drops.
    pub fn answer(self, code: &str) -> DomainError {
        match self {
            Self::UsedUp => used_up(code, false),
            Self::MemberLimitReached { .. } => used_up(code, true),
            other => other.into(),
        }
    }
}

/// A refusal is a 400 on the request's `promo_code` field: the member fixes or drops it.
impl From<PromoRefusal> for DomainError {
    fn from(r: PromoRefusal) -> Self {
        DomainError::field("promo_code", r.rule(), r.message())
    }
}

/// Why `code` does not apply to booking an item of `item_kind` at `space_id`, priced in
/// `currency`, at `now`, by a member who used it `member_redeemed` times; `None`: it
/// applies. The first reason found, in the order of `PromoRefusal`. The total limit read
/// here is advisory (see `redemption_condition`).
pub fn refusal(
    code: &PromoCode,
    space_id: &str,
    item_kind: ItemKind,
    currency: &str,
    now: Timestamp,
    member_redeemed: u32,
) -> Option<PromoRefusal> {
    if code.disabled {
        return Some(PromoRefusal::Disabled);
    }
    if now < code.valid_from {
        return Some(PromoRefusal::NotYetValid {
            valid_from: code.valid_from,
        });
    }
    if now >= code.valid_until {
        return Some(PromoRefusal::Expired {
            valid_until: code.valid_until,
        });
    }
    if !code.scope.covers(space_id) {
        return Some(PromoRefusal::NotForThisSpace);
    }
    if !code.item_kinds.is_empty() && !code.item_kinds.contains(&item_kind) {
        return Some(PromoRefusal::NotForThisItemKind {
            item_kinds: code.item_kinds.clone(),
        });
    }
    if let Discount::Amount { currency: c, .. } = &code.discount
        && !c.eq_ignore_ascii_case(currency)
    {
        return Some(PromoRefusal::OtherCurrency {
            currency: c.clone(),
        });
    }
    if code.max_redemptions.is_some_and(|max| code.redeemed >= max) {
        return Some(PromoRefusal::UsedUp);
    }
    if let Some(limit) = code.per_member_limit
        && member_redeemed >= limit
    {
        return Some(PromoRefusal::MemberLimitReached { limit });
    }
    None
}

/// The limit the booking transaction enforces when it redeems `code`: increment
/// `redeemed` only where `redeemed < max` (`None`: unconditionally). Two bookings reading
/// the last redemption at once then cannot both take it; the loser gets `UsedUp`.
pub fn redemption_condition(code: &PromoCode) -> Option<u32> {
    code.max_redemptions
}

/// What `code` takes off a total of `total` (after included hours and plan discount):
/// a percentage rounded half up, or the amount, never more than the total.
fn discount_on(code: &PromoCode, total: i64) -> i64 {
    let total = total.max(0);
    let off = match &code.discount {
        Discount::Percent { percent } => {
            let pct = i128::from((*percent).min(100));
            ((i128::from(total) * pct + 50) / 100) as i64
        }
        Discount::Amount { amount, .. } => (*amount).max(0),
    };
    off.min(total)
}

/// `price` with `code` taken off its total: `promo_amount` is what it took (never more
/// than the total, never negative) and `total` is exactly the total before less it. A
/// promo already on `price` is replaced, not added to. An amount code in another currency
/// than the price's takes nothing (`refusal` refuses it first): `price` is answered as is.
pub fn apply_promo(price: &PriceBreakdown, code: &PromoCode) -> PriceBreakdown {
    if let Discount::Amount { currency, .. } = &code.discount
        && !currency.eq_ignore_ascii_case(&price.currency)
    {
        return price.clone();
    }
    let before = price.total + price.promo_amount;
    let off = discount_on(code, before);
    PriceBreakdown {
        promo_code: Some(code.code.clone()),
        promo_amount: off,
        total: before - off,
        ..price.clone()
    }
}

#[cfg(test)]
mod tests;
