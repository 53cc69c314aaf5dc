//! Wire types of invoices and credit notes (`GET /users/me/invoices`,
//! `GET /spaces/{spaceId}/invoices`): each document as stored, with its id (for its PDF
//! link, `GET /invoices/{id}/pdf`) and its number as printed.

use serde::Serialize;

use app::ports::bookings::Page;
use domain::invoice::Document;

#[derive(Serialize, utoipa::ToSchema)]
pub struct DocumentView<'a> {
    /// Names it in `GET /invoices/{id}/pdf`.
    pub id: String,
    /// As printed: `INV-000042`, `CN-000007`.
    pub written_number: String,
    #[serde(flatten)]
    pub document: &'a Document,
}

impl<'a> DocumentView<'a> {
    pub fn new(document: &'a Document) -> Self {
        Self {
            id: document.id(),
            written_number: document.written_number(),
            document,
        }
    }
}

/// A page of documents, newest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DocumentPage<'a> {
    items: Vec<DocumentView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

impl<'a> DocumentPage<'a> {
    pub fn new(page: &'a Page<Document>) -> Self {
        Self {
            items: page.items.iter().map(DocumentView::new).collect(),
            next_cursor: page.next_cursor.clone(),
        }
    }
}
