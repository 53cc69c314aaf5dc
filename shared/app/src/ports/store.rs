//! The error every store port returns.

use thiserror::Error;

use crate::error::AppError;

type Source = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Error)]
pub enum StoreError {
    /// A conditional create found the item already there.
    #[error("item already exists")]
    AlreadyExists,
    /// A condition failed: the detail says what conflicts, for the client.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A pagination cursor that this store did not issue for this query.
    #[error("invalid cursor")]
    BadCursor,
    /// What the write depends on does not exist (any more).
    #[error("not found: {0}")]
    NotFound(String),
    /// Throttled, timed out or unreachable: worth a retry later.
    #[error("store unavailable")]
    Unavailable(#[source] Source),
    #[error("store failure")]
    Other(#[source] Source),
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::AlreadyExists => AppError::conflict("the resource already exists"),
            StoreError::Conflict(detail) => AppError::conflict(detail),
            StoreError::NotFound(detail) => AppError::NotFound(detail),
            StoreError::BadCursor => AppError::field(
                "cursor",
                "format",
                "not a cursor from a previous page of this list",
            ),
            StoreError::Unavailable(s) => AppError::Unavailable(s),
            StoreError::Other(s) => AppError::Internal(s),
        }
    }
}
