//! `DELETE /spaces/{spaceId}/items/{itemId}` (owning operator or admin): refused while the
//! item has upcoming bookings. Past bookings keep their own copy of what they booked.
//!
//! Check-then-delete would race with a booking committed in between, so the order is:
//! retire the item (bumping its version: a booking planned against it fails its version
//! check, and none is planned against a retiring item), look for live bookings in their
//! markers with a consistent read, then delete it, or bring it back and answer 409.

use app::AppError;
use app::ports::bookings::BookingStore;
use app::ports::spaces::SpaceStore;
use app::usecase::spaces::managed_item;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::http::params::path_param;
use edge::http::response::no_content;
use edge::http::{Body, HttpFunction, Request, Response, caller_of};
use jiff::Timestamp;

pub struct DeleteItem<S> {
    spaces: S,
}

pub fn build(ctx: &AppContext) -> DeleteItem<DynamoStore> {
    DeleteItem {
        spaces: DynamoStore::from_context(ctx),
    }
}

impl<S: SpaceStore + BookingStore> HttpFunction for DeleteItem<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let space_id = path_param(&req, "spaceId")?;
        let item_id = path_param(&req, "itemId")?;
        let (space, item) = managed_item(&self.spaces, &caller, &space_id, &item_id).await?;
        let now = Timestamp::now();
        // First no new booking can be made (it takes none while retiring, and one planned
        // against its old version fails), then a consistent look for live ones.
        let retiring = self.spaces.set_item_retired(&item, Some(now)).await?;
        if self
            .spaces
            .has_upcoming_bookings(&space_id, Some(&item_id), now)
            .await?
        {
            self.spaces.set_item_retired(&retiring, None).await?;
            return Err(AppError::Conflict {
                detail: "the item has upcoming bookings; cancel them first".into(),
                conflict: Some(
                    serde_json::json!({ "item_id": item_id, "reason": "upcoming_bookings" }),
                ),
            });
        }
        let audit = caller
            .audit("item.delete", format!("space/{space_id}/item/{item_id}"))
            .before(&item);
        if let Err(e) = self.spaces.delete_item(&space, &retiring, &audit).await {
            // Not deleted: bookable again, as before the request.
            if let Err(undo) = self.spaces.set_item_retired(&retiring, None).await {
                tracing::error!(item_id = %item_id, error = %undo, "item left retiring");
            }
            return Err(e.into());
        }
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
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
