//! `GET /invoices/{documentId}/pdf`: a link, valid for five minutes, to the PDF of an
//! invoice or credit note, for its buyer, the operator who issued it, or an admin (404
//! for anyone else, as for a missing one). The PDF is rendered and stored in S3 the first
//! time it is asked for (or mailed); a document never changes, so neither does its file.

use app::AppError;
use app::ports::invoices::{DocumentFiles, InvoiceStore};
use app::usecase::invoices::{PdfLink, pdf_link};
use aws::AppContext;
use aws::documents::S3Documents;
use aws::dynamo::DynamoStore;
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;
use jiff::Timestamp;

pub struct GetInvoicePdf<S, F> {
    store: S,
    files: F,
}

pub fn build(ctx: &AppContext) -> GetInvoicePdf<DynamoStore, S3Documents> {
    GetInvoicePdf {
        store: DynamoStore::from_context(ctx),
        files: S3Documents::from_context(ctx),
    }
}

impl<S: InvoiceStore, F: DocumentFiles> HttpFunction for GetInvoicePdf<S, F> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let id = path_param(&req, "documentId")?;
        let link = pdf_link(
            &self.store,
            &self.files,
            invoice_pdf::render,
            &caller,
            &id,
            Timestamp::now(),
        )
        .await?;
        json(StatusCode::OK, &link)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/invoices/{documentId}/pdf",
    tag = "invoices",
    params(
        ("documentId" = String, Path, description = "the document's `id` (as listed)"),
    ),
    responses(
        (status = 200, description = "a signed link to the PDF, valid for five minutes", body = PdfLink),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
