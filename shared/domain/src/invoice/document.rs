//! An issued invoice or credit note: who sells to whom, its number in the issuer's
//! sequence, its lines and totals. Built here from recorded facts (the booking's stored
//! price, the buyer's billing details at the charge, the seller's details) and never
//! changed after; a refund is a credit note of its own.
//!
//! Numbers: each issuer (a space's operator, or the platform) has one gapless sequence
//! of invoices and one of credit notes. The number is given by the caller, which takes
//! it in the same transaction that records the payment (`ports::invoices`).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{InvoiceLine, TaxTreatment, Totals, VatId, booking_lines, credit_lines};
use crate::booking::Booking;
use crate::events::DomainEvent;
use crate::space::Address;
use crate::user::BillingDetails;

/// The issuer of platform sales (memberships).
pub const PLATFORM_ISSUER: &str = "platform";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Invoice,
    CreditNote,
}

impl DocumentKind {
    /// The prefix of its written number and of its sequence's key.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Invoice => "INV",
            Self::CreditNote => "CN",
        }
    }
}

/// One side of a sale as printed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Party {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_id: Option<String>,
}

impl Party {
    /// A buyer or seller from billing details, `fallback_name` when no company is given.
    pub fn from_billing(billing: Option<&BillingDetails>, fallback_name: &str) -> Self {
        Self {
            name: billing
                .and_then(|b| b.company.clone())
                .unwrap_or_else(|| fallback_name.to_string()),
            address: billing.and_then(|b| b.address.clone()),
            vat_id: billing.and_then(|b| b.vat_id.clone()),
        }
    }

    fn vat(&self) -> Option<VatId> {
        self.vat_id.as_deref().and_then(VatId::parse)
    }
}

/// What a document is about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Subject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub membership_id: Option<String>,
    /// What was sold, in words ("Room 1, 2026-12-01 09:00–11:00 UTC").
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Document {
    pub kind: DocumentKind,
    /// The operator's user id, or [`PLATFORM_ISSUER`].
    pub issuer: String,
    /// Its place in the issuer's sequence of this kind, from 1.
    pub number: u64,
    #[schema(value_type = String, format = DateTime)]
    pub issued_at: Timestamp,
    pub currency: String,
    pub seller: Party,
    pub buyer: Party,
    /// The member who bought (an anonymous id after erasure).
    pub buyer_id: String,
    pub subject: Subject,
    pub treatment: TaxTreatment,
    pub lines: Vec<InvoiceLine>,
    pub totals: Totals,
    /// A credit note: the written number of the invoice it gives back part of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits: Option<String>,
    /// The payment it records (a PaymentIntent, a Stripe invoice, a refund).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_ref: Option<String>,
}

/// A document's written number: `INV-000042`, `CN-000007`.
pub fn written_number(kind: DocumentKind, number: u64) -> String {
    format!("{}-{number:06}", kind.prefix())
}

impl Document {
    pub fn written_number(&self) -> String {
        written_number(self.kind, self.number)
    }

    /// Its id: unique across issuers and kinds.
    pub fn id(&self) -> String {
        document_id(&self.issuer, self.kind, self.number)
    }

    /// Where its PDF is kept: `documents/<issuer>/INV-000042.pdf`.
    pub fn file_key(&self) -> String {
        format!("documents/{}/{}.pdf", self.issuer, self.written_number())
    }

    /// The sentence the law asks for under its treatment, if any.
    pub fn tax_note(&self) -> Option<&'static str> {
        match self.treatment {
            TaxTreatment::ReverseCharge => Some(
                "Reverse charge: VAT to be accounted for by the recipient (Art. 196 VAT Directive).",
            ),
            TaxTreatment::None => Some("No VAT charged."),
            TaxTreatment::Vat { .. } => None,
        }
    }
}

/// `<issuer>.INV.42`: unique, and safe in a URL path as it is.
pub fn document_id(issuer: &str, kind: DocumentKind, number: u64) -> String {
    format!("{issuer}.{}.{number}", kind.prefix())
}

/// The parties of a sale and what it was, as read when it is paid.
#[derive(Clone, Debug)]
pub struct Sale {
    pub seller: Party,
    /// Where the seller sells from (the space's country): its VAT applies.
    pub seller_country: String,
    pub buyer: Party,
    pub description: String,
}

/// The invoice for a paid booking, numbered `number` in its issuer's sequence: the
/// booking's stored price as lines, taxed by the seller's country and the buyer's VAT id.
/// Its gross total is the booking's price total, which the payment matched.
pub fn booking_invoice(
    booking: &Booking,
    issuer: &str,
    number: u64,
    sale: Sale,
    now: Timestamp,
) -> Document {
    let Sale {
        seller,
        seller_country,
        buyer,
        description,
    } = sale;
    let treatment = TaxTreatment::of(&seller_country, buyer.vat().as_ref());
    let lines = booking_lines(&booking.price, treatment);
    Document {
        kind: DocumentKind::Invoice,
        issuer: issuer.to_string(),
        number,
        issued_at: now,
        currency: booking.price.currency.clone(),
        totals: Totals::of(&lines),
        lines,
        seller,
        buyer,
        buyer_id: booking.user_id.clone(),
        subject: Subject {
            space_id: Some(booking.space_id.clone()),
            booking_id: Some(booking.id.clone()),
            membership_id: None,
            description,
        },
        treatment,
        credits: None,
        payment_ref: None,
    }
}

