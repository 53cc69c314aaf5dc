//! `GET /audit?month=YYYY-MM&limit&cursor` (admin): the audit log of a month (UTC),
//! newest first: who changed what and when, with the state before and after.

use app::AppError;
use app::ports::audit::AuditStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::audit::parse_month;
use edge::http::params::{limit_param, query_param};
use edge::http::{Body, HttpFunction, Request, Response, Role, caller_of, json};
use http::StatusCode;

pub const MAX_LIMIT: usize = 100;

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
        let month = match query_param(&req, "month") {
            None => jiff::Timestamp::now().strftime("%Y-%m").to_string(),
            Some(text) => parse_month(&text)
                .ok_or_else(|| AppError::field("month", "format", "must be a month as YYYY-MM"))?,
        };
        let limit = limit_param(&req, 50, MAX_LIMIT)?;
        let page = self
            .store
            .list_audit(&month, limit, query_param(&req, "cursor").as_deref())
            .await?;
        json(StatusCode::OK, &page)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/audit",
    tag = "audit",
    params(
        ("month" = Option<String>, Query, description = "YYYY-MM (UTC), default this month"),
        ("limit" = Option<u32>, Query, description = "page size", minimum = 1),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses(
        (status = 200, description = "newest first", body = app::ports::bookings::Page<domain::audit::AuditEntry>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
