//! Path and query parameters, as API Gateway fills them.

use lambda_http::{Request, RequestExt};

use crate::error::ApiError;

/// A path parameter the route template guarantees (`/spaces/{spaceId}`). Missing means the
/// function is wired to the wrong route: a bug, hence 500 rather than 400.
pub fn path_param(req: &Request, name: &str) -> Result<String, ApiError> {
    req.path_parameters_ref()
        .and_then(|p| p.first(name))
        .map(str::to_owned)
        .ok_or_else(|| ApiError::internal(format!("route has no path parameter {name}")))
}

/// An optional query string parameter (first value if repeated).
pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters_ref()
        .and_then(|q| q.first(name))
        .map(str::to_owned)
}
