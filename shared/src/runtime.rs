//! What each function's `main` calls: logging, configuration, clients, then the Lambda loop.

use std::convert::Infallible;
use std::sync::Arc;

use lambda_http::{Request, service_fn};

use crate::config::Config;
use crate::context::AppContext;
use crate::http::function::{HttpFunction, respond};
use crate::logging;

pub type Error = lambda_http::Error;

/// Serves an HTTP API function on Lambda. `build` is the function's composition root: it
/// wires adapters from the shared context. It runs once per execution environment (init).
pub async fn serve_http<F, B>(build: B) -> Result<(), Error>
where
    F: HttpFunction,
    B: FnOnce(&AppContext) -> F,
{
    logging::init();
    let context = AppContext::new(Config::from_env()?).await;
    let function = Arc::new(build(&context));
    lambda_http::run(service_fn(move |req: Request| {
        let function = Arc::clone(&function);
        async move { Ok::<_, Infallible>(respond(function.handle(req).await)) }
    }))
    .await
}
