//! Rendered documents read back with a real PDF parser and text extractor (lopdf).

use domain::invoice::{Document, DocumentKind, InvoiceLine, Party, Subject, TaxTreatment, Totals};
use domain::space::Address;
use invoice_pdf::{amount, render};

/// The number of pages and the text of all of them.
fn read(pdf: &[u8]) -> (usize, String) {
    let doc = lopdf::Document::load_mem(pdf).expect("a PDF lopdf can parse");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).expect("extractable text");
    (pages.len(), text)
}

fn party(name: &str, country: &str, vat_id: &str) -> Party {
    Party {
        name: name.to_string(),
        address: Some(Address {
            line1: "Hauptstraße 1".to_string(),
            line2: Some("2nd floor".to_string()),
            city: "Berlin".to_string(),
            postal_code: "10115".to_string(),
            country: country.to_string(),
        }),
        vat_id: Some(vat_id.to_string()),
    }
}

fn line(label: &str, gross: i64, treatment: TaxTreatment) -> InvoiceLine {
    let (net, tax) = treatment.split(gross);
    let rate_bp = match treatment {
        TaxTreatment::Vat { rate_bp } => rate_bp,
        _ => 0,
    };
    InvoiceLine {
        label: label.to_string(),
        gross,
        net,
        tax,
        rate_bp,
    }
}

fn invoice(lines: Vec<InvoiceLine>, currency: &str, treatment: TaxTreatment) -> Document {
    Document {
        kind: DocumentKind::Invoice,
        issuer: "op-1".to_string(),
        number: 42,
        issued_at: "2026-11-28T23:30:00-05:00".parse().unwrap(),
        currency: currency.to_string(),
        seller: party("Coworking Berlin GmbH", "DE", "DE123456789"),
        buyer: party("Acme SAS", "FR", "FR12345678901"),
        buyer_id: "user-1".to_string(),
        subject: Subject {
            description: "Room 1, 2026-12-01 09:00–11:00 UTC".to_string(),
            ..Subject::default()
        },
        treatment,
        totals: Totals::of(&lines),
        lines,
        credits: None,
        payment_ref: None,
    }
}

const VAT19: TaxTreatment = TaxTreatment::Vat { rate_bp: 1900 };

