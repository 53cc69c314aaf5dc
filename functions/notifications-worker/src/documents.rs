//! The invoice or credit note an event names (`invoice_id` on a confirmation,
//! `credit_note_id` on a refund: `domain::invoice::annotate`), as a PDF attachment. The
//! PDF is stored in S3 on the way, so the member's link to it works from then on.

use app::ports::invoices::{DocumentFiles, InvoiceStore};
use app::ports::notifications::Attachment;
use app::usecase::invoices::stored_pdf;
use domain::invoice::DocumentKind;
use edge::events::BridgeEvent;

/// The attachment, and what it is in words ("invoice INV-000042").
pub async fn attachment<S: InvoiceStore, F: DocumentFiles>(
    store: &S,
    files: &F,
    event: &BridgeEvent,
) -> Result<Option<(Attachment, String)>, app::AppError> {
    let named = ["invoice_id", "credit_note_id"]
        .iter()
        .find_map(|k| event.detail.get(*k).and_then(|v| v.as_str()));
    let Some(id) = named else {
        return Ok(None);
    };
    let Some(doc) = store.get_document(id).await? else {
        tracing::error!(
            document_id = id,
            "an event names a document that is not stored"
        );
        return Ok(None);
    };
    let pdf = stored_pdf(files, &doc, invoice_pdf::render).await?;
    let what = match doc.kind {
        DocumentKind::Invoice => "invoice",
        DocumentKind::CreditNote => "credit note",
    };
    Ok(Some((
        Attachment {
            filename: format!("{}.pdf", doc.written_number()),
            content_type: "application/pdf".into(),
            data: pdf,
        },
        format!("{what} {}", doc.written_number()),
    )))
}
