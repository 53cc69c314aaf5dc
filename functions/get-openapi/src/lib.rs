//! `GET /openapi.json` (public): the OpenAPI 3.1 document of the whole HTTP API, built from
//! each route's own annotation (`route()` in every function crate, collected from
//! template.yaml by build.rs) and the Rust types of its requests and answers, so it cannot
//! drift from the code. Schemathesis checks the answers against it.

use std::sync::OnceLock;

use app::AppError;
use aws::AppContext;
use edge::http::{Body, HttpFunction, Request, Response};
use edge::openapi::BearerAuth;
use http::StatusCode;
use utoipa::OpenApi;

// The document's derive, listing every HttpApi function's `route` (generated from
// template.yaml by build.rs).
include!(concat!(env!("OUT_DIR"), "/api_doc.rs"));

/// Names every operation after the crate that serves it (`createBooking` style names would
/// hide where the code is; the crate name is what a newcomer searches for).
struct OperationIds;

impl utoipa::Modify for OperationIds {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        for (method, path, id) in OPERATION_IDS {
            let Some(item) = doc.paths.paths.get_mut(*path) else {
                continue;
            };
            let op = match *method {
                "GET" => item.get.as_mut(),
                "POST" => item.post.as_mut(),
                "PUT" => item.put.as_mut(),
                "PATCH" => item.patch.as_mut(),
                "DELETE" => item.delete.as_mut(),
                _ => None,
            };
            if let Some(op) = op {
                op.operation_id = Some((*id).to_string());
            }
        }
    }
}

/// The document as JSON, built once per container.
pub fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        ApiDoc::openapi()
            .to_json()
            .expect("the OpenAPI document serializes")
    })
}

pub struct GetOpenApi;

pub fn build(_ctx: &AppContext) -> GetOpenApi {
    GetOpenApi
}

impl HttpFunction for GetOpenApi {
    async fn handle(&self, _req: Request) -> Result<Response<Body>, AppError> {
        let mut res = Response::new(Body::from(document()));
        *res.status_mut() = StatusCode::OK;
        res.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        Ok(res)
    }
}

/// This route in the document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    responses((status = 200, description = "this document", content_type = "application/json", body = Object))
)]
pub fn route() {}
