//! A local AWS Lambda Runtime API (the protocol a `provided.al2023` function polls), so a
//! function's real binary can run here: `make bench` times its init (process start until
//! its first `GET /next`) and its memory, and a test runs every function's `main` this way.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

use local_gateway::stack::StackInfo;

type Reply = Result<String, String>;

struct Invocation {
    event: String,
    reply: oneshot::Sender<Reply>,
}

#[derive(Default)]
struct State {
    first_poll: Option<Instant>,
    init_error: Option<String>,
    pending: HashMap<String, oneshot::Sender<Reply>>,
}

pub struct Emulator {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    tx: mpsc::Sender<Invocation>,
}

impl Emulator {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let (tx, rx) = mpsc::channel::<Invocation>(16);
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        let st = Arc::clone(&state);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (st, rx) = (Arc::clone(&st), Arc::clone(&rx));
                tokio::spawn(async move {
                    let service =
                        service_fn(move |req| route(req, Arc::clone(&st), Arc::clone(&rx)));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { addr, state, tx }
    }

    /// When the function first asked for work, if it has.
    pub fn first_poll(&self) -> Option<Instant> {
        self.state.lock().unwrap().first_poll
    }

    pub fn init_error(&self) -> Option<String> {
        self.state.lock().unwrap().init_error.clone()
    }

    pub async fn wait_first_poll(&self, timeout: Duration) -> Option<Instant> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(at) = self.first_poll() {
                return Some(at);
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        None
    }

    /// Invokes the function with `event` and returns its response payload.
    pub async fn invoke(&self, event: &str) -> Reply {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Invocation {
                event: event.to_string(),
                reply,
            })
            .await
            .map_err(|_| "emulator stopped".to_string())?;
        tokio::time::timeout(Duration::from_secs(30), rx)
            .await
            .map_err(|_| "invocation timed out".to_string())?
            .map_err(|_| "no reply".to_string())?
    }
}

async fn route(
    req: hyper::Request<hyper::body::Incoming>,
    state: Arc<Mutex<State>>,
    rx: Arc<tokio::sync::Mutex<mpsc::Receiver<Invocation>>>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_string();
    let accepted = || {
        hyper::Response::builder()
            .status(202)
            .body(Full::new(Bytes::new()))
            .unwrap()
    };
    if req.method() == hyper::Method::GET && path == "/2018-06-01/runtime/invocation/next" {
        state
            .lock()
            .unwrap()
            .first_poll
            .get_or_insert_with(Instant::now);
        let Some(inv) = rx.lock().await.recv().await else {
            return Ok(hyper::Response::builder()
                .status(500)
                .body(Full::new(Bytes::new()))
                .unwrap());
        };
        let id = uuid::Uuid::new_v4().to_string();
        state.lock().unwrap().pending.insert(id.clone(), inv.reply);
        let deadline = jiff::Timestamp::now().as_millisecond() + 30_000;
        return Ok(hyper::Response::builder()
            .header("lambda-runtime-aws-request-id", &id)
            .header("lambda-runtime-deadline-ms", deadline.to_string())
            .header(
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:us-east-1:000000000000:function:local",
            )
            .header(
                "lambda-runtime-trace-id",
                "Root=1-00000000-000000000000000000000000;Sampled=0",
            )
            .body(Full::new(Bytes::from(inv.event)))
            .unwrap());
    }
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&body).into_owned();
    if path == "/2018-06-01/runtime/init/error" {
        state.lock().unwrap().init_error = Some(text);
        return Ok(accepted());
    }
    let parts: Vec<&str> = path
        .trim_start_matches("/2018-06-01/runtime/invocation/")
        .split('/')
        .collect();
    if let [id, kind] = parts.as_slice()
        && let Some(reply) = state.lock().unwrap().pending.remove(*id)
    {
        let _ = reply.send(if *kind == "response" {
            Ok(text)
        } else {
            Err(text)
        });
        return Ok(accepted());
    }
    Ok(hyper::Response::builder()
        .status(404)
        .body(Full::new(Bytes::new()))
        .unwrap())
}

/// Starts a function binary as Lambda would, pointed at `emulator` and at the stack's
/// resources (the environment template.yaml gives it, resolved locally). `name` is its
/// crate name.
pub fn spawn_function(binary: &Path, name: &str, emulator: &Emulator, stack: &StackInfo) -> Child {
    let mut cmd = Command::new(binary);
    cmd.env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", emulator.addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", name)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "local")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
        .env("RUST_LOG", "warn")
        // Its environment and its own role's credentials, as Lambda would give them.
        .envs(stack.function_variables(name))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd.spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", binary.display()))
}

/// Peak resident set size of a live process, in KiB (Linux `VmHWM`).
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}
