//! How amounts and rates are written: minor units with the currency's decimals, digits in
//! groups of three (`-1,234.56`, `12,000` for JPY), and VAT rates as percent (`19%`,
//! `8.1%`).

/// Decimals of a currency's minor unit as Stripe counts them, since the amounts are what
/// Stripe charged: its zero-decimal currencies have none, its three-decimal ones three,
/// and every other currency (and an unknown code) two.
pub fn decimals(currency: &str) -> u32 {
    const ZERO: &[&str] = &[
        "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
        "XAF", "XOF", "XPF",
    ];
    const THREE: &[&str] = &["BHD", "JOD", "KWD", "OMR", "TND"];
    let is = |codes: &[&str]| codes.iter().any(|c| c.eq_ignore_ascii_case(currency));
    if is(ZERO) {
        0
    } else if is(THREE) {
        3
    } else {
        2
    }
}

/// `minor` units of `currency`, e.g. `-1,234.56` (EUR) or `12,000` (JPY). Any `i64` can
/// be written, `i64::MIN` included.
pub fn amount(minor: i64, currency: &str) -> String {
    let decimals = decimals(currency);
    let unit = 10u64.pow(decimals);
    let abs = minor.unsigned_abs();
    let mut out = String::new();
    if minor < 0 {
        out.push('-');
    }
    out.push_str(&grouped(abs / unit));
    if decimals > 0 {
        let width = decimals as usize;
        out.push_str(&format!(".{:0width$}", abs % unit));
    }
    out
}

/// `1234567` as `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A rate in basis points as percent: 1900 is `19%`, 810 is `8.1%`, 2550 is `25.5%`.
pub fn percent(rate_bp: u32) -> String {
    let (whole, hundredths) = (rate_bp / 100, rate_bp % 100);
    if hundredths == 0 {
        format!("{whole}%")
    } else {
        let fraction = format!("{hundredths:02}");
        format!("{whole}.{}%", fraction.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_use_the_currencys_decimals() {
        assert_eq!(amount(123_456, "EUR"), "1,234.56");
        assert_eq!(amount(12_000, "JPY"), "12,000");
        assert_eq!(amount(12_000, "jpy"), "12,000");
        assert_eq!(amount(1_234, "KWD"), "1.234");
        assert_eq!(amount(5, "GBP"), "0.05");
        assert_eq!(amount(0, "EUR"), "0.00");
        assert_eq!(amount(-1_999, "EUR"), "-19.99");
        assert_eq!(amount(-999, "JPY"), "-999");
        assert_eq!(amount(100, "not a currency"), "1.00");
    }

    #[test]
    fn extreme_amounts_are_written_in_full() {
        assert_eq!(amount(i64::MIN, "EUR"), "-92,233,720,368,547,758.08");
        assert_eq!(amount(i64::MAX, "JPY"), "9,223,372,036,854,775,807");
    }

    #[test]
    fn rates_are_percent() {
        assert_eq!(percent(1900), "19%");
        assert_eq!(percent(810), "8.1%");
        assert_eq!(percent(2550), "25.5%");
        assert_eq!(percent(1), "0.01%");
        assert_eq!(percent(0), "0%");
        assert_eq!(percent(u32::MAX), "42949672.95%");
    }
}
