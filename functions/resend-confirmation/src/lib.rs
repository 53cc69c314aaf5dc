//! `POST /users/confirm/resend` (public): mails a new confirmation code. The answer is the
//! same whether or not the email has an unconfirmed account, so it tells nobody which
//! addresses are registered; Cognito limits how often (429).

use app::AppError;
use app::ports::identity::Identity;
use aws::AppContext;
use aws::cognito::CognitoIdentity;
use domain::user::{normalize_email, validate_email};
use domain::validate::Violations;
use edge::http::{Body, HttpFunction, Request, Response, json, parse_json};
use http::StatusCode;
use serde::{Deserialize, Serialize};

pub struct ResendConfirmation<I> {
    identity: I,
}

pub fn build(ctx: &AppContext) -> ResendConfirmation<CognitoIdentity> {
    ResendConfirmation::new(CognitoIdentity::from_context(ctx))
}

impl<I> ResendConfirmation<I> {
    pub fn new(identity: I) -> Self {
        Self { identity }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ResendRequest {
    email: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Accepted {
    /// Always true: a code goes out if the address has an unconfirmed account.
    accepted: bool,
}

impl<I: Identity> HttpFunction for ResendConfirmation<I> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let input: ResendRequest = parse_json(&req)?;
        let email = normalize_email(&input.email);
        let mut v = Violations::new();
        validate_email(&mut v, "email", &email);
        v.into_result()?;
        self.identity.resend_confirmation(&email).await?;
        json(StatusCode::ACCEPTED, &Accepted { accepted: true })
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/users/confirm/resend",
    tag = "users",
    request_body(content = ResendRequest, content_type = "application/json"),
    responses(
        (status = 202, description = "a new code is mailed if the account awaits confirmation", body = Accepted),
        edge::openapi::Problems,
    ),
)]
pub fn route() {}

#[cfg(test)]
mod tests {
    use super::*;
    use app::fakes::FakeIdentity;

    #[tokio::test]
    async fn answers_alike_for_any_address_and_refuses_a_bad_one() {
        let f = ResendConfirmation::new(FakeIdentity::default());
        let res = f
            .handle(
                http::Request::builder()
                    .body(Body::from(r#"{"email":"x@y.co"}"#))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
        let err = f
            .handle(
                http::Request::builder()
                    .body(Body::from(r#"{"email":"nope"}"#))
                    .unwrap(),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Validation(_)));
        assert_eq!(f.identity.calls(), ["resend_confirmation"]);
    }
}
