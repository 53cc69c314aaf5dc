//! `GET /spaces/{spaceId}/invoices?limit&cursor`: the invoices and credit notes issued
//! for a space's bookings, newest first, for its operator and admins (403 for others).

use app::AppError;
use app::ports::invoices::InvoiceStore;
use app::ports::spaces::SpaceStore;
use app::usecase::invoices::space_documents;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::api::invoices::DocumentPage;
use edge::http::params::{PageQuery, limit_param, path_param, query};
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;

pub const MAX_LIMIT: usize = 100;

pub struct ListSpaceInvoices<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> ListSpaceInvoices<DynamoStore> {
    ListSpaceInvoices {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: InvoiceStore + SpaceStore> HttpFunction for ListSpaceInvoices<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let space_id = path_param(&req, "spaceId")?;
        let q: PageQuery = query(&req)?;
        let limit = limit_param(q.limit.as_deref(), 50, MAX_LIMIT)?;
        let page =
            space_documents(&self.store, &caller, &space_id, q.cursor.as_deref(), limit).await?;
        json(StatusCode::OK, &DocumentPage::new(&page))
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/spaces/{spaceId}/invoices",
    tag = "invoices",
    params(
        ("spaceId" = String, Path),
        PageQuery,
    ),
    responses(
        (status = 200, description = "the space's invoices and credit notes, newest first", body = DocumentPage<'static>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
