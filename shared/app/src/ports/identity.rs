//! The identity provider (Cognito on AWS): accounts, passwords, groups, tokens.

use std::future::Future;

use serde::Serialize;
use thiserror::Error;

use crate::error::AppError;
use domain::role::Role;

type Source = Box<dyn std::error::Error + Send + Sync>;

/// What the identity provider keeps: credentials and the sign-in email. Profile data
/// (name, ...) lives only in the user record, so it has one source of truth.
pub struct NewAccount<'a> {
    pub email: &'a str,
    pub password: &'a str,
}

/// Tokens as the clients need them. Never logged.
#[derive(Clone, Serialize, utoipa::ToSchema)]
pub struct Tokens {
    pub access_token: String,
    pub id_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub expires_in: i32,
    pub token_type: String,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens(redacted)")
    }
}

#[derive(Debug, Error)]
pub enum IdentityError {
    #[error("an account with this email already exists")]
    EmailTaken,
    /// The provider's own wording of its password policy, safe to show the client.
    #[error("{0}")]
    WeakPassword(String),
    #[error("invalid email or password")]
    InvalidCredentials,
    /// Right password, but the email address was never confirmed.
    #[error(
        "confirm your email address first: enter the code we sent to it (POST /users/confirm; POST /users/confirm/resend for a new one)"
    )]
    Unconfirmed,
    #[error("this code is wrong or has expired; ask for a new one (POST /users/confirm/resend)")]
    InvalidCode,
    #[error("{0}")]
    InvalidInput(String),
    #[error("too many attempts; try again later")]
    TooManyAttempts,
    #[error("identity provider unavailable")]
    Unavailable(#[source] Source),
    #[error("identity provider failure")]
    Other(#[source] Source),
}

impl From<IdentityError> for AppError {
    fn from(err: IdentityError) -> Self {
        match err {
            IdentityError::EmailTaken => AppError::Conflict {
                detail: err.to_string(),
                conflict: Some(serde_json::json!({ "field": "email" })),
            },
            IdentityError::WeakPassword(policy) => AppError::field("password", "policy", policy),
            IdentityError::InvalidCredentials => AppError::Unauthorized(err.to_string()),
            IdentityError::Unconfirmed => AppError::Forbidden(err.to_string()),
            IdentityError::InvalidCode => AppError::field("code", "mismatch", err.to_string()),
            IdentityError::InvalidInput(msg) => AppError::field("body", "identity", msg),
            IdentityError::TooManyAttempts => AppError::TooManyRequests(err.to_string()),
            IdentityError::Unavailable(s) => AppError::Unavailable(s),
            IdentityError::Other(s) => AppError::Internal(s),
        }
    }
}

pub trait Identity: Send + Sync + 'static {
    /// Creates an unconfirmed account in the `member` group and has a confirmation code
    /// sent to its email; returns its subject id. It cannot sign in until confirmed.
    fn register(
        &self,
        account: &NewAccount<'_>,
    ) -> impl Future<Output = Result<String, IdentityError>> + Send;
    /// The subject id of the account with this email if it exists and was never
    /// confirmed (nobody proved they own the address); `None` otherwise.
    fn unconfirmed_account(
        &self,
        email: &str,
    ) -> impl Future<Output = Result<Option<String>, IdentityError>> + Send;
    /// Proves ownership of the email with the code sent to it.
    fn confirm_email(
        &self,
        email: &str,
        code: &str,
    ) -> impl Future<Output = Result<(), IdentityError>> + Send;
    /// Sends a new confirmation code (silently nothing for an unknown or confirmed email).
    fn resend_confirmation(
        &self,
        email: &str,
    ) -> impl Future<Output = Result<(), IdentityError>> + Send;
    /// Removes an account (compensation when the rest of a registration failed).
    fn delete_account(&self, email: &str)
    -> impl Future<Output = Result<(), IdentityError>> + Send;
    fn sign_in(
        &self,
        email: &str,
        password: &str,
    ) -> impl Future<Output = Result<Tokens, IdentityError>> + Send;
    fn refresh(
        &self,
        refresh_token: &str,
    ) -> impl Future<Output = Result<Tokens, IdentityError>> + Send;
    /// `user` is the user id (Cognito `sub`) or the email.
    fn add_role(
        &self,
        user: &str,
        role: Role,
    ) -> impl Future<Output = Result<(), IdentityError>> + Send;
    fn remove_role(
        &self,
        user: &str,
        role: Role,
    ) -> impl Future<Output = Result<(), IdentityError>> + Send;
    /// The user's groups that are roles.
    fn roles(&self, user: &str) -> impl Future<Output = Result<Vec<Role>, IdentityError>> + Send;
    /// Invalidates the user's refresh tokens, so new access tokens carry current roles.
    fn sign_out_everywhere(
        &self,
        user: &str,
    ) -> impl Future<Output = Result<(), IdentityError>> + Send;
}
