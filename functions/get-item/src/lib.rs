//! `GET /spaces/{spaceId}/items/{itemId}`: one bookable item (public).

use app::AppError;
use app::ports::spaces::SpaceStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response, json};
use http::StatusCode;

pub struct GetItem<S> {
    spaces: S,
}

pub fn build(ctx: &AppContext) -> GetItem<DynamoStore> {
    GetItem {
        spaces: DynamoStore::from_context(ctx),
    }
}

impl<S: SpaceStore> HttpFunction for GetItem<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let space_id = path_param(&req, "spaceId")?;
        let item_id = path_param(&req, "itemId")?;
        let item = self
            .spaces
            .get_item(&space_id, &item_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no item {item_id} in space {space_id}")))?;
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
        (status = 200, description = "the item", body = domain::space::BookableItem),
        edge::openapi::Problems,
    ),
)]
pub fn route() {}
