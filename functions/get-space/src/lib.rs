//! `GET /spaces/{spaceId}`: a space and its bookable items. Public; one DynamoDB query.

use app::AppError;
use app::ports::spaces::SpaceStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::space::SpaceStatus;
use edge::api::spaces::SpaceResponse;
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response, json};
use http::StatusCode;

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
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
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
            _ => Err(AppError::NotFound(format!("no space {id}"))),
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
        (status = 200, description = "the space and its items", body = edge::api::spaces::SpaceResponse<'static>),
        edge::openapi::Problems,
    ),
)]
pub fn route() {}
