//! Laid-out pages written as a PDF: one content stream per page, uncompressed so that
//! the text is plain to any extractor (a page of an invoice is a few kilobytes).

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::font::Font;
use crate::layout::{Item, PAGE_HEIGHT, PAGE_WIDTH, Page};

const FONTS: [Font; 2] = [Font::Regular, Font::Bold];

pub fn write(pages: &[Page], title: &str) -> Vec<u8> {
    let mut ids = Ref::new(1);
    let catalog = ids.bump();
    let tree = ids.bump();
    let info = ids.bump();
    let fonts = FONTS.map(|font| (font, ids.bump()));
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (ids.bump(), ids.bump())).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().map(|(page, _)| *page))
        .count(i32::try_from(pages.len()).unwrap_or(i32::MAX));
    pdf.document_info(info).title(TextStr(title));
    for (font, id) in fonts {
        pdf.type1_font(id)
            .base_font(Name(font.base_font()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    for (page, (id, content_id)) in pages.iter().zip(&page_ids) {
        let mut writer = pdf.page(*id);
        writer
            .media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
            .parent(tree)
            .contents(*content_id);
        writer
            .resources()
            .fonts()
            .pairs(fonts.map(|(font, id)| (Name(font.resource()), id)));
        writer.finish();
        pdf.stream(*content_id, &content(page));
    }
    pdf.finish()
}

fn content(page: &Page) -> Vec<u8> {
    let mut content = Content::new();
    content.set_line_width(0.5);
    for item in &page.items {
        match item {
            // One text object per item: extractors then read each as its own line.
            Item::Text {
                font,
                size,
                x,
                y,
                text,
            } => {
                content
                    .begin_text()
                    .set_font(Name(font.resource()), *size)
                    .next_line(*x, *y)
                    .show(Str(text))
                    .end_text();
            }
            Item::Rule { x1, x2, y } => {
                content.move_to(*x1, *y).line_to(*x2, *y).stroke();
            }
        }
    }
    content.finish().into_vec()
}
