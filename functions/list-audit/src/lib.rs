//! `GET /audit?month=YYYY-MM&limit&cursor` (admin): the audit log of a month (UTC),
//! newest first: who changed what and when, with the state before and after.

use app::AppError;
use app::ports::audit::AuditStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::audit::parse_month;
use edge::http::params::{limit_param, query};
use edge::http::{Body, HttpFunction, Request, Response, Role, caller_of, json};
use http::StatusCode;

pub const MAX_LIMIT: usize = 100;

/// The query string this route reads (and documents).
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// YYYY-MM (UTC), default this month.
    month: Option<String>,
    /// Page size.
    #[param(value_type = Option<u32>, minimum = 1)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

pub struct ListAudit<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> ListAudit<DynamoStore> {
    ListAudit {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: AuditStore> HttpFunction for ListAudit<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        caller.require(Role::Admin)?;
        let q: AuditQuery = query(&req)?;
        let month = match q.month {
            None => jiff::Timestamp::now().strftime("%Y-%m").to_string(),
            Some(text) => parse_month(&text)
                .ok_or_else(|| AppError::field("month", "format", "must be a month as YYYY-MM"))?,
        };
        let limit = limit_param(q.limit.as_deref(), 50, MAX_LIMIT)?;
        let page = self
            .store
            .list_audit(&month, limit, q.cursor.as_deref())
            .await?;
        json(StatusCode::OK, &page)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/audit",
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "newest first", body = app::ports::bookings::Page<domain::audit::AuditEntry>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
