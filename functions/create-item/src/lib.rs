//! `POST /spaces/{spaceId}/items` (owning operator or admin): adds a desk, room or office.
//! The identifier is unique within the space (409 otherwise).

use app::AppError;
use app::ports::spaces::SpaceStore;
use app::usecase::spaces::managed_space;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::api::spaces::ItemInput;
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, created, parse_json};
use jiff::Timestamp;

pub struct CreateItem<S> {
    spaces: S,
}

pub fn build(ctx: &AppContext) -> CreateItem<DynamoStore> {
    CreateItem {
        spaces: DynamoStore::from_context(ctx),
    }
}

impl<S: SpaceStore> HttpFunction for CreateItem<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let space_id = path_param(&req, "spaceId")?;
        let space = managed_space(&self.spaces, &caller, &space_id).await?;
        let input: ItemInput = parse_json(&req)?;
        let item = input.into_item(
            uuid::Uuid::new_v4().to_string(),
            space_id.clone(),
            Timestamp::now(),
        )?;
        let audit = caller
            .audit("item.create", format!("space/{space_id}/item/{}", item.id))
            .after(&item);
        self.spaces.create_item(&space, &item, &audit).await?;
        tracing::info!(space_id = %space_id, item_id = %item.id, "item created");
        created(&item, &format!("/spaces/{space_id}/items/{}", item.id))
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/spaces/{spaceId}/items",
    tag = "spaces",
    request_body(content = edge::api::spaces::ItemInput, content_type = "application/json"),
    params(
        ("spaceId" = String, Path),
    ),
    responses(
        (status = 201, description = "created", body = domain::space::BookableItem),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
