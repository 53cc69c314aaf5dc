//! `POST /spaces` (operator or admin): lists a new space owned by the caller.

use http::{HeaderValue, StatusCode, header::LOCATION};
use jiff::Timestamp;
use shared::adapters::dynamo::DynamoStore;
use shared::api::spaces::{SpaceInput, SpaceResponse};
use shared::http::{Body, Caller, HttpFunction, Request, Response, Role, json, parse_json};
use shared::ports::spaces::SpaceStore;
use shared::{ApiError, AppContext};

pub struct CreateSpace<S> {
    spaces: S,
}

pub fn build(ctx: &AppContext) -> CreateSpace<DynamoStore> {
    CreateSpace {
        spaces: DynamoStore::from_context(ctx),
    }
}

impl<S: SpaceStore> HttpFunction for CreateSpace<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let caller = Caller::from_request(&req)?;
        caller.require(Role::Operator)?;
        let input: SpaceInput = parse_json(&req)?;
        let space = input.into_space(
            uuid::Uuid::new_v4().to_string(),
            caller.user_id.clone(),
            Timestamp::now(),
        )?;
        let audit = caller
            .audit("space.create", format!("space/{}", space.id))
            .after(&space);
        self.spaces.create_space(&space, &[], &audit).await?;
        tracing::info!(space_id = %space.id, owner = %space.owner_id, "space created");
        let mut res = json(
            StatusCode::CREATED,
            &SpaceResponse {
                space: &space,
                items: &[],
            },
        )?;
        let location =
            HeaderValue::try_from(format!("/spaces/{}", space.id)).map_err(ApiError::internal)?;
        res.headers_mut().insert(LOCATION, location);
        Ok(res)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/spaces",
    tag = "spaces",
    request_body(content = shared::api::spaces::SpaceInput, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = shared::api::spaces::SpaceResponse<'static>),
        shared::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
