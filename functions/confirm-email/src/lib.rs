//! `POST /users/confirm` (public): proves the caller owns the email they registered with,
//! by the code Cognito mailed to it. Until then the account cannot sign in, so it can
//! neither book nor pay. A wrong or expired code is a 400 naming `code`; asking too often
//! is a 429 (Cognito's limits).

use app::AppError;
use app::ports::identity::Identity;
use aws::AppContext;
use aws::cognito::CognitoIdentity;
use domain::user::{normalize_email, validate_email};
use domain::validate::Violations;
use edge::http::{Body, HttpFunction, Request, Response, json, parse_json};
use http::StatusCode;
use serde::{Deserialize, Serialize};

pub struct ConfirmEmail<I> {
    identity: I,
}

pub fn build(ctx: &AppContext) -> ConfirmEmail<CognitoIdentity> {
    ConfirmEmail::new(CognitoIdentity::from_context(ctx))
}

impl<I> ConfirmEmail<I> {
    pub fn new(identity: I) -> Self {
        Self { identity }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ConfirmRequest {
    email: String,
    /// The code from the confirmation email.
    code: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Confirmed {
    confirmed: bool,
}

/// Cognito's codes are six digits; anything else cannot be one.
fn valid_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

impl<I: Identity> HttpFunction for ConfirmEmail<I> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let input: ConfirmRequest = parse_json(&req)?;
        let email = normalize_email(&input.email);
        let code = input.code.trim();
        let mut v = Violations::new();
        validate_email(&mut v, "email", &email);
        v.check(
            valid_code(code),
            "code",
            "format",
            "the six digits from the email",
        );
        v.into_result()?;
        self.identity.confirm_email(&email, code).await?;
        json(StatusCode::OK, &Confirmed { confirmed: true })
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/users/confirm",
    tag = "users",
    request_body(content = ConfirmRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "the email is confirmed; the account can sign in", body = Confirmed),
        edge::openapi::Problems,
    ),
)]
pub fn route() {}

#[cfg(test)]
mod tests {
    use super::*;
    use app::fakes::{FAKE_CONFIRMATION_CODE, FakeIdentity};
    use app::ports::identity::NewAccount;

    fn request(body: &str) -> Request {
        http::Request::builder().body(Body::from(body)).unwrap()
    }

    #[tokio::test]
    async fn the_mailed_code_confirms_and_others_are_400_naming_code() {
        let identity = FakeIdentity::default();
        identity
            .register(&NewAccount {
                email: "ada@example.com",
                password: "Str0ngPassword!",
            })
            .await
            .unwrap();
        let f = ConfirmEmail::new(identity);
        for (code, rule) in [
            ("12345", "format"),
            ("abcdef", "format"),
            ("000000", "mismatch"),
        ] {
            let err = f
                .handle(request(&format!(
                    r#"{{"email":"ada@example.com","code":"{code}"}}"#
                )))
                .await
                .unwrap_err();
            let AppError::Validation(errs) = err else {
                panic!("{err:?}")
            };
            assert_eq!(
                (errs[0].field.as_str(), errs[0].rule.as_str()),
                ("code", rule)
            );
        }
        assert!(f.identity.confirmed.lock().unwrap().is_empty());
        let res = f
            .handle(request(&format!(
                r#"{{"email":" ADA@example.com","code":"{FAKE_CONFIRMATION_CODE}"}}"#
            )))
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(
            f.identity
                .confirmed
                .lock()
                .unwrap()
                .contains("ada@example.com")
        );
    }
}
