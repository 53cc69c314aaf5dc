//! What an invoice or credit note says about money: its lines, the tax on each, and
//! totals that add up exactly to what was charged (#22). Pure rules; numbering, storage
//! and the PDF come on top of these.
//!
//! Choices, and why:
//! - **Prices are gross.** A member pays the price the space shows (`PriceBreakdown`);
//!   the invoice splits each line into net and tax (`net = round(gross * 10000 /
//!   (10000 + rate))`, `tax = gross - net`), so every line adds up exactly and the
//!   invoice's gross total is the amount Stripe charged, to the minor unit.
//! - **The rate is the space's country's standard VAT rate** from a table kept here
//!   (`standard_rate_bp`): the rates change a few times a year across the EU, a table
//!   is reviewable and testable, and it needs no network at booking or render time.
//!   Stripe Tax (behind a port) is the upgrade path when operators sell where a rate
//!   table is not enough.
//! - **EU reverse charge**: a business buyer with a VAT id of another EU country than the
//!   seller's pays the price as net and no VAT (the buyer accounts for it); a buyer in the
//!   seller's own country, or without a VAT id, pays VAT as any consumer.
//! - **A credit note** gives back part or all of an invoice at the invoice's rate and
//!   treatment, its lines negative, so credit notes and invoices sum per rate.

use serde::{Deserialize, Serialize};

use crate::pricing::PriceBreakdown;

mod document;
mod due;
pub use document::*;
pub use due::{DocumentDue, documents_due};

/// Standard VAT rates in basis points (19 % = 1900), by ISO 3166-1 alpha-2 country, as of
/// 2026. Countries without VAT on coworking (or not in the table) get none: the invoice
/// then states no tax, which an operator there must confirm before selling.
pub fn standard_rate_bp(country: &str) -> Option<u32> {
    let rate = match iso_country(country).as_str() {
        "AT" => 2000,
        "BE" => 2100,
        "BG" => 2000,
        "CY" => 1900,
        "CZ" => 2100,
        "DE" => 1900,
        "DK" => 2500,
        "EE" => 2400,
        "ES" => 2100,
        "FI" => 2550,
        "FR" => 2000,
        "GR" => 2400,
        "HR" => 2500,
        "HU" => 2700,
        "IE" => 2300,
        "IT" => 2200,
        "LT" => 2100,
        "LU" => 1700,
        "LV" => 2100,
        "MT" => 1800,
        "NL" => 2100,
        "PL" => 2300,
        "PT" => 2300,
        "RO" => 2100,
        "SE" => 2500,
        "SI" => 2200,
        "SK" => 2300,
        "GB" => 2000,
        "CH" => 810,
        "NO" => 2500,
        _ => return None,
    };
    Some(rate)
}

/// ISO 3166-1 for a country as written, upper case (Greece's VAT prefix `EL` is `GR`).
fn iso_country(country: &str) -> String {
    match country.to_ascii_uppercase().as_str() {
        "EL" => "GR".to_string(),
        c => c.to_string(),
    }
}

/// Member states of the EU (for the reverse charge), by ISO code (or Greece's `EL`).
pub fn is_eu(country: &str) -> bool {
    matches!(
        iso_country(country).as_str(),
        "AT" | "BE"
            | "BG"
            | "CY"
            | "CZ"
            | "DE"
            | "DK"
            | "EE"
            | "ES"
            | "FI"
            | "FR"
            | "GR"
            | "HR"
            | "HU"
            | "IE"
            | "IT"
            | "LT"
            | "LU"
            | "LV"
            | "MT"
            | "NL"
            | "PL"
            | "PT"
            | "RO"
            | "SE"
            | "SI"
            | "SK"
    )
}

/// A VAT id as written on an invoice: its country prefix and the rest, upper case without
/// spaces, dots or dashes. Only its shape is checked here (2 letters, then 2 to 12 letters
/// or digits); whether it is registered is asked of VIES through a port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VatId(String);

impl VatId {
    pub fn parse(raw: &str) -> Option<Self> {
        let id: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect::<String>()
            .to_ascii_uppercase();
        let (prefix, rest) = (id.get(..2)?, id.get(2..)?);
        let ok = prefix.chars().all(|c| c.is_ascii_uppercase())
            && (2..=12).contains(&rest.len())
            && rest.chars().all(|c| c.is_ascii_alphanumeric());
        ok.then_some(Self(id))
    }

