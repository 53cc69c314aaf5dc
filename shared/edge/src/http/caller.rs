//! The caller of a request: read from the claims the HTTP API JWT authorizer verified.
//!
//! On AWS, API Gateway verifies the token (signature, issuer, audience, expiry) before the
//! function runs and passes the claims in `requestContext.authorizer.jwt.claims`; locally,
//! the gateway does the same. Functions never see or parse the raw token.

use std::collections::HashMap;

use app::{AppError, Caller};
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

/// The verified caller, or 401 when the route was reached without authorizer claims.
pub fn caller_of(req: &Request) -> Result<Caller, AppError> {
    let claims = jwt_claims(req)
        .ok_or_else(|| AppError::Unauthorized("a bearer token is required".into()))?;
    Caller::from_claims(claims)
}

/// The caller if the request carried verified claims (public routes that say more to a
/// signed-in caller).
pub fn optional_caller(req: &Request) -> Option<Caller> {
    jwt_claims(req).and_then(|c| Caller::from_claims(c).ok())
}

fn jwt_claims(req: &Request) -> Option<&HashMap<String, String>> {
    match req.request_context_ref()? {
        RequestContext::ApiGatewayV2(ctx) => {
            ctx.authorizer.as_ref()?.jwt.as_ref().map(|j| &j.claims)
        }
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_claims_is_unauthorized() {
        let req = http::Request::builder()
            .body(lambda_http::Body::Empty)
            .unwrap();
        assert!(matches!(caller_of(&req), Err(AppError::Unauthorized(_))));
    }
}
