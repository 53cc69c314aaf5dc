//! What each function's `main` calls: logging, configuration, clients, then the Lambda loop.

use std::convert::Infallible;
use std::sync::Arc;

use lambda_http::{Request, service_fn};

use crate::http::function::{HttpFunction, serve};
use crate::logging;
use aws::config::Config;
use aws::context::AppContext;
use aws::telemetry::context::{self, Invocation};

pub type Error = lambda_http::Error;

/// Serves an HTTP API function (crate `name`) on Lambda. `build` is the function's
/// composition root: it wires adapters from the shared context. It runs once per
/// execution environment (init).
pub async fn serve_http<F, B>(name: &'static str, build: B) -> Result<(), Error>
where
    F: HttpFunction,
    B: FnOnce(&AppContext) -> F,
{
    logging::init();
    let context = AppContext::new(Config::from_env()?).await;
    let function = Arc::new(build(&context));
    lambda_http::run(service_fn(move |req: Request| {
        let function = Arc::clone(&function);
        async move { Ok::<_, Infallible>(serve(name, &*function, req).await) }
    }))
    .await
}

/// An event-driven function (stream, queue or schedule): typed payload in, typed answer out.
pub trait EventFunction: Send + Sync + 'static {
    type Input: serde::de::DeserializeOwned + Send;
    type Output: serde::Serialize + Send;
    fn handle(
        &self,
        input: Self::Input,
    ) -> impl std::future::Future<Output = Result<Self::Output, Error>> + Send;
}

/// Serves an event-driven function on Lambda (same composition-root shape as HTTP).
pub async fn serve_event<F, B>(name: &'static str, build: B) -> Result<(), Error>
where
    F: EventFunction,
    B: FnOnce(&AppContext) -> F,
{
    logging::init();
    let context = AppContext::new(Config::from_env()?).await;
    let function = Arc::new(build(&context));
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<F::Input>| {
            let function = Arc::clone(&function);
            let invocation = Invocation::new(
                name,
                Some(event.context.request_id.clone()),
                event.context.xray_trace_id.clone(),
            );
            // Boxed: the handler's future type stays opaque to the runtime's, which keeps
            // its layout shallow (deep AWS SDK futures otherwise hit the recursion limit).
            let fut: std::pin::Pin<Box<dyn std::future::Future<Output = _> + Send>> =
                Box::pin(context::run(invocation, async move {
                    function.handle(event.payload).await
                }));
            fut
        },
    ))
    .await
}

/// JSON in, JSON out: how the local gateway's event pump calls any event function.
pub type BoxedEventFunction = Arc<
    dyn Fn(
            serde_json::Value,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<serde_json::Value, Error>> + Send>,
        > + Send
        + Sync,
>;

/// `f` (crate `name`) as the gateway's event pump calls it, as one invocation like on Lambda.
pub fn boxed_event<F: EventFunction>(name: &'static str, f: F) -> BoxedEventFunction {
    let f = Arc::new(f);
    Arc::new(move |input: serde_json::Value| {
        let f = Arc::clone(&f);
        Box::pin(context::run(
            Invocation::new(name, None, None),
            async move {
                let input: F::Input = serde_json::from_value(input)?;
                let out = f.handle(input).await?;
                Ok(serde_json::to_value(out)?)
            },
        ))
    })
}
