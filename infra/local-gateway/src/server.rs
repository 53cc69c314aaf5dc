//! The HTTP server: route, authorize, build the API Gateway event, call the handler.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use edge::http::{BoxedHandler, Problem};
use http::{HeaderValue, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::authorizer::Authorizer;
use crate::cors::CorsPolicy;
use crate::event::{EventInput, api_gateway_v2_event};
use crate::live::LiveHub;
use crate::routes::RouteTable;

/// API Gateway's own payload limit.
const MAX_PAYLOAD_BYTES: usize = 10 * 1024 * 1024;

pub struct Gateway {
    pub routes: RouteTable<BoxedHandler>,
    pub authorizer: Authorizer,
    /// The WebSocket API (`/live`) and its management API (`/@connections/{id}`).
    pub live: Arc<LiveHub>,
    /// The HttpApi's CORS configuration (preflights never reach a function).
    pub cors: CorsPolicy,
}

type HttpResponse = http::Response<Full<Bytes>>;

impl Gateway {
    /// Serves on `listener` until the task is dropped.
    pub async fn serve(self: Arc<Self>, listener: TcpListener) {
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(conn) => conn,
                Err(err) => {
                    tracing::warn!(error = %err, "accept failed");
                    continue;
                }
            };
            let gateway = Arc::clone(&self);
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let gateway = Arc::clone(&gateway);
                    async move { Ok::<_, Infallible>(gateway.handle(req, peer).await) }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .with_upgrades()
                    .await;
            });
        }
    }

    async fn handle(&self, req: http::Request<Incoming>, peer: SocketAddr) -> HttpResponse {
        let started = Instant::now();
        let method = req.method().as_str().to_string();
        let path = req.uri().path().to_string();
        let request_headers = req.headers().clone();
        // Logged like API Gateway's `routeKey`: the route, never the raw path (a path can
        // hold a secret, e.g. a calendar feed's token).
        let route = self.routes.find(&method, &path).map_or_else(
            || "-".to_string(),
            |m| format!("{} {}", m.route.method, m.route.path),
        );
        let response = if LiveHub::is_upgrade(&req) {
            Arc::clone(&self.live).upgrade(req, peer).await
        } else if LiveHub::is_management(&path) {
            self.live.manage(req).await
        } else if CorsPolicy::is_preflight(req.method(), req.headers()) {
            let mut res = http::Response::new(Full::new(Bytes::new()));
            *res.status_mut() = StatusCode::NO_CONTENT;
            *res.headers_mut() = self.cors.preflight_headers(req.headers());
            res
        } else {
            let mut res = self.dispatch(req, peer).await;
            self.cors.decorate(&request_headers, res.headers_mut());
            res
        };
        // API Gateway's access log line: the request id ties it to the function's lines.
        let request_id = response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        tracing::info!(
            route,
            request_id,
            status = response.status().as_u16(),
            ms = started.elapsed().as_secs_f64() * 1000.0,
            "gateway"
        );
        response
    }

    async fn dispatch(&self, req: http::Request<Incoming>, peer: SocketAddr) -> HttpResponse {
        let (parts, body) = req.into_parts();
        let Some(matched) = self.routes.find(parts.method.as_str(), parts.uri.path()) else {
            return problem(Problem::new(
                StatusCode::NOT_FOUND,
                "not-found",
                "Not found",
                format!("no route for {} {}", parts.method, parts.uri.path()),
            ));
        };
        let claims = if matched.route.authorized {
            let header = parts
                .headers
                .get(http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok());
            match self.authorizer.authorize(header).await {
                Ok(claims) => Some(claims),
                Err(err) => {
                    let mut res = problem(Problem::new(
                        StatusCode::UNAUTHORIZED,
                        "unauthorized",
                        "Unauthorized",
                        err.to_string(),
                    ));
                    res.headers_mut().insert(
                        http::header::WWW_AUTHENTICATE,
                        HeaderValue::from_static("Bearer"),
                    );
                    return res;
                }
            }
        } else {
            None
        };
        let body = match Limited::new(body, MAX_PAYLOAD_BYTES).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => {
                return problem(Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload-too-large",
                    "Payload too large",
                    format!("the request body must be at most {MAX_PAYLOAD_BYTES} bytes"),
                ));
            }
        };
        let host = parts
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1");
        let event = api_gateway_v2_event(&EventInput {
            method: parts.method.as_str(),
            raw_path: parts.uri.path(),
            raw_query: parts.uri.query().unwrap_or(""),
            headers: &parts.headers,
            body: &body,
            route_key: format!("{} {}", matched.route.method, matched.route.path),
            path_params: &matched.params,
            claims,
            source: peer,
            host,
        });
        let request = match lambda_http::request::from_str(&event.to_string()) {
            Ok(request) => request,
            Err(err) => return internal(format!("event did not parse: {err}")),
        };
        // Spawned so that a panicking handler becomes a 502, as Lambda would answer.
        let handler = Arc::clone(matched.handler);
        match tokio::spawn(async move { handler(request).await }).await {
            Ok(response) => {
                let (parts, body) = response.into_parts();
                http::Response::from_parts(parts, Full::new(Bytes::from(body.to_vec())))
            }
            Err(err) => {
                tracing::error!(error = %err, "function crashed");
                let mut res = problem(Problem::new(
                    StatusCode::BAD_GATEWAY,
                    "function-error",
                    "Function error",
                    "the function failed",
                ));
                *res.status_mut() = StatusCode::BAD_GATEWAY;
                res
            }
        }
    }
}

fn problem(p: Problem) -> HttpResponse {
    let (parts, body) = p.into_response().into_parts();
    http::Response::from_parts(parts, Full::new(Bytes::from(body.to_vec())))
}

fn internal(detail: String) -> HttpResponse {
    tracing::error!(detail, "gateway error");
    problem(Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Internal error",
        "the gateway failed",
    ))
}
