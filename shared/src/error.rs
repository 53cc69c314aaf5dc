//! The one error type of the HTTP layer. Every handler returns `Result<_, ApiError>`;
//! [`crate::http::function::respond`] turns the error into an RFC 9457 problem.
//!
//! Client errors carry text written for the client. Server errors carry their cause for
//! the log only: the client sees a generic detail, never SDK or Stripe error text.

use std::error::Error as StdError;

use http::StatusCode;
use thiserror::Error;

use crate::domain::error::DomainError;
pub use crate::domain::error::FieldError;

type Source = Box<dyn StdError + Send + Sync>;

#[derive(Debug, Error)]
pub enum ApiError {
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

impl ApiError {
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

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::Invalid(errors) => Self::Validation(errors),
            DomainError::Conflict { detail, conflict } => Self::Conflict { detail, conflict },
            DomainError::Inconsistent(what) => Self::internal(what),
        }
    }
}
