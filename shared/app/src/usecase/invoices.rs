//! Reading invoices and credit notes: a member's own, a space's for its operator, and one
//! document for whoever may see it (its buyer, its issuer, an admin).

use crate::caller::Caller;
use crate::error::AppError;
use crate::ports::bookings::Page;
use crate::ports::invoices::{DocumentFiles, DocumentsOf, InvoiceStore};
use crate::ports::spaces::SpaceStore;
use crate::usecase::spaces::managed_space;
use domain::invoice::Document;
use domain::role::Role;

/// The caller's invoices and credit notes, newest first.
pub async fn my_documents<S: InvoiceStore>(
    store: &S,
    caller: &Caller,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page<Document>, AppError> {
    Ok(store
        .list_documents(DocumentsOf::Buyer(&caller.user_id), cursor, limit)
        .await?)
}

/// A space's invoices and credit notes, for its operator and admins.
pub async fn space_documents<S: InvoiceStore + SpaceStore>(
    store: &S,
    caller: &Caller,
    space_id: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page<Document>, AppError> {
    managed_space(store, caller, space_id).await?;
    let mut page = store
        .list_documents(DocumentsOf::Space(space_id), cursor, limit)
        .await?;
    // An operator sees what they issued (a space that changed hands keeps its earlier
    // owner's buyers to them); an admin sees all.
    if !caller.is_admin() {
        page.items.retain(|d| d.issuer == caller.user_id);
    }
    Ok(page)
}

/// Whether `caller` may read `doc`: its buyer, the operator who issued it, an admin.
pub fn may_read(caller: &Caller, doc: &Document) -> bool {
    caller.user_id == doc.buyer_id
        || caller.is_admin()
        || (caller.has(Role::Operator) && caller.user_id == doc.issuer)
}

/// One document; 404 alike for a missing one and one the caller may not read (its
/// existence is not told).
pub async fn readable_document<S: InvoiceStore>(
    store: &S,
    caller: &Caller,
    id: &str,
) -> Result<Document, AppError> {
    store
        .get_document(id)
        .await?
        .filter(|d| may_read(caller, d))
        .ok_or_else(|| AppError::NotFound(format!("no invoice or credit note {id}")))
}

/// How long a PDF link works: long enough to open it, too short to pass around.
pub const LINK_VALID_FOR: std::time::Duration = std::time::Duration::from_secs(300);

/// A signed link to a document's PDF.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PdfLink {
    pub url: String,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: jiff::Timestamp,
}

/// `doc`'s PDF, stored unless it is (a document never changes, so neither does its
/// file; rendering is cheaper than reading it back).
pub async fn stored_pdf<F: DocumentFiles>(
    files: &F,
    doc: &Document,
    render: fn(&Document) -> Vec<u8>,
) -> Result<Vec<u8>, AppError> {
    let key = doc.file_key();
    let pdf = render(doc);
    if !files.has_file(&key).await? {
        files.put_pdf(&key, pdf.clone()).await?;
    }
    Ok(pdf)
}

/// A short-lived link to the PDF of document `id`, for whoever may read it (404 else).
pub async fn pdf_link<S: InvoiceStore, F: DocumentFiles>(
    store: &S,
    files: &F,
    render: fn(&Document) -> Vec<u8>,
    caller: &Caller,
    id: &str,
    now: jiff::Timestamp,
) -> Result<PdfLink, AppError> {
    let doc = readable_document(store, caller, id).await?;
    stored_pdf(files, &doc, render).await?;
    let url = files.signed_link(&doc.file_key(), LINK_VALID_FOR).await?;
    let valid = jiff::SignedDuration::try_from(LINK_VALID_FOR).unwrap_or_default();
    Ok(PdfLink {
        url,
        expires_at: now + valid,
    })
}
