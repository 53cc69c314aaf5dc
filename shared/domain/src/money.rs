//! Money: integer minor units plus an ISO 4217 currency code. Never floats.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Money {
    /// Minor units (cents for EUR/USD, yen for JPY).
    pub amount: i64,
    /// ISO 4217, upper case.
    pub currency: String,
}

impl Money {
    pub fn new(amount: i64, currency: &str) -> Self {
        Self {
            amount,
            currency: currency.to_ascii_uppercase(),
        }
    }
}

/// ISO 4217 codes accepted for prices (all are Stripe presentment currencies).
pub const CURRENCIES: &[&str] = &[
    "AED", "AUD", "BRL", "CAD", "CHF", "CLP", "CNY", "COP", "CZK", "DKK", "EUR", "GBP", "HKD",
    "HUF", "IDR", "ILS", "INR", "JPY", "KRW", "MXN", "MYR", "NOK", "NZD", "PHP", "PLN", "RON",
    "SAR", "SEK", "SGD", "THB", "TRY", "TWD", "USD", "ZAR",
];

/// Largest accepted amount: 10 million in major units of a two-decimal currency.
pub const MAX_AMOUNT: i64 = 1_000_000_000;

pub fn validate_money(v: &mut crate::validate::Violations, field: &str, m: &Money) {
    v.check(
        (0..=MAX_AMOUNT).contains(&m.amount),
        format!("{field}.amount"),
        "range",
        format!("must be between 0 and {MAX_AMOUNT} minor units"),
    );
    v.check(
        CURRENCIES.contains(&m.currency.as_str()),
        format!("{field}.currency"),
        "enum",
        format!("must be one of {}", CURRENCIES.join(", ")),
    );
}
