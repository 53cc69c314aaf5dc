//! `DELETE /spaces/{spaceId}/items/{itemId}` (owning operator or admin): refused while the
//! item has upcoming bookings. Past bookings keep their own copy of what they booked.

use jiff::Timestamp;
use shared::adapters::dynamo::DynamoStore;
use shared::http::params::path_param;
use shared::http::response::no_content;
use shared::http::{Body, Caller, HttpFunction, Request, Response};
use shared::ports::spaces::SpaceStore;
use shared::usecase::spaces::managed_item;
use shared::{ApiError, AppContext};

pub struct DeleteItem<S> {
    spaces: S,
}

pub fn build(ctx: &AppContext) -> DeleteItem<DynamoStore> {
    DeleteItem {
        spaces: DynamoStore::from_context(ctx),
    }
}

impl<S: SpaceStore> HttpFunction for DeleteItem<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let caller = Caller::from_request(&req)?;
        let space_id = path_param(&req, "spaceId")?;
        let item_id = path_param(&req, "itemId")?;
        let (space, item) = managed_item(&self.spaces, &caller, &space_id, &item_id).await?;
        if self
            .spaces
            .has_future_bookings(&space_id, Some(&item_id), Timestamp::now())
            .await?
        {
            return Err(ApiError::Conflict {
                detail: "the item has upcoming bookings; cancel them first".into(),
                conflict: Some(
                    serde_json::json!({ "item_id": item_id, "reason": "upcoming_bookings" }),
                ),
            });
        }
        let audit = caller
            .audit("item.delete", format!("space/{space_id}/item/{item_id}"))
            .before(&item);
        self.spaces.delete_item(&space, &item, &audit).await?;
        tracing::info!(space_id = %space_id, item_id = %item_id, "item deleted");
        Ok(no_content())
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    delete,
    path = "/spaces/{spaceId}/items/{itemId}",
    tag = "spaces",
    params(
        ("spaceId" = String, Path),
        ("itemId" = String, Path),
    ),
    responses(
        (status = 204, description = "deleted"),
        shared::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
