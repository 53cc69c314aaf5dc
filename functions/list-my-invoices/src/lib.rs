//! `GET /users/me/invoices?limit&cursor`: the caller's invoices and credit notes, newest
//! first (each with its lines, totals and parties; its PDF through
//! `GET /invoices/{documentId}/pdf`).

use app::AppError;
use app::ports::invoices::InvoiceStore;
use app::usecase::invoices::my_documents;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::api::invoices::DocumentPage;
use edge::http::params::{PageQuery, limit_param, query};
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;

pub const MAX_LIMIT: usize = 50;

pub struct ListMyInvoices<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> ListMyInvoices<DynamoStore> {
    ListMyInvoices {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: InvoiceStore> HttpFunction for ListMyInvoices<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let q: PageQuery = query(&req)?;
        let limit = limit_param(q.limit.as_deref(), 20, MAX_LIMIT)?;
        let page = my_documents(&self.store, &caller, q.cursor.as_deref(), limit).await?;
        json(StatusCode::OK, &DocumentPage::new(&page))
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/users/me/invoices",
    tag = "invoices",
    params(PageQuery),
    responses(
        (status = 200, description = "the caller's invoices and credit notes, newest first", body = DocumentPage<'static>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
