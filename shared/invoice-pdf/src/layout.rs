//! Where everything goes: a document laid out top to bottom on A4 pages, the table of
//! lines flowing onto further pages (its header repeated), every page footed with the
//! document's number and "Page i of n".

use domain::invoice::{Document, DocumentKind, Party};
use jiff::tz::TimeZone;

use crate::font::{Font, encode};
use crate::money::{amount, percent};
use crate::wrap::{truncate, wrap};

/// A4 in points.
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;

const LEFT: f32 = 50.0;
const RIGHT: f32 = PAGE_WIDTH - 50.0;
const TOP: f32 = PAGE_HEIGHT - 50.0;
/// Lowest baseline of content; the footer sits below it.
const BOTTOM: f32 = 60.0;
const FOOTER: f32 = 35.0;

const TITLE: f32 = 20.0;
const BODY: f32 = 9.0;
const SMALL: f32 = 8.0;
/// An amount too wide for its column is shrunk down to this size, then cut.
const MIN_SIZE: f32 = 4.0;
/// Distance between baselines, relative to the font size.
const LEADING: f32 = 1.4;
/// Height of a line of body text.
const LINE: f32 = BODY * LEADING;

/// The buyer's block starts here; the seller's runs up to it.
const BUYER_X: f32 = 310.0;
/// The table: a label column, then net, VAT rate, VAT and gross, right-aligned at these
/// right edges (each column starts where the one before it ends).
const LABEL_WIDTH: f32 = 215.0;
const AMOUNT_COLUMNS: [f32; 4] = [345.0, 395.0, 470.0, RIGHT];
/// A label takes at most this many lines; a longer one ends with an ellipsis.
const LABEL_LINES: usize = 3;
/// The totals' labels start here; their amounts end at the right margin.
const TOTALS_X: f32 = 330.0;

#[derive(Debug, Default)]
pub struct Page {
    pub items: Vec<Item>,
}

#[derive(Debug)]
pub enum Item {
    /// WinAnsi-encoded text, its baseline starting at (x, y).
    Text {
        font: Font,
        size: f32,
        x: f32,
        y: f32,
        text: Vec<u8>,
    },
    /// A thin horizontal line.
    Rule { x1: f32, x2: f32, y: f32 },
}

pub fn layout(doc: &Document) -> Vec<Page> {
    let mut w = Writer::new();
    heading(&mut w, doc);
    parties(&mut w, &doc.seller, &doc.buyer);
    paragraph(&mut w, &doc.subject.description);
    table(&mut w, doc);
    totals(&mut w, doc);
    if let Some(note) = doc.tax_note() {
        paragraph(&mut w, note);
    }
    footers(&mut w.pages, &doc.written_number());
    w.pages
}

/// "Invoice" or "Credit note".
pub fn title(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Invoice => "Invoice",
        DocumentKind::CreditNote => "Credit note",
    }
}

fn heading(w: &mut Writer, doc: &Document) {
    let y = w.line(TITLE);
    w.text(Font::Bold, TITLE, LEFT, y, title(doc.kind));
    let date = doc.issued_at.to_zoned_datetime(TimeZone::UTC).date();
    let mut facts = vec![
        format!("Number: {}", doc.written_number()),
        format!("Issue date: {date}"),
    ];
    facts.extend(doc.credits.as_ref().map(|n| format!("Credits invoice {n}")));
    for fact in facts {
        let y = w.line(BODY);
        w.fitted(Font::Regular, BODY, LEFT, RIGHT - LEFT, y, &fact);
    }
    w.gap();
}

/// Seller and buyer side by side, each line cut to its column.
fn parties(w: &mut Writer, seller: &Party, buyer: &Party) {
    let columns = [
        (LEFT, BUYER_X - LEFT - 20.0, party_lines("Seller", seller)),
        (BUYER_X, RIGHT - BUYER_X, party_lines("Buyer", buyer)),
    ];
    let rows = columns.iter().map(|c| c.2.len()).max().unwrap_or(0);
    for row in 0..rows {
        let y = w.line(BODY);
        for (x, width, lines) in &columns {
            if let Some((font, text)) = lines.get(row) {
                w.fitted(*font, BODY, *x, *width, y, text);
            }
        }
    }
    w.gap();
}

fn party_lines(role: &str, party: &Party) -> Vec<(Font, String)> {
    let mut lines = vec![
        (Font::Bold, role.to_string()),
        (Font::Bold, party.name.clone()),
    ];
    if let Some(a) = &party.address {
        let city = format!("{} {}", a.postal_code, a.city);
        let address = [
            Some(&a.line1),
            a.line2.as_ref(),
            Some(&city),
            Some(&a.country),
        ];
        lines.extend(
            address
                .into_iter()
                .flatten()
                .map(|l| l.trim())
                .filter(|l| !l.is_empty())
                .map(|l| (Font::Regular, l.to_string())),
        );
    }
    if let Some(vat) = &party.vat_id {
        lines.push((Font::Regular, format!("VAT ID: {vat}")));
    }
    lines
}

/// Text wrapped to the page's width (at most a few lines).
fn paragraph(w: &mut Writer, text: &str) {
    let lines = wrap(&encode(text), Font::Regular, BODY, RIGHT - LEFT, 4);
    if lines.is_empty() {
        return;
    }
    w.room(lines.len() as f32 * LINE);
    for line in lines {
        let y = w.line(BODY);
        w.push_text(Font::Regular, BODY, LEFT, y, line);
    }
    w.gap();
}