    /// Its country as ISO 3166-1 (`EL` is Greece: `GR`).
    pub fn country(&self) -> &str {
        match self.0.get(..2) {
            Some("EL") => "GR",
            Some(c) => c,
            None => "",
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How tax applies to one sale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TaxTreatment {
    /// VAT at `rate_bp` (basis points) included in the price.
    Vat { rate_bp: u32 },
    /// EU business buyer in another member state: no VAT charged; the buyer accounts for it.
    ReverseCharge,
    /// No VAT known for the seller's country.
    None,
}

impl TaxTreatment {
    /// The treatment of a sale by a seller in `seller_country` to a buyer with `buyer_vat`.
    pub fn of(seller_country: &str, buyer_vat: Option<&VatId>) -> Self {
        let seller = iso_country(seller_country);
        if let Some(vat) = buyer_vat
            && is_eu(&seller)
            && is_eu(vat.country())
            && vat.country() != seller
        {
            return Self::ReverseCharge;
        }
        match standard_rate_bp(&seller) {
            Some(rate_bp) => Self::Vat { rate_bp },
            None => Self::None,
        }
    }

    fn rate_bp(self) -> u32 {
        match self {
            Self::Vat { rate_bp } => rate_bp,
            Self::ReverseCharge | Self::None => 0,
        }
    }

    /// `gross` split into (net, tax): net rounded half away from zero, tax the rest, so
    /// they always add up to `gross`.
    pub fn split(self, gross: i64) -> (i64, i64) {
        let rate = i128::from(self.rate_bp());
        if rate == 0 {
            return (gross, 0);
        }
        let num = i128::from(gross) * 10_000;
        let den = 10_000 + rate;
        let net = (num + num.signum() * den / 2) / den;
        let net = net as i64;
        (net, gross - net)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InvoiceLine {
    pub label: String,
    /// What the line costs with tax (negative for a discount or a credit).
    pub gross: i64,
    pub net: i64,
    pub tax: i64,
    pub rate_bp: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Totals {
    pub net: i64,
    pub tax: i64,
    pub gross: i64,
}

impl Totals {
    pub fn of(lines: &[InvoiceLine]) -> Self {
        lines.iter().fold(Self::default(), |t, l| Self {
            net: t.net + l.net,
            tax: t.tax + l.tax,
            gross: t.gross + l.gross,
        })
    }
}

fn line(label: impl Into<String>, gross: i64, treatment: TaxTreatment) -> InvoiceLine {
    let (net, tax) = treatment.split(gross);
    InvoiceLine {
        label: label.into(),
        gross,
        net,
        tax,
        rate_bp: treatment.rate_bp(),
    }
}

/// An invoice's lines for a booking priced as `price`: each price line, then the
/// included hours, the plan discount and the promo code as negative lines. Their gross
/// total is exactly `price.total` (what the payment asked for).
pub fn booking_lines(price: &PriceBreakdown, treatment: TaxTreatment) -> Vec<InvoiceLine> {
    let mut lines: Vec<InvoiceLine> = price
        .lines
        .iter()
        .map(|l| line(l.label.clone(), l.amount, treatment))
        .collect();
    // The breakdown's subtotal may differ from its lines' sum by the grid's rounding:
    // the difference is its own line, so the invoice adds up to what was charged.
    let listed: i64 = price.lines.iter().map(|l| l.amount).sum();
    if listed != price.subtotal {
        lines.push(line("Rounding", price.subtotal - listed, treatment));
    }
    if price.included_amount != 0 {
        lines.push(line(
            format!(
                "Included hours of your plan ({} min)",
                price.included_minutes_applied
            ),
            -price.included_amount,
            treatment,
        ));
    }
    if price.discount_amount != 0 {
        lines.push(line(
            format!("Plan discount ({} %)", price.discount_percent),
            -price.discount_amount,
            treatment,
        ));
    }
    if price.promo_amount != 0 {
        let label = match &price.promo_code {
            Some(code) => format!("Promo code {code}"),
            None => "Promo code".to_string(),
        };
        lines.push(line(label, -price.promo_amount, treatment));
    }
    let sum: i64 = lines.iter().map(|l| l.gross).sum();
    if sum != price.total {
        lines.push(line("Adjustment", price.total - sum, treatment));
    }
    lines
}

/// A credit note's lines giving back `amount` of an invoice whose lines are `invoice`
/// (a refund): all of it mirrors every line, so invoice and credit note cancel out per
/// rate to the minor unit; part of it is shared across the lines by their gross (largest
/// remainder, never more than a line), each share split at its line's rate.
pub fn credit_lines(
    invoice_number: &str,
    invoice: &[InvoiceLine],
    amount: i64,
) -> Vec<InvoiceLine> {
    let total: i64 = invoice.iter().map(|l| l.gross).sum();
    let amount = amount.clamp(0, total.max(0));
    let label = |l: &InvoiceLine| format!("Refund on invoice {invoice_number}: {}", l.label);
    if amount == 0 {
        return Vec::new();
    }
    if amount == total {
        return invoice
            .iter()
            .map(|l| InvoiceLine {
                label: label(l),
                gross: -l.gross,
                net: -l.net,
                tax: -l.tax,
                rate_bp: l.rate_bp,
            })
            .collect();
    }
    // Shares of the positive lines (a discount line is not refunded on its own).
    let base: Vec<(usize, i64)> = invoice
        .iter()
        .enumerate()
        .filter(|(_, l)| l.gross > 0)
        .map(|(i, l)| (i, l.gross))
        .collect();
    let sum: i128 = base.iter().map(|(_, g)| i128::from(*g)).sum();
    if sum == 0 {
        return Vec::new();
    }
    let mut shares: Vec<(usize, i64, i128)> = base
        .iter()
        .map(|&(i, g)| {
            let exact = i128::from(amount) * i128::from(g);
            (i, (exact / sum) as i64, exact % sum)
        })
        .collect();
    let mut left = amount - shares.iter().map(|s| s.1).sum::<i64>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| shares[*b].2.cmp(&shares[*a].2).then(a.cmp(b)));
    for k in order {
        if left == 0 {
            break;
        }
        let line_gross = invoice[shares[k].0].gross;
        if shares[k].1 < line_gross {
            shares[k].1 += 1;
            left -= 1;
        }
    }
    shares
        .into_iter()
        .filter(|s| s.1 > 0)
        .map(|(i, share, _)| {
            let l = &invoice[i];
            let treatment = match l.rate_bp {
                0 => TaxTreatment::None,
                rate_bp => TaxTreatment::Vat { rate_bp },
            };
            line(label(l), -share, treatment)
        })
        .collect()
}

#[cfg(test)]
mod tests;
