//! `POST /users/register`: creates the Cognito account (group `member`, unconfirmed: Cognito
//! mails a code, `POST /users/confirm` proves the address) and the user record. If the
//! record cannot be written the account is deleted again, so the two never disagree and the
//! same email can simply retry.
//!
//! An address is owned by whoever proves it: registering an email held by an account that
//! was never confirmed replaces that account (someone may have typed another person's
//! address), while a confirmed one is a 409.

use app::AppError;
use app::ports::identity::{Identity, IdentityError, NewAccount};
use app::ports::users::UserStore;
use aws::AppContext;
use aws::cognito::CognitoIdentity;
use aws::dynamo::DynamoStore;
use domain::booking::probation_until;
use domain::user::{User, normalize_email, validate_email, validate_name};
use domain::validate::Violations;
use edge::api::users::UserResponse;
use edge::http::{Body, HttpFunction, Request, Response, Role, json, parse_json};
use http::StatusCode;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Cognito's own limit; the policy itself (length, classes) is Cognito's to enforce.
const MAX_PASSWORD_CHARS: usize = 256;

pub struct RegisterUser<I, U> {
    identity: I,
    users: U,
}

pub fn build(ctx: &AppContext) -> RegisterUser<CognitoIdentity, DynamoStore> {
    RegisterUser::new(
        CognitoIdentity::from_context(ctx),
        DynamoStore::from_context(ctx),
    )
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RegisterRequest {
    email: String,
    password: String,
    name: String,
}

/// The new account, and what to do next.
#[derive(Serialize, utoipa::ToSchema)]
struct Registered {
    #[serde(flatten)]
    user: UserResponse,
    /// Always `sent`: the account signs in once the code mailed to it is confirmed.
    confirmation: &'static str,
}

impl<I: Identity, U: UserStore> RegisterUser<I, U> {
    pub fn new(identity: I, users: U) -> Self {
        Self { identity, users }
    }

    /// Signs up; an unconfirmed account already holding the address gives way once.
    async fn sign_up(&self, account: &NewAccount<'_>) -> Result<String, AppError> {
        match self.identity.register(account).await {
            Err(IdentityError::EmailTaken) => {
                let Some(stale) = self.identity.unconfirmed_account(account.email).await? else {
                    return Err(IdentityError::EmailTaken.into());
                };
                self.users.delete_unconfirmed_user(&stale).await?;
                self.identity.delete_account(account.email).await?;
                tracing::info!(user_id = %stale, "unconfirmed account replaced by a new registration");
                Ok(self.identity.register(account).await?)
            }
            other => Ok(other?),
        }
    }
}

impl<I: Identity, U: UserStore> HttpFunction for RegisterUser<I, U> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let input: RegisterRequest = parse_json(&req)?;
        let email = normalize_email(&input.email);
        let name = input.name.trim().to_string();
        let mut v = Violations::new();
        validate_email(&mut v, "email", &email);
        validate_name(&mut v, "name", &name);
        v.check(
            !input.password.is_empty(),
            "password",
            "required",
            "must not be empty",
        );
        v.check(
            input.password.chars().count() <= MAX_PASSWORD_CHARS,
            "password",
            "max_length",
            format!("must be at most {MAX_PASSWORD_CHARS} characters"),
        );
        v.into_result()?;

        let sub = self
            .sign_up(&NewAccount {
                email: &email,
                password: &input.password,
            })
            .await?;
        let now = Timestamp::now();
        let user = User {
            id: sub.clone(),
            email: email.clone(),
            name,
            membership_id: None,
            cognito_sub: sub,
            phone: None,
            phone_verified: false,
            notifications: Default::default(),
            billing: None,
            created_at: now,
            updated_at: now,
        };
        if let Err(err) = self.users.create_user(&user, probation_until(now)).await {
            if let Err(cleanup) = self.identity.delete_account(&email).await {
                tracing::error!(user_id = %user.id, error = %cleanup, "could not delete the account of a failed registration");
            }
            return Err(err.into());
        }
        tracing::info!(user_id = %user.id, "user registered");
        let mut response = json(
            StatusCode::CREATED,
            &Registered {
                user: UserResponse::new(user, vec![Role::Member]),
                confirmation: "sent",
            },
        )?;
        response.headers_mut().insert(
            http::header::LOCATION,
            http::HeaderValue::from_static("/users/me"),
        );
        Ok(response)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/users/register",
    tag = "users",
    request_body(content = RegisterRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "registered; confirm the email before signing in", body = Registered),
        edge::openapi::Problems,
    ),
)]
pub fn route() {}

