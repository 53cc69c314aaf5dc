//! The handler contract: every HTTP function crate exposes a type implementing
//! [`HttpFunction`]. Its Lambda `main` serves it with [`crate::runtime::serve_http`]; the local
//! gateway and tests call the very same type in-process through [`boxed`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use aws::telemetry::context::{self, Invocation};
use aws::telemetry::emf;
use aws_smithy_types::error::display::DisplayErrorContext;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};

use crate::http::problem::{Problem, status};
use app::error::AppError;

pub trait HttpFunction: Send + Sync + 'static {
    fn handle(&self, req: Request)
    -> impl Future<Output = Result<Response<Body>, AppError>> + Send;
}

pub type ResponseFuture = Pin<Box<dyn Future<Output = Response<Body>> + Send>>;

/// A type-erased handler, as the local gateway keeps them in its route table.
pub type BoxedHandler = Arc<dyn Fn(Request) -> ResponseFuture + Send + Sync>;

/// `function` (crate `name`) as the gateway calls it: the same [`serve`] as on Lambda.
pub fn boxed<F: HttpFunction>(name: &'static str, function: F) -> BoxedHandler {
    let function = Arc::new(function);
    Arc::new(move |req| {
        let function = Arc::clone(&function);
        Box::pin(async move { serve(name, &*function, req).await })
    })
}

/// One request, as Lambda and the local gateway both run it: as an invocation of `name`
/// (every log line names it, `aws::telemetry::context`), answered with its request id
/// (`X-Request-Id`, what a support request quotes to find the logs).
pub async fn serve<F: HttpFunction>(
    name: &'static str,
    function: &F,
    req: Request,
) -> Response<Body> {
    let invocation = invocation_of(name, &req);
    let request_id = invocation.request_id.clone();
    let mut response =
        context::run(invocation, async { respond(function.handle(req).await) }).await;
    if let Ok(value) = http::HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

fn invocation_of(name: &'static str, req: &Request) -> Invocation {
    let request_id = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(c)) => c.request_id.clone(),
        _ => None,
    };
    let trace_id = req
        .lambda_context_ref()
        .and_then(|c| c.xray_trace_id.clone());
    Invocation::new(name, request_id, trace_id)
}

/// Turns a handler result into the HTTP answer; errors become problem+json and are
/// logged once here (server errors with their full cause chain, client errors briefly).
pub fn respond(result: Result<Response<Body>, AppError>) -> Response<Body> {
    match result {
        Ok(response) => response,
        Err(err) => {
            count_failure(&err);
            match &err {
                AppError::Internal(source) | AppError::Unavailable(source) => {
                    tracing::error!(status = status(&err).as_u16(), cause = %DisplayErrorContext(&**source), "request failed");
                }
                other => {
                    tracing::info!(status = status(other).as_u16(), error = %other, "request rejected")
                }
            }
            Problem::from(&err).into_response()
        }
    }
}

/// Conflicts (by kind: an "unusual conflict rate" alarm watches their total) and server
/// errors (by function: each route's alarm watches its own) as EMF metrics.
fn count_failure(err: &AppError) {
    match err {
        AppError::Conflict { conflict, .. } => emf::count_by(
            emf::names::CONFLICTS,
            ("Kind", &conflict_kind(conflict.as_ref())),
            1.0,
        ),
        AppError::Internal(_) | AppError::Unavailable(_) => {
            let function = context::current().map_or("unknown", |inv| inv.function);
            emf::count_by(emf::names::SERVER_ERRORS, ("Function", function), 1.0)
        }
        _ => {}
    }
}

/// A small, fixed vocabulary (a dimension value makes a metric per value): a taken slot
/// by what took it, otherwise what the conflict names, otherwise a concurrent change.
fn conflict_kind(conflict: Option<&serde_json::Value>) -> String {
    let Some(map) = conflict.and_then(|c| c.as_object()) else {
        return "changed".into();
    };
    if let Some(kind) = map.get("kind").and_then(|k| k.as_str()) {
        return format!("slot-{kind}");
    }
    if map.contains_key("slot_start") {
        return "slot-taken".into();
    }
    map.keys()
        .next()
        .map_or_else(|| "changed".into(), |k| k.replace('_', "-"))
}
