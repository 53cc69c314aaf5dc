//! `POST /users/me/phone/verify`: the code texted by `POST /users/me/phone/code`, typed
//! back. Right: the number is verified and SMS notifications may go to it. Wrong: 400 with
//! the tries left; expired, used up or sent to a number changed since: 400 `expired`.

use app::AppError;
use app::usecase::phone::verify_code;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::api::users::UserResponse;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json, parse_json};
use http::StatusCode;
use jiff::Timestamp;
use serde::Deserialize;

pub struct VerifyPhone<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> VerifyPhone<DynamoStore> {
    VerifyPhone {
        store: DynamoStore::from_context(ctx),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct VerifyRequest {
    /// The six digits from the SMS.
    code: String,
}

impl<S> HttpFunction for VerifyPhone<S>
where
    S: app::ports::phone::PhoneStore + app::ports::users::UserStore,
{
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let input: VerifyRequest = parse_json(&req)?;
        let code = input.code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AppError::field(
                "code",
                "format",
                "the six digits from the SMS",
            ));
        }
        let user = verify_code(&self.store, &caller.user_id, code, Timestamp::now()).await?;
        json(StatusCode::OK, &UserResponse::new(user, caller.roles))
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/users/me/phone/verify",
    tag = "users",
    request_body(content = VerifyRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "the phone number is verified", body = UserResponse),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
