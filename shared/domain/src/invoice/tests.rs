use super::*;
use crate::pricing::PriceLine;

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

const COUNTRIES: [&str; 8] = ["DE", "FR", "FI", "CH", "GB", "LU", "US", "HU"];

fn breakdown(g: &mut Gen) -> PriceBreakdown {
    let n = 1 + g.below(5) as usize;
    let lines: Vec<PriceLine> = (0..n)
        .map(|i| PriceLine {
            label: format!("line {i}"),
            minutes: 30,
            multiplier_percent: 100,
            amount: g.below(10_000_000) as i64,
        })
        .collect();
    let subtotal: i64 = lines.iter().map(|l| l.amount).sum();
    let included_amount = (g.below(subtotal as u64 + 1) as i64).min(subtotal) * (g.below(2) as i64);
    let discount_percent = g.below(101) as u8;
    let discount_amount =
        ((subtotal - included_amount) as i128 * discount_percent as i128 / 100) as i64;
    let before_promo = subtotal - included_amount - discount_amount;
    // Half the prices carry a promo code taking anything from nothing to all of it.
    let (promo_code, promo_amount) = match g.below(2) {
        0 => (None, 0),
        _ => (
            Some("SUMMER-10".to_string()),
            g.below(before_promo as u64 + 1) as i64,
        ),
    };
    PriceBreakdown {
        currency: "EUR".into(),
        price_per_hour: 2000,
        lines,
        subtotal,
        included_minutes_applied: 60,
        included_amount,
        discount_percent,
        discount_amount,
        promo_code,
        promo_amount,
        total: before_promo - promo_amount,
    }
}

#[test]
fn every_line_and_the_total_add_up_to_what_was_charged() {
    let mut g = Gen(0x5EED_1234_ABCD);
    for case in 0..5_000 {
        let price = breakdown(&mut g);
        let seller = COUNTRIES[g.below(COUNTRIES.len() as u64) as usize];
        let buyer = match g.below(3) {
            0 => None,
            1 => VatId::parse("DE 123 456 789"),
            _ => VatId::parse("FR12345678901"),
        };
        let treatment = TaxTreatment::of(seller, buyer.as_ref());
        let lines = booking_lines(&price, treatment);
        let totals = Totals::of(&lines);
        assert_eq!(
            totals.gross, price.total,
            "case {case}: gross is the charge"
        );
        assert_eq!(totals.net + totals.tax, totals.gross, "case {case}");
        for l in &lines {
            assert_eq!(l.net + l.tax, l.gross, "case {case}: {l:?}");
            // Tax has the line's sign and is never more than the line.
            assert!(l.tax.signum() * l.gross.signum() >= 0, "case {case}: {l:?}");
            assert!(l.tax.abs() <= l.gross.abs(), "case {case}: {l:?}");
            // Net is the exact net rounded: within half a minor unit.
            let exact = l.gross as f64 * 10_000.0 / (10_000.0 + l.rate_bp as f64);
            assert!(
                (l.net as f64 - exact).abs() <= 0.5 + 1e-9,
                "case {case}: {l:?}"
            );
        }
        if treatment == TaxTreatment::ReverseCharge || treatment == TaxTreatment::None {
            assert_eq!(totals.tax, 0, "case {case}");
        }
        // Rounding per line stays within a minor unit per line of the tax on the total.
        let (_, tax_on_total) = treatment.split(totals.gross);
        assert!(
            (totals.tax - tax_on_total).abs() <= lines.len() as i64,
            "case {case}"
        );
    }
}

#[test]
fn a_credit_note_gives_back_exactly_the_refund_and_a_full_one_cancels_the_invoice() {
    let mut g = Gen(77);
    for case in 0..3_000 {
        let price = breakdown(&mut g);
        let treatment = TaxTreatment::of(COUNTRIES[g.below(8) as usize], None);
        let invoice = booking_lines(&price, treatment);
        let charged = Totals::of(&invoice);
        // All of it: every line mirrored, so net and tax cancel to the minor unit
        // (a free booking has nothing to refund).
        let full = Totals::of(&credit_lines("DE-000042", &invoice, charged.gross));
        assert!(
            charged.gross > 0 || full == Totals::default(),
            "case {case}"
        );
        let cancelled = (
            full.net + charged.net,
            full.tax + charged.tax,
            full.gross + charged.gross,
        );
        assert!(
            charged.gross == 0 || cancelled == (0, 0, 0),
            "case {case}: {cancelled:?}"
        );
        // Part of it: exactly the refund, never more than a line, each line adding up.
        let amount = g.below(charged.gross.max(0) as u64 + 1) as i64;
        let part = credit_lines("DE-000042", &invoice, amount);
        let t = Totals::of(&part);
        assert_eq!(t.gross, -amount, "case {case}");
        assert_eq!(t.net + t.tax, -amount, "case {case}");
        for l in &part {
            assert_eq!(l.net + l.tax, l.gross, "case {case}");
            // Shares are refunds; only a full refund mirrors a discount line.
            assert!(l.gross < 0 || amount == charged.gross, "case {case}: {l:?}");
        }
        assert!(t.tax.abs() <= charged.tax.abs() + 1, "case {case}");
    }
}

