//! `GET /spaces/{spaceId}/items/{itemId}`: one bookable item (public).

use http::StatusCode;
use shared::adapters::dynamo::DynamoStore;
use shared::http::params::path_param;
use shared::http::{Body, HttpFunction, Request, Response, json};
use shared::ports::spaces::SpaceStore;
use shared::{ApiError, AppContext};

pub struct GetItem<S> {
    spaces: S,
}

pub fn build(ctx: &AppContext) -> GetItem<DynamoStore> {
    GetItem {
        spaces: DynamoStore::from_context(ctx),
    }
}

impl<S: SpaceStore> HttpFunction for GetItem<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let space_id = path_param(&req, "spaceId")?;
        let item_id = path_param(&req, "itemId")?;
        let item = self
            .spaces
            .get_item(&space_id, &item_id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no item {item_id} in space {space_id}")))?;
        json(StatusCode::OK, &item)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/spaces/{spaceId}/items/{itemId}",
    tag = "spaces",
    params(
        ("spaceId" = String, Path),
        ("itemId" = String, Path),
    ),
    responses(
        (status = 200, description = "the item", body = shared::domain::space::BookableItem),
        shared::openapi::Problems,
    ),
)]
pub fn route() {}
