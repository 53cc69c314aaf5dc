//! `POST /users/me/phone/code`: texts a six-digit code to the caller's phone number, so
//! they can prove it is theirs (`POST /users/me/phone/verify`). No SMS notification goes
//! to a number before that. At most one code a minute, and every SMS counts against the
//! member's daily allowance (429 when used up). See `app::usecase::phone`.

use app::AppError;
use app::usecase::phone::send_code;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::sms::SnsSms;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;
use jiff::Timestamp;
use serde::Serialize;

pub struct RequestPhoneCode<S, N> {
    store: S,
    sms: N,
}

pub fn build(ctx: &AppContext) -> RequestPhoneCode<DynamoStore, SnsSms> {
    RequestPhoneCode {
        store: DynamoStore::from_context(ctx),
        sms: SnsSms::from_context(ctx),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct CodeSent {
    sent: bool,
    #[schema(value_type = String, format = DateTime)]
    expires_at: Timestamp,
}

impl<S, N> HttpFunction for RequestPhoneCode<S, N>
where
    S: app::ports::phone::PhoneStore + app::ports::users::UserStore,
    N: app::ports::notifications::SmsSender,
{
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let random = uuid::Uuid::new_v4().as_u128();
        let expires_at = send_code(
            &self.store,
            &self.sms,
            &caller.user_id,
            random,
            Timestamp::now(),
        )
        .await?;
        json(
            StatusCode::ACCEPTED,
            &CodeSent {
                sent: true,
                expires_at,
            },
        )
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/users/me/phone/code",
    tag = "users",
    responses(
        (status = 202, description = "a code is on its way to the profile's phone number", body = CodeSent),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
