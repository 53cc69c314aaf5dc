//! Local stand-in for the WebSocket API (template.yaml `LiveApi`) and its management API:
//! `ws://<gateway>/live` runs `$connect`, routes each text message by its `action` to the
//! route's function (answers go back on the socket), and runs `$disconnect` when the
//! client leaves; `POST /@connections/{id}` (what the realtime worker's SDK client calls)
//! sends to a connection, 410 `GoneException` when it is not open.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use edge::events::WebSocketResponse;
use edge::runtime::BoxedEventFunction;
use futures_util::{SinkExt, StreamExt};
use http::{HeaderValue, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

/// Where the gateway serves the WebSocket API.
pub const LIVE_PATH: &str = "/live";
/// API Gateway's limit on a WebSocket frame.
const MAX_MESSAGE_BYTES: usize = 128 * 1024;

type HttpResponse = http::Response<Full<Bytes>>;

pub struct LiveHub {
    /// Route key (`$connect`, `$disconnect`, `subscribe`, ...) -> its function.
    routes: HashMap<String, BoxedEventFunction>,
    /// Open connections -> the sender of their outgoing frames.
    open: Mutex<HashMap<String, mpsc::UnboundedSender<Message>>>,
}

impl LiveHub {
    pub fn new(routes: HashMap<String, BoxedEventFunction>) -> Self {
        Self {
            routes,
            open: Mutex::new(HashMap::new()),
        }
    }

    pub fn is_upgrade(req: &http::Request<Incoming>) -> bool {
        req.uri().path() == LIVE_PATH
            && req
                .headers()
                .get(header::UPGRADE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
    }

    pub fn is_management(path: &str) -> bool {
        connection_in(path).is_some()
    }

    /// Runs `$connect`; when it answers 2xx, switches protocols and serves the socket.
    pub async fn upgrade(
        self: Arc<Self>,
        req: http::Request<Incoming>,
        peer: SocketAddr,
    ) -> HttpResponse {
        let Some(key) = req.headers().get("sec-websocket-key").cloned() else {
            return plain(StatusCode::BAD_REQUEST, "missing Sec-WebSocket-Key");
        };
        let id = connection_id();
        let connect = self
            .call("$connect", event("$connect", "CONNECT", &id, peer, None))
            .await;
        if !matches!(connect, Some(ref r) if (200..300).contains(&r.status_code)) {
            return plain(StatusCode::FORBIDDEN, "connection refused by $connect");
        }
        let (tx, rx) = mpsc::unbounded_channel();
        self.open.lock().expect("hub lock").insert(id.clone(), tx);
        let hub = Arc::clone(&self);
        tokio::spawn(async move {
            match hyper::upgrade::on(req).await {
                Ok(upgraded) => {
                    let socket = WebSocketStream::from_raw_socket(
                        TokioIo::new(upgraded),
                        Role::Server,
                        None,
                    )
                    .await;
                    hub.serve(&id, socket, rx, peer).await;
                }
                Err(e) => tracing::warn!(error = %e, "websocket upgrade failed"),
            }
            hub.open.lock().expect("hub lock").remove(&id);
            hub.call(
                "$disconnect",
                event("$disconnect", "DISCONNECT", &id, peer, None),
            )
            .await;
        });
        let mut res = http::Response::new(Full::new(Bytes::new()));
        *res.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let headers = res.headers_mut();
        headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        headers.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
        if let Ok(accept) = HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
            headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
        }
        res
    }

    async fn serve<S>(
        &self,
        id: &str,
        socket: WebSocketStream<S>,
        mut outgoing: mpsc::UnboundedReceiver<Message>,
        peer: SocketAddr,
    ) where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let (mut sink, mut stream) = socket.split();
        loop {
            tokio::select! {
                out = outgoing.recv() => match out {
                    Some(frame) => if sink.send(frame).await.is_err() { break },
                    // DELETE @connections/{id}: the server closes.
                    None => { let _ = sink.send(Message::Close(None)).await; break }
                },
                incoming = stream.next() => match incoming {
                    Some(Ok(Message::Text(text))) => {
                        let reply = self.message(id, text.as_str(), peer).await;
                        if let Some(reply) = reply
                            && sink.send(Message::text(reply)).await.is_err() {
                            break;
                        }
                    }
                    Some(Ok(Message::Binary(_) | Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                },
            }
        }
    }

    /// Routes a client's message by `$request.body.action`, as `RouteSelectionExpression`
    /// says; no such route (and no `$default`) gets API Gateway's "Forbidden" answer.
    async fn message(&self, id: &str, text: &str, peer: SocketAddr) -> Option<String> {
        if text.len() > MAX_MESSAGE_BYTES {
            return Some(json!({"message": "Message too long", "connectionId": id}).to_string());
        }
        let action = serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|v| v.get("action").and_then(Value::as_str).map(str::to_owned));
        let route = action
            .filter(|a| self.routes.contains_key(a.as_str()))
            .or_else(|| {
                self.routes
                    .contains_key("$default")
                    .then(|| "$default".to_string())
            });
        let Some(route) = route else {
            return Some(json!({"message": "Forbidden", "connectionId": id}).to_string());
        };
        let answer = self
            .call(&route, event(&route, "MESSAGE", id, peer, Some(text)))
            .await;
        match answer {
            Some(r) => r.body,
            None => {
                Some(json!({"message": "Internal server error", "connectionId": id}).to_string())
            }
        }
    }

    /// Calls a route's function; `None` when it failed (API Gateway's 500).
    async fn call(&self, route: &str, event: Value) -> Option<WebSocketResponse> {
        let function = self.routes.get(route)?;
        match function(event).await {
            Ok(out) => serde_json::from_value(out).ok(),
            Err(e) => {
                tracing::error!(route, error = %e, "websocket route failed");
                None
            }
        }
    }

    /// The management API: `POST` sends the body to the connection, `DELETE` closes it,
    /// `GET` tells whether it is open.
    pub async fn manage(&self, req: http::Request<Incoming>) -> HttpResponse {
        let id = connection_in(req.uri().path())
            .unwrap_or_default()
            .to_string();
        let method = req.method().clone();
        let sender = self.open.lock().expect("hub lock").get(&id).cloned();
        let Some(sender) = sender else {
            return gone(&id);
        };
        match method {
            http::Method::POST => {
                let data = match Limited::new(req.into_body(), MAX_MESSAGE_BYTES)
                    .collect()
                    .await
                {
                    Ok(c) => c.to_bytes(),
                    Err(_) => return plain(StatusCode::PAYLOAD_TOO_LARGE, "data too large"),
                };
                let frame = match String::from_utf8(data.to_vec()) {
                    Ok(text) => Message::text(text),
                    Err(_) => Message::binary(data),
                };
                if sender.send(frame).is_err() {
                    return gone(&id);
                }
                plain(StatusCode::OK, "")
            }
            http::Method::DELETE => {
                self.open.lock().expect("hub lock").remove(&id);
                plain(StatusCode::NO_CONTENT, "")
            }
            http::Method::GET => plain(StatusCode::OK, "{}"),
            _ => plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
        }
    }
}

/// `/@connections/{id}` (the SDK may percent-encode the `@`).
fn connection_in(path: &str) -> Option<&str> {
    path.strip_prefix("/@connections/")
        .or_else(|| path.strip_prefix("/%40connections/"))
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

/// API Gateway's ids look like `L0SM9cOFvHcCIhw=`; any unique opaque string will do.
fn connection_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..16].to_string()
}

