//! An invoice or credit note (`domain::invoice::Document`) rendered to PDF bytes, offline
//! and without font files: text in the standard Helvetica fonts (WinAnsiEncoding, so a
//! character outside it shows as '?'), on as many A4 pages as its lines need.
//!
//! `layout` decides where everything goes, `pdf` writes the pages; `font`, `wrap` and
//! `money` are how text is encoded, measured, fitted and how amounts are written.

mod font;
mod layout;
mod money;
mod pdf;
mod wrap;

use domain::invoice::Document;

/// How the PDF writes an amount and a rate, for text that must match it (an email, a test).
pub use money::{amount, percent};

/// The document as a PDF. Never fails: text is fitted to its place (characters outside
/// WinAnsi replaced), amounts are shrunk to fit their column rather than cut (only one
/// far beyond any real invoice, over ~10^17 minor units, is cut with an ellipsis).
pub fn render(doc: &Document) -> Vec<u8> {
    let title = format!("{} {}", layout::title(doc.kind), doc.written_number());
    pdf::write(&layout::layout(doc), &title)
}
