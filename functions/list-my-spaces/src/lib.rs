//! `GET /users/me/spaces` (operators and admins): the spaces the caller operates, by name,
//! so the web app's operator pages can list them (one indexed query on the owner).

use app::AppError;
use app::ports::spaces::SpaceStore;
use app::usecase::spaces::owned_spaces;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::space::Space;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;
use serde::Serialize;

pub struct ListMySpaces<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> ListMySpaces<DynamoStore> {
    ListMySpaces {
        store: DynamoStore::from_context(ctx),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct OwnedSpaces {
    items: Vec<Space>,
}

impl<S: SpaceStore> HttpFunction for ListMySpaces<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let items = owned_spaces(&self.store, &caller).await?;
        json(StatusCode::OK, &OwnedSpaces { items })
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/users/me/spaces",
    tag = "spaces",
    responses(
        (status = 200, description = "the caller's spaces, by name", body = OwnedSpaces),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
