//! The domain's own error: what a rule refuses, in terms of the request and the state,
//! never of HTTP. The edge maps it (`AppError` implements `From`).

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// One violated rule on one input field: `field` is a JSON path into the request
/// (`email`, `opening_hours.monday[0].open`), or a query/path parameter name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub rule: String,
    pub message: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        rule: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            rule: rule.into(),
            message: message.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Error)]
pub enum DomainError {
    /// The input breaks one or more rules; nothing may change.
    #[error("invalid request: {}", summary(.0))]
    Invalid(Vec<FieldError>),
    /// The request conflicts with the current state; `conflict` says with what.
    #[error("conflict: {detail}")]
    Conflict {
        detail: String,
        conflict: Option<serde_json::Value>,
    },
    /// Stored data that a rule cannot work with (a bug or a corrupt record).
    #[error("inconsistent state: {0}")]
    Inconsistent(String),
}

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} ({})", e.field, e.rule))
        .collect::<Vec<_>>()
        .join(", ")
}

impl DomainError {
    pub fn field(
        field: impl Into<String>,
        rule: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::Invalid(vec![FieldError::new(field, rule, message)])
    }

    pub fn conflict(detail: impl Into<String>, conflict: Option<serde_json::Value>) -> Self {
        Self::Conflict {
            detail: detail.into(),
            conflict,
        }
    }

    /// `field:rule` of each violation (tests read refusals this way).
    pub fn rules(&self) -> Vec<String> {
        match self {
            Self::Invalid(errors) => errors
                .iter()
                .map(|e| format!("{}:{}", e.field, e.rule))
                .collect(),
            _ => Vec::new(),
        }
    }
}
