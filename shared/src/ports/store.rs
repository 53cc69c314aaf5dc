//! The error every store port returns.

use thiserror::Error;

use crate::error::ApiError;

type Source = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Error)]
pub enum StoreError {
    /// A conditional create found the item already there.
    #[error("item already exists")]
    AlreadyExists,
    /// Throttled, timed out or unreachable: worth a retry later.
    #[error("store unavailable")]
    Unavailable(#[source] Source),
    #[error("store failure")]
    Other(#[source] Source),
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::AlreadyExists => ApiError::conflict("the resource already exists"),
            StoreError::Unavailable(s) => ApiError::Unavailable(s),
            StoreError::Other(s) => ApiError::Internal(s),
        }
    }
}
