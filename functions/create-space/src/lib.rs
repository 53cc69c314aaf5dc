//! `POST /spaces` (operator or admin): lists a new space owned by the caller.

use app::AppError;
use app::ports::spaces::SpaceStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::api::spaces::{SpaceInput, SpaceResponse};
use edge::http::{Body, HttpFunction, Request, Response, Role, caller_of, created, parse_json};
use jiff::Timestamp;

pub struct CreateSpace<S> {
    spaces: S,
}

pub fn build(ctx: &AppContext) -> CreateSpace<DynamoStore> {
    CreateSpace {
        spaces: DynamoStore::from_context(ctx),
    }
}

impl<S: SpaceStore> HttpFunction for CreateSpace<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
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
        created(
            &SpaceResponse {
                space: &space,
                items: &[],
            },
            &format!("/spaces/{}", space.id),
        )
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/spaces",
    tag = "spaces",
    request_body(content = edge::api::spaces::SpaceInput, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = edge::api::spaces::SpaceResponse<'static>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
