//! `PATCH /spaces/{spaceId}/items/{itemId}` (owning operator or admin).

use app::AppError;
use app::ports::spaces::SpaceStore;
use app::usecase::spaces::managed_item;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::api::spaces::ItemPatch;
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json, parse_json};
use http::StatusCode;
use jiff::Timestamp;

pub struct UpdateItem<S> {
    spaces: S,
}

pub fn build(ctx: &AppContext) -> UpdateItem<DynamoStore> {
    UpdateItem {
        spaces: DynamoStore::from_context(ctx),
    }
}

impl<S: SpaceStore> HttpFunction for UpdateItem<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let space_id = path_param(&req, "spaceId")?;
        let item_id = path_param(&req, "itemId")?;
        let (space, item) = managed_item(&self.spaces, &caller, &space_id, &item_id).await?;
        let patch: ItemPatch = parse_json(&req)?;
        let updated = patch.apply(item.clone(), Timestamp::now())?;
        let audit = caller
            .audit("item.update", format!("space/{space_id}/item/{item_id}"))
            .before(&item)
            .after(&updated);
        self.spaces
            .update_item(&space, &item, &updated, &audit)
            .await?;
        tracing::info!(space_id = %space_id, item_id = %item_id, version = updated.version, "item updated");
        json(StatusCode::OK, &updated)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    patch,
    path = "/spaces/{spaceId}/items/{itemId}",
    tag = "spaces",
    request_body(content = edge::api::spaces::ItemPatch, content_type = "application/json"),
    params(
        ("spaceId" = String, Path),
        ("itemId" = String, Path),
    ),
    responses(
        (status = 200, description = "updated", body = domain::space::BookableItem),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
