//! RFC 9457 problem details: every error answer of the API has this shape.

use http::{HeaderValue, StatusCode, header::CONTENT_TYPE};
use lambda_http::{Body, Response};
use serde::{Deserialize, Serialize};

use app::error::{AppError, FieldError};

pub const CONTENT_TYPE_PROBLEM: &str = "application/problem+json";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem; clients switch on this, not on `title`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// What a 409 conflicts with (e.g. the taken interval).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<serde_json::Value>,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("/problems/{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            conflict: None,
        }
    }

    pub fn into_response(self) -> Response<Body> {
        let body = serde_json::to_vec(&self).expect("a problem always serializes");
        let mut response = Response::new(Body::from(body));
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_PROBLEM));
        response
    }
}

/// The HTTP status of each kind of application error.
pub fn status(err: &AppError) -> StatusCode {
    use AppError::*;
    match err {
        Validation(_) => StatusCode::BAD_REQUEST,
        Unauthorized(_) => StatusCode::UNAUTHORIZED,
        Forbidden(_) => StatusCode::FORBIDDEN,
        NotFound(_) => StatusCode::NOT_FOUND,
        Conflict { .. } => StatusCode::CONFLICT,
        PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
        TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
        Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<&AppError> for Problem {
    fn from(err: &AppError) -> Self {
        let status = status(err);
        match err {
            AppError::Validation(errors) => {
                let mut p = Problem::new(status, "validation", "Invalid request", err.to_string());
                p.errors = errors.clone();
                p
            }
            AppError::Unauthorized(d) => Problem::new(status, "unauthorized", "Unauthorized", d),
            AppError::Forbidden(d) => Problem::new(status, "forbidden", "Forbidden", d),
            AppError::NotFound(d) => Problem::new(status, "not-found", "Not found", d),
            AppError::Conflict { detail, conflict } => {
                let mut p = Problem::new(status, "conflict", "Conflict", detail);
                p.conflict = conflict.clone();
                p
            }
            AppError::PayloadTooLarge { limit } => Problem::new(
                status,
                "payload-too-large",
                "Payload too large",
                format!("the request body must be at most {limit} bytes"),
            ),
            AppError::UnsupportedMediaType => Problem::new(
                status,
                "unsupported-media-type",
                "Unsupported media type",
                "the request body must be application/json",
            ),
            AppError::Unprocessable(d) => {
                Problem::new(status, "unprocessable", "Unprocessable request", d)
            }
            AppError::TooManyRequests(d) => {
                Problem::new(status, "too-many-requests", "Too many requests", d)
            }
            AppError::Unavailable(_) => Problem::new(
                status,
                "unavailable",
                "Service unavailable",
                "a dependency is temporarily unavailable; retry later",
            ),
            AppError::Internal(_) => Problem::new(
                status,
                "internal",
                "Internal error",
                "an unexpected error occurred; it has been logged",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_problem_names_field_and_rule() {
        let err = AppError::field("email", "format", "must be an email address");
        let response = Problem::from(&err).into_response();
        assert_eq!(response.status(), 400);
        assert_eq!(response.headers()[CONTENT_TYPE], CONTENT_TYPE_PROBLEM);
        let body: serde_json::Value = serde_json::from_slice(response.body().as_ref()).unwrap();
        assert_eq!(body["type"], "/problems/validation");
        assert_eq!(body["errors"][0]["field"], "email");
        assert_eq!(body["errors"][0]["rule"], "format");
        assert_eq!(body["detail"], "invalid request: email (format)");
    }

    #[test]
    fn internal_problem_hides_the_cause() {
        let err = AppError::internal("dynamodb said: secret table layout");
        let p = Problem::from(&err);
        assert_eq!(p.status, 500);
        assert!(!p.detail.contains("dynamodb"));
    }
}
