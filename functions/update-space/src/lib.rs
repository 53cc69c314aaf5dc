//! `PATCH /spaces/{spaceId}` (owning operator or admin).

use app::AppError;
use app::ports::spaces::SpaceStore;
use app::usecase::spaces::managed_space;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::api::spaces::SpacePatch;
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json, parse_json};
use http::StatusCode;
use jiff::Timestamp;

pub struct UpdateSpace<S> {
    spaces: S,
}

pub fn build(ctx: &AppContext) -> UpdateSpace<DynamoStore> {
    UpdateSpace {
        spaces: DynamoStore::from_context(ctx),
    }
}

impl<S: SpaceStore> HttpFunction for UpdateSpace<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let id = path_param(&req, "spaceId")?;
        let space = managed_space(&self.spaces, &caller, &id).await?;
        let patch: SpacePatch = parse_json(&req)?;
        let updated = patch.apply(space.clone(), Timestamp::now())?;
        let audit = caller
            .audit("space.update", format!("space/{id}"))
            .before(&space)
            .after(&updated);
        self.spaces.update_space(&space, &updated, &audit).await?;
        tracing::info!(space_id = %id, by = %caller.user_id, version = updated.version, "space updated");
        json(StatusCode::OK, &updated)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    patch,
    path = "/spaces/{spaceId}",
    tag = "spaces",
    request_body(content = edge::api::spaces::SpacePatch, content_type = "application/json"),
    params(
        ("spaceId" = String, Path),
    ),
    responses(
        (status = 200, description = "updated", body = domain::space::Space),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