/// The event API Gateway sends a WebSocket route's function (the fields it documents).
fn event(route: &str, kind: &str, id: &str, peer: SocketAddr, body: Option<&str>) -> Value {
    let now = jiff::Timestamp::now().as_millisecond();
    json!({
        "requestContext": {
            "routeKey": route,
            "eventType": kind,
            "connectionId": id,
            "messageDirection": "IN",
            "requestId": uuid::Uuid::new_v4().to_string(),
            "stage": "live",
            "apiId": "local",
            "domainName": "127.0.0.1",
            "requestTimeEpoch": now,
            "identity": {"sourceIp": peer.ip().to_string()},
        },
        "isBase64Encoded": false,
        "body": body,
    })
}

fn gone(id: &str) -> HttpResponse {
    let mut res = plain(
        StatusCode::GONE,
        &json!({"message": format!("connection {id} is gone")}).to_string(),
    );
    res.headers_mut().insert(
        "x-amzn-errortype",
        HeaderValue::from_static("GoneException"),
    );
    res
}

fn plain(status: StatusCode, body: &str) -> HttpResponse {
    let mut res = http::Response::new(Full::new(Bytes::from(body.to_string())));
    *res.status_mut() = status;
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn management_paths_name_one_connection() {
        assert_eq!(connection_in("/@connections/abc"), Some("abc"));
        assert_eq!(connection_in("/%40connections/abc"), Some("abc"));
        assert_eq!(connection_in("/@connections/"), None);
        assert_eq!(connection_in("/@connections/a/b"), None);
        assert_eq!(connection_in("/spaces"), None);
    }
}
