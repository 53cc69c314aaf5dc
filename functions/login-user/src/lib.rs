//! `POST /users/login`: `{email, password}` signs in; `{refresh_token}` renews the tokens.
//! Wrong credentials are one 401 whatever was wrong, so the answer reveals no accounts.

use app::AppError;
use app::ports::identity::Identity;
use aws::AppContext;
use aws::cognito::CognitoIdentity;
use domain::user::normalize_email;
use domain::validate::Violations;
use edge::http::{Body, HttpFunction, Request, Response, json, parse_json};
use http::StatusCode;
use serde::Deserialize;

const MAX_SECRET_CHARS: usize = 4096;

pub struct LoginUser<I> {
    identity: I,
}

pub fn build(ctx: &AppContext) -> LoginUser<CognitoIdentity> {
    LoginUser::new(CognitoIdentity::from_context(ctx))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    email: Option<String>,
    password: Option<String>,
    refresh_token: Option<String>,
}

impl<I: Identity> LoginUser<I> {
    pub fn new(identity: I) -> Self {
        Self { identity }
    }
}

impl<I: Identity> HttpFunction for LoginUser<I> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let input: LoginRequest = parse_json(&req)?;
        let mut v = Violations::new();
        for (field, value) in [
            ("password", &input.password),
            ("refresh_token", &input.refresh_token),
        ] {
            if let Some(value) = value {
                v.text(field, value, 1, MAX_SECRET_CHARS);
            }
        }
        let tokens = match (input.email, input.password, input.refresh_token) {
            (None, None, Some(refresh)) => {
                v.into_result()?;
                self.identity.refresh(&refresh).await?
            }
            (Some(email), Some(password), None) => {
                v.into_result()?;
                self.identity
                    .sign_in(&normalize_email(&email), &password)
                    .await?
            }
            (email, password, refresh) => {
                if refresh.is_some() {
                    v.add(
                        "refresh_token",
                        "exclusive",
                        "send either refresh_token alone, or email and password",
                    );
                } else {
                    if email.is_none() {
                        v.add("email", "required", "required with password");
                    }
                    if password.is_none() {
                        v.add("password", "required", "required with email");
                    }
                }
                return Err(v.into_result().unwrap_err().into());
            }
        };
        json(StatusCode::OK, &tokens)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/users/login",
    tag = "users",
    request_body(content = LoginRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "signed in", body = app::ports::identity::Tokens),
        edge::openapi::Problems,
    ),
)]
pub fn route() {}

#[cfg(test)]
mod tests {
    use super::*;
    use app::fakes::FakeIdentity;
    use app::ports::identity::NewAccount;

    fn request(body: &str) -> Request {
        http::Request::builder().body(Body::from(body)).unwrap()
    }

    async fn with_account(confirmed: bool) -> LoginUser<FakeIdentity> {
        let identity = FakeIdentity::default();
        identity
            .register(&NewAccount {
                email: "ada@example.com",
                password: "Str0ngPassword!",
            })
            .await
            .unwrap();
        if confirmed {
            identity
                .confirm_email("ada@example.com", app::fakes::FAKE_CONFIRMATION_CODE)
                .await
                .unwrap();
        }
        LoginUser::new(identity)
    }

    #[tokio::test]
    async fn an_unconfirmed_email_cannot_sign_in() {
        let f = with_account(false).await;
        let err = f
            .handle(request(
                r#"{"email":"ada@example.com","password":"Str0ngPassword!"}"#,
            ))
            .await
            .unwrap_err();
        assert!(
            matches!(err, AppError::Forbidden(ref m) if m.contains("/users/confirm")),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn signs_in_and_refreshes() {
        let f = with_account(true).await;
        let res = f
            .handle(request(
                r#"{"email":"ADA@example.com","password":"Str0ngPassword!"}"#,
            ))
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let body: serde_json::Value = serde_json::from_slice(res.body().as_ref()).unwrap();
        let refresh = body["refresh_token"].as_str().unwrap();
        let res = f
            .handle(request(&format!(r#"{{"refresh_token":"{refresh}"}}"#)))
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }

    #[tokio::test]
    async fn wrong_password_is_401_and_mixed_inputs_are_400() {
        let f = with_account(true).await;
        let err = f
            .handle(request(r#"{"email":"ada@example.com","password":"wrong"}"#))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Unauthorized(_)));
        for body in [
            r#"{"email":"a@b.co"}"#,
            r#"{"refresh_token":"x","email":"a@b.co"}"#,
            "{}",
        ] {
            let err = f.handle(request(body)).await.unwrap_err();
            assert!(matches!(err, AppError::Validation(_)), "{body}");
        }
    }
}
