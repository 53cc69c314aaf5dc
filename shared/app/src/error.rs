//! The error of the application layer: what went wrong, in the terms a client is told
//! (invalid, unauthorized, forbidden, not found, conflict, ...), with no transport in it.
//! The HTTP edge maps each kind to a status and an RFC 9457 problem (`edge::http::problem`).
//!
//! Client errors carry text written for the client. Server errors carry their cause for
//! the log only: the client sees a generic detail, never SDK or Stripe error text.

use std::error::Error as StdError;

use thiserror::Error;

use domain::error::DomainError;
pub use domain::error::FieldError;

type Source = Box<dyn StdError + Send + Sync>;

#[derive(Debug, Error)]
pub enum AppError {
    /// 400: the input breaks one or more rules; nothing was changed.
    #[error("invalid request: {}", summary(.0))]
    Validation(Vec<FieldError>),
    /// 401: no valid credentials (bad token, wrong password).
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// 403: authenticated, but this role may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 404: no such resource, or not the caller's to see.
    #[error("not found: {0}")]
    NotFound(String),
    /// 409: the request conflicts with the current state; `conflict` says with what.
    #[error("conflict: {detail}")]
    Conflict {
        detail: String,
        conflict: Option<serde_json::Value>,
    },
    /// 413: the body is larger than the route accepts.
    #[error("payload too large (limit {limit} bytes)")]
    PayloadTooLarge { limit: usize },
    /// 415: the body is not JSON.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 422: well-formed, but cannot be processed (e.g. an idempotency key reused with another body).
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    /// 429: a per-caller limit was reached.
    #[error("too many requests: {0}")]
    TooManyRequests(String),
    /// 503: a dependency is throttling or down; the client may retry.
    #[error("dependency unavailable")]
    Unavailable(#[source] Source),
    /// 500: a bug or an unexpected dependency answer.
    #[error("internal error")]
    Internal(#[source] Source),
}

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} ({})", e.field, e.rule))
        .collect::<Vec<_>>()
        .join(", ")
}

impl AppError {
    pub fn field(
        field: impl Into<String>,
        rule: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::Validation(vec![FieldError::new(field, rule, message)])
    }

    pub fn internal(source: impl Into<Source>) -> Self {
        Self::Internal(source.into())
    }

    pub fn unavailable(source: impl Into<Source>) -> Self {
        Self::Unavailable(source.into())
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::Conflict {
            detail: detail.into(),
            conflict: None,
        }
    }
}

impl From<DomainError> for AppError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::Invalid(errors) => Self::Validation(errors),
            DomainError::Conflict { detail, conflict } => Self::Conflict { detail, conflict },
            DomainError::Inconsistent(what) => Self::internal(what),
        }
    }
}
