//! `DELETE /spaces/{spaceId}` (owning operator or admin): a soft delete, refused while
//! pending or confirmed bookings are still to come.
//!
//! Check-then-delete would race with a booking made in between, so the order is: mark the
//! space deleted (bookings condition on an active space in their own transaction, so none
//! can be made from then on), then look for live bookings in their markers (a consistent
//! read, unlike the index), and restore the space if there are any.

use app::AppError;
use app::ports::bookings::BookingStore;
use app::ports::spaces::SpaceStore;
use app::usecase::spaces::managed_space;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::space::SpaceStatus;
use edge::http::params::path_param;
use edge::http::response::no_content;
use edge::http::{Body, HttpFunction, Request, Response, caller_of};
use jiff::Timestamp;

pub struct DeleteSpace<S> {
    spaces: S,
}

pub fn build(ctx: &AppContext) -> DeleteSpace<DynamoStore> {
    DeleteSpace {
        spaces: DynamoStore::from_context(ctx),
    }
}

impl<S: SpaceStore + BookingStore> HttpFunction for DeleteSpace<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
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
            return Err(AppError::Conflict {
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
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
