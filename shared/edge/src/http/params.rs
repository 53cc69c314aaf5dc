//! Path and query parameters, as API Gateway fills them.

use lambda_http::{Request, RequestExt};

use app::error::AppError;

/// A path parameter the route template guarantees (`/spaces/{spaceId}`). Missing means the
/// function is wired to the wrong route: a bug, hence 500 rather than 400.
pub fn path_param(req: &Request, name: &str) -> Result<String, AppError> {
    req.path_parameters_ref()
        .and_then(|p| p.first(name))
        .map(str::to_owned)
        .ok_or_else(|| AppError::internal(format!("route has no path parameter {name}")))
}

/// An optional query string parameter (first value if repeated).
pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters_ref()
        .and_then(|q| q.first(name))
        .map(str::to_owned)
}

/// `limit`: a whole number from 1 to `max` (an integral float such as `20.0` counts);
/// `default` when absent.
pub fn limit_param(req: &Request, default: usize, max: usize) -> Result<usize, AppError> {
    match query_param(req, "limit") {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|l| l.fract() == 0.0 && (1.0..=max as f64).contains(l))
            .map(|l| l as usize)
            .ok_or_else(|| {
                AppError::field("limit", "range", format!("a whole number from 1 to {max}"))
            }),
    }
}