#[cfg(test)]
mod tests {
    use super::*;
    use app::fakes::{FakeIdentity, MemoryStore};

    fn request(body: &str) -> Request {
        http::Request::builder()
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap()
    }

    fn problem(res: &Response<Body>) -> serde_json::Value {
        serde_json::from_slice(res.body().as_ref()).unwrap()
    }

    #[tokio::test]
    async fn registers_with_normalized_email() {
        let f = RegisterUser::new(FakeIdentity::default(), MemoryStore::default());
        let res = f
            .handle(request(
                r#"{"email":" Ada@Example.com ","password":"Str0ngPassword!","name":" Ada "}"#,
            ))
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let body = problem(&res);
        assert_eq!(body["email"], "ada@example.com");
        assert_eq!(body["name"], "Ada");
        assert_eq!(body["roles"], serde_json::json!(["member"]));
        let stored = f.users.users.lock().unwrap();
        assert_eq!(
            stored[body["id"].as_str().unwrap()].email,
            "ada@example.com"
        );
    }

    #[tokio::test]
    async fn invalid_input_touches_nothing() {
        let f = RegisterUser::new(FakeIdentity::default(), MemoryStore::default());
        let err = f
            .handle(request(r#"{"email":"nope","password":"","name":""}"#))
            .await
            .unwrap_err();
        let AppError::Validation(errors) = err else {
            panic!("{err:?}")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "name", "password"]);
        assert!(f.identity.calls().is_empty());
        assert!(f.users.users.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn store_failure_removes_the_account_again() {
        let f = RegisterUser::new(FakeIdentity::default(), MemoryStore::failing_writes());
        let err = f
            .handle(request(
                r#"{"email":"a@b.co","password":"Str0ngPassword!","name":"A"}"#,
            ))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Unavailable(_)));
        assert_eq!(f.identity.calls(), ["register", "delete_account"]);
        assert!(f.identity.accounts.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn an_unconfirmed_address_goes_to_whoever_confirms_it_then_it_is_a_conflict() {
        let f = RegisterUser::new(FakeIdentity::default(), MemoryStore::default());
        let body = r#"{"email":"a@b.co","password":"Str0ngPassword!","name":"A"}"#;
        let first = problem(&f.handle(request(body)).await.unwrap());
        assert_eq!(first["confirmation"], "sent");
        // Nobody confirmed it: registering again replaces the account and its record.
        let second = problem(
            &f.handle(request(&body.replace("a@b.co", "A@B.CO")))
                .await
                .unwrap(),
        );
        assert_ne!(first["id"], second["id"]);
        {
            let users = f.users.users.lock().unwrap();
            assert!(!users.contains_key(first["id"].as_str().unwrap()));
            assert!(users.contains_key(second["id"].as_str().unwrap()));
        }
        f.identity
            .confirm_email("a@b.co", app::fakes::FAKE_CONFIRMATION_CODE)
            .await
            .unwrap();
        let err = f
            .handle(request(&body.replace("a@b.co", "A@B.CO")))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Conflict { .. }));
        let err = f
            .handle(request(
                r#"{"email":"c@b.co","password":"short","name":"C"}"#,
            ))
            .await
            .unwrap_err();
        let AppError::Validation(errors) = err else {
            panic!()
        };
        assert_eq!(
            (errors[0].field.as_str(), errors[0].rule.as_str()),
            ("password", "policy")
        );
    }
}
