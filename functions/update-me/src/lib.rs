//! `PATCH /users/me`: the caller edits their profile: name, phone (E.164, or null to
//! remove it), notification channels (`{email, sms}`) and the billing details their
//! invoices carry (`{company, address, vat_id}`, or null to remove them).

use app::AppError;
use app::ports::users::UserStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::user::{BillingDetails, NotifyPrefs, ProfilePatch, validate_name, validate_phone};
use domain::validate::Violations;
use edge::api::users::UserResponse;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json, parse_json};
use http::StatusCode;
use jiff::Timestamp;
use serde::Deserialize;

pub struct UpdateMe<U> {
    users: U,
}

pub fn build(ctx: &AppContext) -> UpdateMe<DynamoStore> {
    UpdateMe {
        users: DynamoStore::from_context(ctx),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct MePatch {
    name: Option<String>,
    #[serde(default, deserialize_with = "edge::http::patch::nullable")]
    phone: Option<Option<String>>,
    notifications: Option<NotifyPrefs>,
    #[serde(default, deserialize_with = "edge::http::patch::nullable")]
    billing: Option<Option<BillingDetails>>,
}

impl<U: UserStore> HttpFunction for UpdateMe<U> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let patch: MePatch = parse_json(&req)?;
        let mut v = Violations::new();
        let change = ProfilePatch {
            name: patch.name.map(|n| n.trim().to_string()),
            phone: patch.phone.map(|p| p.map(|p| p.trim().to_string())),
            notifications: patch.notifications,
            // `{}` is no billing details: removed, not stored empty.
            billing: patch
                .billing
                .map(|b| b.filter(|b| !b.is_empty()).map(|b| b.checked(&mut v))),
        };
        if change == ProfilePatch::default() {
            return Err(AppError::field(
                "name",
                "required",
                "nothing to update: send name, phone, notifications or billing",
            ));
        }
        if let Some(name) = &change.name {
            validate_name(&mut v, "name", name);
        }
        if let Some(Some(phone)) = &change.phone {
            validate_phone(&mut v, "phone", phone);
        }
        v.into_result()?;
        let user = self
            .users
            .update_profile(&caller.user_id, &change, Timestamp::now())
            .await?;
        json(StatusCode::OK, &UserResponse::new(user, caller.roles))
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    patch,
    path = "/users/me",
    tag = "users",
    request_body(content = MePatch, content_type = "application/json"),
    responses(
        (status = 200, description = "updated", body = edge::api::users::UserResponse),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
