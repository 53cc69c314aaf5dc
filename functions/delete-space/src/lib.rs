//! `DELETE /spaces/{spaceId}` (owning operator or admin): a soft delete, refused while
//! pending or confirmed bookings are still to come.
//!
//! Check-then-delete would race with a booking made in between, so the order is: mark the
//! space deleted (bookings condition on an active space in their own transaction, so none
//! can be made from then on), then look for live bookings in their markers (a consistent
//! read, unlike the index), and restore the space if there are any.

use jiff::Timestamp;
use shared::adapters::dynamo::DynamoStore;
use shared::domain::space::SpaceStatus;
use shared::http::params::path_param;
use shared::http::response::no_content;
use shared::http::{Body, Caller, HttpFunction, Request, Response};
use shared::ports::bookings::BookingStore;
use shared::ports::spaces::SpaceStore;
use shared::usecase::spaces::managed_space;
use shared::{ApiError, AppContext};

pub struct DeleteSpace<S> {
    spaces: S,
}

pub fn build(ctx: &AppContext) -> DeleteSpace<DynamoStore> {
    DeleteSpace {
        spaces: DynamoStore::from_context(ctx),
    }
}

impl<S: SpaceStore + BookingStore> HttpFunction for DeleteSpace<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let caller = Caller::from_request(&req)?;
        let id = path_param(&req, "spaceId")?;
        let active = managed_space(&self.spaces, &caller, &id).await?;
        let now = Timestamp::now();
        let mut deleted = active.clone();
        deleted.status = SpaceStatus::Deleted;
        deleted.version += 1;
        deleted.updated_at = now;
        let audit = caller
            .audit("space.delete", format!("space/{id}"))
            .before(&active)
            .after(&deleted);
        self.spaces.update_space(&active, &deleted, &audit).await?;
        if self.spaces.has_upcoming_bookings(&id, None, now).await? {
            let mut restored = deleted.clone();
            restored.status = SpaceStatus::Active;
            restored.version += 1;
            // Undone at once: recorded too, so the log shows both states the space had.
            let undo = caller
                .audit("space.delete-undone", format!("space/{id}"))
                .before(&deleted)
                .after(&restored);
            self.spaces.update_space(&deleted, &restored, &undo).await?;
            return Err(ApiError::Conflict {
                detail: "the space has upcoming bookings; cancel them first".into(),
                conflict: Some(
                    serde_json::json!({ "space_id": id, "reason": "upcoming_bookings" }),
                ),
            });
        }
        tracing::info!(space_id = %id, by = %caller.user_id, "space deleted");
        Ok(no_content())
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    delete,
    path = "/spaces/{spaceId}",
    tag = "spaces",
    params(
        ("spaceId" = String, Path),
    ),
    responses(
        (status = 204, description = "deleted"),
        shared::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
