//! Pieces of the OpenAPI document every route's annotation shares: the problem answers
//! and the bearer-token security scheme. Each function crate describes its own route next
//! to its handler (`#[utoipa::path] pub fn route()`); `functions/get-openapi` collects them,
//! and a test checks that the document and template.yaml list the same routes.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::http::problem::Problem;

/// The error answers (RFC 9457 `application/problem+json`) a route may give.
#[derive(utoipa::IntoResponses)]
pub enum Problems {
    /// The input breaks a rule; `errors` names each field and rule. Nothing changed.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// No valid bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The caller's role does not allow it.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// No such resource (or not the caller's to see).
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Conflicts with the current state; `conflict` says with what.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// The body is over 64 KiB.
    #[response(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Problem),
    /// The body is not `application/json`.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    /// Well-formed but cannot be processed (e.g. a payment method Stripe refuses).
    #[response(status = 422, content_type = "application/problem+json")]
    Unprocessable(Problem),
    /// Too many attempts; retry later.
    #[response(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Problem),
    /// A dependency is briefly unavailable; retry.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

/// Adds the `bearer` scheme (a Cognito access or id token) that authorized routes name.
pub struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}
