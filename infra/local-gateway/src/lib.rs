//! Local stand-in for API Gateway (HTTP API) + Lambda: serves every HttpApi route of
//! template.yaml on 127.0.0.1, verifies JWTs like the Cognito JWT authorizer, and calls
//! each route's handler in-process, with the same event its Lambda would receive.

pub mod auth;
pub mod authorizer;
pub mod cors;
pub mod event;
pub mod iam_usage;
pub mod live;
pub mod metrics_summary;
pub mod pump;
pub mod registry;
pub mod routes;
pub mod seed;
pub mod server;
pub mod stack;
pub use sam_template as template;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use thiserror::Error;
use tokio::net::TcpListener;

use crate::authorizer::Authorizer;
use crate::live::LiveHub;
use crate::routes::RouteTable;
use crate::server::Gateway;
use crate::stack::StackInfo;
use crate::template::Template;

#[derive(Debug, Error)]
pub enum StartError {
    #[error(transparent)]
    Template(#[from] template::TemplateError),
    #[error("template routes without a handler in registry.rs: {0:?}")]
    Unserved(Vec<String>),
    #[error(transparent)]
    Config(#[from] aws::config::MissingVar),
    #[error(transparent)]
    Role(#[from] stack::UnknownFunction),
    #[error("cannot read the JWKS: {0}")]
    Jwks(#[from] reqwest::Error),
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
}

/// Binds `addr` (use port 0 for any free port) and returns the bound address and the
/// server future. Refuses to start if a template route has no handler.
pub async fn start(
    template_path: &Path,
    stack: &StackInfo,
    addr: SocketAddr,
) -> Result<(SocketAddr, impl Future<Output = ()> + Send + 'static), StartError> {
    start_with(template_path, stack, addr, Pumps::Run).await
}

/// Whether this gateway also plays Lambda's event source mappings and schedules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pumps {
    Run,
    /// A second gateway on a stack serves the routes only: the stream, the queues and
    /// the live connections stay with the first (its realtime worker would otherwise
    /// push to its own sockets and find the first gateway's connections gone).
    Off,
}

pub async fn start_with(
    template_path: &Path,
    stack: &StackInfo,
    addr: SocketAddr,
    pumps: Pumps,
) -> Result<(SocketAddr, impl Future<Output = ()> + Send + 'static), StartError> {
    let template = Template::load(template_path)?;
    let template_for_pumps = Template::load(template_path)?;
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    // The realtime worker posts to connections through this gateway (see live.rs).
    let mut stack = stack.clone();
    stack.set_env("LIVE_CONNECTIONS_URL", &format!("http://{local}"));
    let stack = &stack;
    // Each handler signs with its own function's role; the pumps (Lambda's pollers) with root.
    let root = aws::AppContext::new(stack.config()?).await;
    let contexts = stack::FunctionContexts::new(stack).await?;
    let context_of = |name: &str| contexts.of(name);
    let event_handlers = registry::event_handlers(&context_of);
    let mut socket_routes = std::collections::HashMap::new();
    let mut unserved = Vec::new();
    for route in &template.socket_routes {
        match event_handlers.get(route.crate_name.as_str()) {
            Some(h) => {
                socket_routes.insert(route.route_key.clone(), h.clone());
            }
            None => unserved.push(format!(
                "WebSocket {} ({})",
                route.route_key, route.crate_name
            )),
        }
    }
    let mut handlers = registry::handlers(&context_of);
    let mut entries = Vec::new();
    for route in template.routes {
        match handlers.get(route.crate_name.as_str()) {
            Some(h) => entries.push((route, h.clone())),
            None => unserved.push(format!(
                "{} {} ({})",
                route.method, route.path, route.crate_name
            )),
        }
    }
    handlers.clear();
    if !unserved.is_empty() {
        return Err(StartError::Unserved(unserved));
    }
    let gateway = Arc::new(Gateway {
        routes: RouteTable::new(entries),
        authorizer: Authorizer::new(&stack.authorizer).await?,
        live: Arc::new(LiveHub::new(socket_routes)),
        cors: cors::CorsPolicy::new(template.cors.as_ref(), cors::CorsPolicy::origins_from_env()),
    });
    register_stripe_webhook(stack, local).await;
    if pumps == Pumps::Run {
        pump::start(
            &template_for_pumps,
            stack,
            &root,
            &event_handlers,
            &context_of,
        );
    }
    Ok((local, gateway.serve(listener)))
}

/// Points localstripe's webhook delivery at this gateway's `/payments/webhook`, signed with
/// the stack's webhook secret, as a Stripe dashboard endpoint would be. Each gateway
/// registers under its own port, so several gateways on one stack all receive every
/// event (the webhook processes each event id once).
async fn register_stripe_webhook(stack: &StackInfo, local: SocketAddr) {
    let secret = &stack.stripe.webhook_secret;
    let url = format!(
        "{}/_config/webhooks/gateway-{}",
        stack.stripe_api_base.trim_end_matches('/'),
        local.port()
    );
    let target = format!("http://{local}/payments/webhook");
    let result = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "url={}&secret={}",
            form_urlencoded::byte_serialize(target.as_bytes()).collect::<String>(),
            form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>()
        ))
        .send()
        .await
        .and_then(|r| r.error_for_status());
    if let Err(e) = result {
        eprintln!("local-gateway: could not register the Stripe webhook with localstripe: {e}");
    }
}