/// The platform's invoice for a membership charge of `amount` (what Stripe charged,
/// checked against the membership's monthly price by the caller), numbered `number` in
/// the platform's sequence.
pub fn membership_invoice(
    membership: &crate::membership::Membership,
    number: u64,
    sale: Sale,
    (amount, currency): (i64, &str),
    now: Timestamp,
) -> Document {
    let Sale {
        seller,
        seller_country,
        buyer,
        description,
    } = sale;
    let treatment = TaxTreatment::of(&seller_country, buyer.vat().as_ref());
    let (net, tax) = treatment.split(amount);
    let lines = vec![InvoiceLine {
        label: format!("Membership: {}", membership.plan_name),
        gross: amount,
        net,
        tax,
        rate_bp: match treatment {
            TaxTreatment::Vat { rate_bp } => rate_bp,
            _ => 0,
        },
    }];
    Document {
        kind: DocumentKind::Invoice,
        issuer: PLATFORM_ISSUER.to_string(),
        number,
        issued_at: now,
        currency: currency.to_ascii_uppercase(),
        totals: Totals::of(&lines),
        lines,
        seller,
        buyer,
        buyer_id: membership.user_id.clone(),
        subject: Subject {
            space_id: None,
            booking_id: None,
            membership_id: Some(membership.stripe_subscription_id.clone()),
            description,
        },
        treatment,
        credits: None,
        payment_ref: None,
    }
}

/// The event telling the member an invoice of theirs is issued (a membership's: a
/// booking's invoice goes with its confirmation). Ids and amounts only.
pub fn issued_event(doc: &Document, now: Timestamp) -> DomainEvent {
    DomainEvent::new(
        crate::events::PAYMENTS_SOURCE,
        "InvoiceIssued",
        now,
        serde_json::json!({
            "user_id": doc.buyer_id,
            "invoice_id": doc.id(),
            "number": doc.written_number(),
            "amount": doc.totals.gross,
            "currency": doc.currency,
        }),
    )
}

/// The credit note giving back `amount` of `invoice` (a refund), numbered `number` in the
/// issuer's credit-note sequence; parties, treatment and subject are the invoice's.
/// `earlier` are the invoice's credit notes so far: the one that gives back the rest gives
/// back exactly what is left of each rate's net and tax, so that together they cancel the
/// invoice to the minor unit (each partial one is split on its own, which may leave a
/// cent of VAT behind otherwise).
pub fn credit_note(
    invoice: &Document,
    earlier: &[Document],
    number: u64,
    amount: i64,
    refund_ref: &str,
    now: Timestamp,
) -> Document {
    let credited: i64 = earlier.iter().map(|d| -d.totals.gross).sum();
    let lines = if !earlier.is_empty() && amount == invoice.totals.gross - credited {
        rest_lines(invoice, earlier)
    } else {
        credit_lines(&invoice.written_number(), &invoice.lines, amount)
    };
    Document {
        kind: DocumentKind::CreditNote,
        issuer: invoice.issuer.clone(),
        number,
        issued_at: now,
        currency: invoice.currency.clone(),
        totals: Totals::of(&lines),
        lines,
        seller: invoice.seller.clone(),
        buyer: invoice.buyer.clone(),
        buyer_id: invoice.buyer_id.clone(),
        subject: invoice.subject.clone(),
        treatment: invoice.treatment,
        credits: Some(invoice.written_number()),
        payment_ref: Some(refund_ref.to_string()),
    }
}

/// Names `doc` in the events written with it, so their consumers find it: a confirmation
/// (or a payment recorded for a confirmed booking) its invoice, a refund its credit note
/// (the notifications attach them to the email they send).
pub fn annotate(events: &mut [DomainEvent], doc: &Document) {
    let (kinds, field): (&[&str], &str) = match doc.kind {
        DocumentKind::Invoice => (&["BookingConfirmed", "PaymentSucceeded"], "invoice_id"),
        DocumentKind::CreditNote => (&["PaymentRefunded"], "credit_note_id"),
    };
    for e in events.iter_mut() {
        if kinds.contains(&e.detail_type.as_str())
            && let Some(detail) = e.detail.as_object_mut()
        {
            detail.insert(field.into(), doc.id().into());
        }
    }
}

/// What is left of `invoice` after its `earlier` credit notes, per rate, as negative lines.
fn rest_lines(invoice: &Document, earlier: &[Document]) -> Vec<InvoiceLine> {
    let mut rates: Vec<u32> = invoice.lines.iter().map(|l| l.rate_bp).collect();
    rates.sort_unstable();
    rates.dedup();
    let sum = |lines: &mut dyn Iterator<Item = &InvoiceLine>, rate: u32| {
        lines
            .filter(|l| l.rate_bp == rate)
            .fold((0, 0, 0), |(g, n, t), l| {
                (g + l.gross, n + l.net, t + l.tax)
            })
    };
    rates
        .into_iter()
        .filter_map(|rate| {
            let (g, n, t) = sum(&mut invoice.lines.iter(), rate);
            let (cg, cn, ct) = sum(&mut earlier.iter().flat_map(|d| d.lines.iter()), rate);
            let (g, n, t) = (g + cg, n + cn, t + ct);
            (g != 0 || n != 0 || t != 0).then(|| InvoiceLine {
                label: format!("Refund on invoice {}: the rest", invoice.written_number()),
                gross: -g,
                net: -n,
                tax: -t,
                rate_bp: rate,
            })
        })
        .collect()
}
