//! `GET /health`: liveness. Touches no dependency, so it answers even when AWS is degraded.

use app::AppError;
use aws::AppContext;
use edge::http::{Body, HttpFunction, Request, Response, json};
use http::StatusCode;
use serde::Serialize;

pub struct GetHealth {
    stage: String,
}

pub fn build(ctx: &AppContext) -> GetHealth {
    GetHealth {
        stage: ctx.config().stage.clone(),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct Health<'a> {
    status: &'static str,
    stage: &'a str,
    version: &'static str,
}

impl HttpFunction for GetHealth {
    async fn handle(&self, _req: Request) -> Result<Response<Body>, AppError> {
        json(
            StatusCode::OK,
            &Health {
                status: "ok",
                stage: &self.stage,
                version: env!("CARGO_PKG_VERSION"),
            },
        )
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/health",
    tag = "health",
    responses(
        (status = 200, description = "alive", body = Health<'static>),
        edge::openapi::Problems,
    ),
)]
pub fn route() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_ok() {
        let f = GetHealth {
            stage: "test".into(),
        };
        let res = f.handle(http::Request::new(Body::Empty)).await.unwrap();
        assert_eq!(res.status(), 200);
        let body: serde_json::Value = serde_json::from_slice(res.body().as_ref()).unwrap();
        assert_eq!(body["status"], "ok");
        assert_eq!(body["stage"], "test");
    }
}