#[test]
fn reverse_charge_only_for_a_business_in_another_eu_country() {
    let de = VatId::parse("de123456789").unwrap();
    let fr = VatId::parse("FR 12 345678901").unwrap();
    let gb = VatId::parse("GB123456789").unwrap();
    let el = VatId::parse("EL123456789").unwrap();
    assert_eq!(el.country(), "GR");
    assert_eq!(
        TaxTreatment::of("DE", Some(&fr)),
        TaxTreatment::ReverseCharge
    );
    assert_eq!(
        TaxTreatment::of("GR", Some(&de)),
        TaxTreatment::ReverseCharge
    );
    assert_eq!(
        TaxTreatment::of("FR", Some(&el)),
        TaxTreatment::ReverseCharge
    );
    // Same country, no VAT id, or outside the EU: VAT as for anyone.
    assert_eq!(
        TaxTreatment::of("DE", Some(&de)),
        TaxTreatment::Vat { rate_bp: 1900 }
    );
    assert_eq!(
        TaxTreatment::of("GR", Some(&el)),
        TaxTreatment::Vat { rate_bp: 2400 }
    );
    assert_eq!(
        TaxTreatment::of("DE", None),
        TaxTreatment::Vat { rate_bp: 1900 }
    );
    assert_eq!(
        TaxTreatment::of("DE", Some(&gb)),
        TaxTreatment::Vat { rate_bp: 1900 }
    );
    assert_eq!(
        TaxTreatment::of("GB", Some(&fr)),
        TaxTreatment::Vat { rate_bp: 2000 }
    );
    assert_eq!(TaxTreatment::of("US", Some(&fr)), TaxTreatment::None);
    assert_eq!(
        TaxTreatment::of("ch", None),
        TaxTreatment::Vat { rate_bp: 810 }
    );
    // Greece written as its VAT prefix is Greece.
    assert_eq!(
        TaxTreatment::of("EL", Some(&el)),
        TaxTreatment::Vat { rate_bp: 2400 }
    );
    assert_eq!(
        TaxTreatment::of("EL", None),
        TaxTreatment::Vat { rate_bp: 2400 }
    );
    assert_eq!(
        TaxTreatment::of("EL", Some(&de)),
        TaxTreatment::ReverseCharge
    );
}

#[test]
fn vat_ids_are_read_by_their_shape() {
    assert_eq!(
        VatId::parse(" nl-8512.34567.B01 ").unwrap().as_str(),
        "NL851234567B01"
    );
    for bad in [
        "",
        "D",
        "DE",
        "DE1",
        "1E123456789",
        "DE12345678901234",
        "DE12345!789",
    ] {
        assert!(VatId::parse(bad).is_none(), "{bad}");
    }
}

#[test]
fn splitting_known_amounts() {
    let de = TaxTreatment::Vat { rate_bp: 1900 };
    assert_eq!(de.split(11_900), (10_000, 1_900));
    assert_eq!(de.split(100), (84, 16));
    assert_eq!(de.split(-100), (-84, -16));
    assert_eq!(de.split(0), (0, 0));
    assert_eq!(TaxTreatment::ReverseCharge.split(11_900), (11_900, 0));
    // Extreme amounts do not overflow.
    let (net, tax) = de.split(i64::MAX);
    assert_eq!(net.checked_add(tax), Some(i64::MAX));
}

#[test]
fn refunds_that_add_up_to_the_charge_cancel_the_invoice_per_rate_to_the_minor_unit() {
    let mut g = Gen(4242);
    let mut split_differently = 0;
    for case in 0..2_000 {
        let price = breakdown(&mut g);
        let treatment = TaxTreatment::of(COUNTRIES[g.below(8) as usize], None);
        let lines = booking_lines(&price, treatment);
        let invoice = Document {
            kind: DocumentKind::Invoice,
            issuer: "op".into(),
            number: 1,
            issued_at: jiff::Timestamp::UNIX_EPOCH,
            currency: price.currency.clone(),
            seller: Party::default(),
            buyer: Party::default(),
            buyer_id: "u".into(),
            subject: Subject::default(),
            treatment,
            totals: Totals::of(&lines),
            lines,
            credits: None,
            payment_ref: None,
        };
        let charged = invoice.totals.gross;
        if charged <= 0 {
            continue;
        }
        // Two to four refunds that give all of it back, in random parts.
        let parts = 2 + g.below(3) as usize;
        let mut left = charged;
        let mut notes: Vec<Document> = Vec::new();
        for k in 0..parts {
            let amount = if k + 1 == parts {
                left
            } else {
                g.below(left as u64 + 1) as i64
            };
            left -= amount;
            let note = credit_note(
                &invoice,
                &notes,
                k as u64 + 1,
                amount,
                "re",
                jiff::Timestamp::UNIX_EPOCH,
            );
            assert_eq!(note.totals.gross, -amount, "case {case}");
            for l in &note.lines {
                assert_eq!(l.net + l.tax, l.gross, "case {case}");
            }
            notes.push(note);
        }
        let credited = notes.iter().fold(Totals::default(), |t, n| Totals {
            net: t.net + n.totals.net,
            tax: t.tax + n.totals.tax,
            gross: t.gross + n.totals.gross,
        });
        assert_eq!(
            (credited.net, credited.tax, credited.gross),
            (-invoice.totals.net, -invoice.totals.tax, -charged),
            "case {case}"
        );
        // Without the rest rule the parts would not always cancel (what it is for).
        let naive: i64 = notes[..parts - 1].iter().map(|n| n.totals.tax).sum::<i64>()
            + Totals::of(&credit_lines(
                "INV",
                &invoice.lines,
                -notes[parts - 1].totals.gross,
            ))
            .tax;
        if naive != -invoice.totals.tax {
            split_differently += 1;
        }
    }
    assert!(
        split_differently > 0,
        "the generator reaches the one-cent case"
    );
}
