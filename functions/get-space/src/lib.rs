//! `GET /spaces/{spaceId}`: a space and its bookable items. Public; one DynamoDB query.

use http::StatusCode;
use shared::adapters::dynamo::DynamoStore;
use shared::api::spaces::SpaceResponse;
use shared::domain::space::SpaceStatus;
use shared::http::params::path_param;
use shared::http::{Body, HttpFunction, Request, Response, json};
use shared::ports::spaces::SpaceStore;
use shared::{ApiError, AppContext};

pub struct GetSpace<S> {
    spaces: S,
}

pub fn build(ctx: &AppContext) -> GetSpace<DynamoStore> {
    GetSpace::new(DynamoStore::from_context(ctx))
}

impl<S: SpaceStore> GetSpace<S> {
    pub fn new(spaces: S) -> Self {
        Self { spaces }
    }
}

impl<S: SpaceStore> HttpFunction for GetSpace<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, ApiError> {
        let id = path_param(&req, "spaceId")?;
        match self.spaces.get_space(&id).await? {
            Some((space, mut items)) if space.status == SpaceStatus::Active => {
                items.sort_by(|a, b| a.identifier.cmp(&b.identifier));
                json(
                    StatusCode::OK,
                    &SpaceResponse {
                        space: &space,
                        items: &items,
                    },
                )
            }
            _ => Err(ApiError::NotFound(format!("no space {id}"))),
        }
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/spaces/{spaceId}",
    tag = "spaces",
    params(
        ("spaceId" = String, Path),
    ),
    responses(
        (status = 200, description = "the space and its items", body = shared::api::spaces::SpaceResponse<'static>),
        shared::openapi::Problems,
    ),
)]
pub fn route() {}
