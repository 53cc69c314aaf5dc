//! `GET /openapi.json` (public): the OpenAPI 3.1 document of the whole HTTP API, built from
//! each route's own annotation (`route()` in every function crate) and the Rust types of
//! its requests and answers, so it cannot drift from the code. A test checks it lists
//! exactly template.yaml's routes; schemathesis checks the answers against it.

use std::sync::OnceLock;

use http::StatusCode;
use shared::http::{Body, HttpFunction, Request, Response};
use shared::openapi::BearerAuth;
use shared::{ApiError, AppContext};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Coworking booking API",
        version = "1.0.0",
        description = "Spaces, availability, bookings, payments, memberships, reviews, notifications, reports. Errors are application/problem+json (RFC 9457). Times are RFC 3339 UTC instants; money is integer minor units plus currency. Live availability is a WebSocket API (see README)."
    ),
    paths(
        cancel_booking::route,
        cancel_membership::route,
        create_booking::route,
        create_item::route,
        create_plan::route,
        create_space::route,
        delete_item::route,
        delete_plan::route,
        delete_space::route,
        erase_me::route,
        export_me::route,
        get_availability::route,
        get_booking::route,
        get_health::route,
        get_item::route,
        get_me::route,
        get_membership::route,
        get_plan::route,
        get_space::route,
        get_space_report::route,
        grant_role::route,
        list_audit::route,
        list_notifications::route,
        list_plans::route,
        list_reviews::route,
        list_user_bookings::route,
        login_user::route,
        mark_notification_read::route,
        payments_webhook::route,
        post_review::route,
        register_user::route,
        revoke_role::route,
        search_spaces::route,
        subscribe_membership::route,
        update_item::route,
        update_me::route,
        update_plan::route,
        update_space::route,
        route
    ),
    components(schemas(shared::http::Problem, shared::error::FieldError)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

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
    async fn handle(&self, _req: Request) -> Result<Response<Body>, ApiError> {
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
