//! The handler contract: every HTTP function crate exposes a type implementing
//! [`HttpFunction`]. Its Lambda `main` serves it with [`crate::runtime::serve_http`]; the local
//! gateway and tests call the very same type in-process through [`boxed`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use aws_smithy_types::error::display::DisplayErrorContext;
use lambda_http::{Body, Request, Response};

use crate::http::problem::{Problem, status};
use app::error::AppError;

pub trait HttpFunction: Send + Sync + 'static {
    fn handle(&self, req: Request)
    -> impl Future<Output = Result<Response<Body>, AppError>> + Send;
}

pub type ResponseFuture = Pin<Box<dyn Future<Output = Response<Body>> + Send>>;

/// A type-erased handler, as the local gateway keeps them in its route table.
pub type BoxedHandler = Arc<dyn Fn(Request) -> ResponseFuture + Send + Sync>;

pub fn boxed<F: HttpFunction>(function: F) -> BoxedHandler {
    let function = Arc::new(function);
    Arc::new(move |req| {
        let function = Arc::clone(&function);
        Box::pin(async move { respond(function.handle(req).await) })
    })
}

/// Turns a handler result into the HTTP answer; errors become problem+json and are
/// logged once here (server errors with their full cause chain, client errors briefly).
pub fn respond(result: Result<Response<Body>, AppError>) -> Response<Body> {
    match result {
        Ok(response) => response,
        Err(err) => {
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