#[test]
fn an_invoice_shows_its_number_date_parties_lines_and_totals() {
    let doc = invoice(
        vec![
            line("Room 1, 2 h", 11_900, VAT19),
            line("Plan discount (10 %)", -1_190, VAT19),
        ],
        "EUR",
        VAT19,
    );
    let (pages, text) = read(&render(&doc));
    assert_eq!(pages, 1);
    for expected in [
        "Invoice",
        "Number: INV-000042",
        // 23:30 at UTC-5 is the next day in UTC.
        "Issue date: 2026-11-29",
        "Coworking Berlin GmbH",
        "Hauptstraße 1",
        "10115 Berlin",
        "VAT ID: DE123456789",
        "Acme SAS",
        "VAT ID: FR12345678901",
        "Room 1, 2026-12-01 09:00–11:00 UTC",
        "Room 1, 2 h",
        "19%",
        "-11.90",
        "90.00 EUR",
        "17.10 EUR",
        "107.10 EUR",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    assert!(!text.contains("Credits invoice"));
    assert!(!text.contains("Reverse charge"));
}

#[test]
fn a_credit_note_names_the_invoice_it_credits() {
    let mut doc = invoice(vec![line("Refund", -5_000, VAT19)], "GBP", VAT19);
    doc.kind = DocumentKind::CreditNote;
    doc.number = 7;
    doc.credits = Some("INV-000042".to_string());
    let (_, text) = read(&render(&doc));
    for expected in [
        "Credit note",
        "CN-000007",
        "Credits invoice INV-000042",
        "-50.00 GBP",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}

#[test]
fn a_reverse_charge_shows_its_note() {
    let doc = invoice(
        vec![line("Room 1", 10_000, TaxTreatment::ReverseCharge)],
        "EUR",
        TaxTreatment::ReverseCharge,
    );
    let note = doc.tax_note().unwrap();
    let (_, text) = read(&render(&doc));
    // Wrapped or not, every word of the note is there in order.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains(note), "{note:?} missing from:\n{text}");
    assert!(text.contains("0%"));
    assert!(text.contains("0.00 EUR"));
}

#[test]
fn yen_have_no_decimals() {
    let doc = invoice(
        vec![line("Desk", 1_234_567, TaxTreatment::None)],
        "JPY",
        TaxTreatment::None,
    );
    let (_, text) = read(&render(&doc));
    assert!(text.contains("1,234,567 JPY"), "{text}");
    assert!(text.contains("No VAT charged."), "{text}");
}

#[test]
fn two_hundred_lines_flow_onto_further_pages() {
    let lines: Vec<_> = (1..=200)
        .map(|i| line(&format!("Line {i}"), 100 * i, VAT19))
        .collect();
    let doc = invoice(lines.clone(), "EUR", VAT19);
    let (pages, text) = read(&render(&doc));
    assert!(pages >= 4, "{pages} pages");
    for i in 1..=200 {
        assert!(text.contains(&format!("Line {i}\n")), "Line {i} missing");
    }
    for page in 1..=pages {
        assert!(text.contains(&format!("INV-000042 - Page {page} of {pages}")));
    }
    // The table's header is repeated on every page, the totals are written once.
    assert_eq!(text.matches("Description").count(), pages);
    assert_eq!(text.matches("Total").count(), 1);
    assert!(text.contains(&format!("{} EUR", amount(doc.totals.gross, "EUR"))));

    // More lines never take fewer pages.
    let mut last = 0;
    for n in [0, 20, 50, 100, 150, 200] {
        let (pages, _) = read(&render(&invoice(lines[..n].to_vec(), "EUR", VAT19)));
        assert!(pages >= last, "{n} lines: {pages} pages, fewer than {last}");
        last = pages;
    }
}

#[test]
fn text_outside_winansi_and_long_text_is_fitted() {
    let long = "Very long label ".repeat(10_000);
    let mut doc = invoice(
        vec![
            line("会議室 Комната 🙂 Café\u{0}\u{7}", 100, VAT19),
            line(&long, 100, VAT19),
        ],
        "EUR",
        VAT19,
    );
    doc.buyer.name = "x".repeat(100_000);
    doc.subject.description = long.clone();
    let (pages, text) = read(&render(&doc));
    assert_eq!(pages, 1);
    assert!(text.contains("??? ??????? ? Café??"), "{text}");
    assert!(text.contains('…'), "a cut text ends with an ellipsis");
    assert!(text.len() < 20_000, "only what fits is written");
}

#[test]
fn empty_and_extreme_documents_render() {
    let mut doc = invoice(Vec::new(), "", VAT19);
    doc.seller = Party::default();
    doc.buyer = Party::default();
    doc.subject.description.clear();
    read(&render(&doc));

    let mut doc = invoice(
        vec![line("Max", i64::MAX, TaxTreatment::None)],
        "EUR",
        VAT19,
    );
    doc.totals = Totals {
        net: i64::MIN,
        tax: i64::MAX,
        gross: i64::MIN,
    };
    doc.number = u64::MAX;
    let (_, text) = read(&render(&doc));
    assert!(text.contains("-92,233,720,368,547,758.08 EUR"), "{text}");
}

/// SplitMix64: a tiny deterministic generator, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn text(&mut self) -> String {
        const PIECES: &[&str] = &[
            "Room 1",
            " ",
            "Besprechungsraum Ü",
            "会議室",
            "Комната",
            "قاعة",
            "🙂",
            "\u{0}\t\n\r\u{7F}\u{85}",
            "(a) \\ [b]",
            "–€…",
            "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
            "",
        ];
        let mut text = String::new();
        for _ in 0..self.below(12) {
            if self.below(4) == 0 {
                // Any character at all.
                text.extend(char::from_u32(self.next() as u32 % 0x11_0000));
            } else {
                text.push_str(self.pick(PIECES));
            }
        }
        text
    }

    fn amount(&mut self) -> i64 {
        match self.below(6) {
            0 => 0,
            1 => -(self.below(1_000_000) as i64),
            2 => self.pick(&[i64::MIN, i64::MAX, -1, 1]),
            _ => self.below(1_000_000_000) as i64,
        }
    }
}

#[test]
fn random_documents_render_and_page_with_their_lines() {
    let mut rng = Rng(0x1_0CE5);
    for case in 0..60 {
        let currency = rng.pick(&["EUR", "JPY", "GBP"]);
        let treatment = rng.pick(&[VAT19, TaxTreatment::ReverseCharge, TaxTreatment::None]);
        let lines: Vec<_> = (0..rng.below(251))
            .map(|_| InvoiceLine {
                label: rng.text(),
                gross: rng.amount(),
                net: rng.amount(),
                tax: rng.amount(),
                rate_bp: rng.pick(&[0, 810, 1900, 2550, u32::MAX]),
            })
            .collect();
        // Random totals: `Totals::of` would overflow on extreme amounts.
        let mut doc = invoice(Vec::new(), currency, treatment);
        doc.lines = lines;
        doc.totals = Totals {
            net: rng.amount(),
            tax: rng.amount(),
            gross: rng.amount(),
        };
        doc.kind = rng.pick(&[DocumentKind::Invoice, DocumentKind::CreditNote]);
        doc.credits = Some(rng.text()).filter(|_| doc.kind == DocumentKind::CreditNote);
        doc.seller.name = rng.text();
        doc.buyer.name = rng.text();
        doc.subject.description = rng.text();

        let (pages, text) = read(&render(&doc));
        let n = doc.lines.len();
        // A page holds at most 56 rows (of one line), a page after the first at least 18
        // (of three lines), and the totals may take a page of their own.
        assert!(
            pages >= n.div_ceil(56).max(1),
            "case {case}: {n} lines on {pages} pages"
        );
        assert!(
            pages <= 2 + n.div_ceil(18),
            "case {case}: {n} lines on {pages} pages"
        );
        assert!(text.contains(&doc.written_number()), "case {case}");
        let total = format!("{} {currency}", amount(doc.totals.gross, currency));
        assert!(text.contains(&total), "case {case}: {total} missing");
        assert!(text.contains("VAT ID: DE123456789") && text.contains("VAT ID: FR12345678901"));
    }
}