fn table(w: &mut Writer, doc: &Document) {
    table_header(w);
    for line in &doc.lines {
        let label = wrap(
            &encode(&line.label),
            Font::Regular,
            BODY,
            LABEL_WIDTH,
            LABEL_LINES,
        );
        let height = label.len().max(1) as f32 * LINE;
        if w.room(height) {
            table_header(w);
        }
        // Placed by hand rather than line by line, so that a row is never split by a page.
        let first = w.y - BODY;
        for (i, part) in label.into_iter().enumerate() {
            let y = first - i as f32 * LINE;
            w.push_text(Font::Regular, BODY, LEFT, y, part);
        }
        let cells = [
            amount(line.net, &doc.currency),
            percent(line.rate_bp),
            amount(line.tax, &doc.currency),
            amount(line.gross, &doc.currency),
        ];
        amount_cells(w, Font::Regular, first, cells);
        w.y -= height;
    }
    w.gap();
}

fn table_header(w: &mut Writer) {
    // The header and at least one row.
    w.room(3.0 * LINE);
    let y = w.line(BODY);
    w.text(Font::Bold, BODY, LEFT, y, "Description");
    amount_cells(w, Font::Bold, y, ["Net", "VAT rate", "VAT", "Gross"]);
    w.rule(LEFT, RIGHT, y - 3.0);
    w.y -= 3.0;
}

/// The four cells right of the label, each right-aligned in its column.
fn amount_cells(w: &mut Writer, font: Font, y: f32, cells: [impl AsRef<str>; 4]) {
    let mut left = LEFT + LABEL_WIDTH;
    for (right, text) in AMOUNT_COLUMNS.into_iter().zip(cells) {
        // A little space between columns.
        w.right(font, BODY, right, right - left - 5.0, y, text.as_ref());
        left = right;
    }
}

fn totals(w: &mut Writer, doc: &Document) {
    let t = &doc.totals;
    let rows = [
        (Font::Regular, "Net", t.net),
        (Font::Regular, "VAT", t.tax),
        (Font::Bold, "Total", t.gross),
    ];
    w.room(rows.len() as f32 * LINE + 3.0);
    w.rule(TOTALS_X, RIGHT, w.y);
    w.y -= 3.0;
    for (font, label, minor) in rows {
        let y = w.line(BODY);
        w.text(font, BODY, TOTALS_X, y, label);
        let value = format!("{} {}", amount(minor, &doc.currency), doc.currency);
        w.right(font, BODY, RIGHT, RIGHT - TOTALS_X - 40.0, y, &value);
    }
    w.gap();
}

/// The footer of each page, once the number of pages is known.
fn footers(pages: &mut [Page], number: &str) {
    let count = pages.len();
    for (i, page) in pages.iter_mut().enumerate() {
        let text = encode(&format!("{number} - Page {} of {count}", i + 1));
        let x = RIGHT - Font::Regular.width(&text, SMALL);
        page.items.push(Item::Text {
            font: Font::Regular,
            size: SMALL,
            x,
            y: FOOTER,
            text,
        });
    }
}

/// Lays out items from the top of a page downwards, starting a new page when one is full.
struct Writer {
    pages: Vec<Page>,
    /// The top of the space left on the current page.
    y: f32,
}

impl Writer {
    fn new() -> Self {
        Self {
            pages: vec![Page::default()],
            y: TOP,
        }
    }

    /// Makes room for `height` more: starts a new page if this one has not enough left
    /// (and is not new: what is taller than a page goes on one anyway). Returns whether
    /// it started one.
    fn room(&mut self, height: f32) -> bool {
        if self.y - height >= BOTTOM || self.y == TOP {
            return false;
        }
        self.pages.push(Page::default());
        self.y = TOP;
        true
    }

    /// The baseline of the next line of text at `size`, moving down past it.
    fn line(&mut self, size: f32) -> f32 {
        self.room(size * LEADING);
        let baseline = self.y - size;
        self.y -= size * LEADING;
        baseline
    }

    /// Space between sections.
    fn gap(&mut self) {
        self.y -= BODY;
    }

    fn push(&mut self, item: Item) {
        if let Some(page) = self.pages.last_mut() {
            page.items.push(item);
        }
    }

    fn push_text(&mut self, font: Font, size: f32, x: f32, y: f32, text: Vec<u8>) {
        self.push(Item::Text {
            font,
            size,
            x,
            y,
            text,
        });
    }

    fn text(&mut self, font: Font, size: f32, x: f32, y: f32, text: &str) {
        self.push_text(font, size, x, y, encode(text));
    }

    /// `text` from `x`, cut to `width`.
    fn fitted(&mut self, font: Font, size: f32, x: f32, width: f32, y: f32, text: &str) {
        self.push_text(font, size, x, y, truncate(&encode(text), font, size, width));
    }

    /// `text` ending at `right`, no wider than `width`: shrunk to fit rather than cut, as
    /// amounts must be shown whole; cut only below a legible size.
    fn right(&mut self, font: Font, size: f32, right: f32, width: f32, y: f32, text: &str) {
        let text = encode(text);
        let natural = font.width(&text, size);
        let size = if natural > width {
            (size * width / natural).max(MIN_SIZE)
        } else {
            size
        };
        let text = truncate(&text, font, size, width);
        let x = right - font.width(&text, size);
        self.push_text(font, size, x, y, text);
    }

    fn rule(&mut self, x1: f32, x2: f32, y: f32) {
        self.push(Item::Rule { x1, x2, y });
    }
}
