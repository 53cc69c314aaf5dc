//! `PATCH /users/me`: the caller edits their profile (name).

use http::StatusCode;
use jiff::Timestamp;
use serde::Deserialize;
use shared::adapters::dynamo::DynamoStore;
use shared::api::users::UserResponse;
use shared::domain::user::validate_name;
use shared::domain::validate::Violations;
use shared::http::{Body, Caller, HttpFunction, Request, Response, json, parse_json};
use shared::ports::users::UserStore;
use shared::{ApiError, AppContext};

pub struct UpdateMe<U> {
    users: U,
}

pub fn build(ctx: &AppContext) -> UpdateMe<DynamoStore> {
    UpdateMe {
        users: DynamoStore::from_context(ctx),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MePatch {
    name: Option<String>,
}

impl<U: UserStore> HttpFunction for UpdateMe<U> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let caller = Caller::from_request(&req)?;
        let patch: MePatch = parse_json(&req)?;
        let Some(name) = patch.name.map(|n| n.trim().to_string()) else {
            return Err(ApiError::field(
                "name",
                "required",
                "nothing to update: send name",
            ));
        };
        let mut v = Violations::new();
        validate_name(&mut v, "name", &name);
        v.into_result()?;
        let user = self
            .users
            .rename_user(&caller.user_id, &name, Timestamp::now())
            .await?;
        json(StatusCode::OK, &UserResponse::new(user, caller.roles))
    }
}
