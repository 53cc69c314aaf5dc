//! Test harness: one local stack and one local gateway per test binary, shared by its tests.
//!
//! The stand-ins are started by `infra/stack.py` (stopped when this process exits), unless
//! `COWORK_STACK_JSON` names the stack.json of one already running (e.g. `make dev`'s).
//! Tests isolate their data by unique names (emails, ids), never by resetting.

pub mod fixtures;
pub mod lambda_emulator;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use domain::role::Role;
use local_gateway::stack::StackInfo;
use serde_json::{Value, json};

pub struct TestEnv {
    /// `http://127.0.0.1:<port>` of the local gateway.
    pub base: String,
    pub stack: StackInfo,
    /// Where this process's functions write their log lines (and EMF metric lines).
    pub function_log: PathBuf,
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

static ENV_OVERRIDES: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());

/// Extra function environment for this test binary's gateway (e.g. an endpoint routed
/// through a fault-injecting proxy). Call before anything calls [`env`].
pub fn override_function_env(key: &str, value: &str) {
    ENV_OVERRIDES
        .lock()
        .unwrap()
        .push((key.to_string(), value.to_string()));
}

/// The shared environment; the first caller starts it.
pub fn env() -> &'static TestEnv {
    static ENV: OnceLock<TestEnv> = OnceLock::new();
    ENV.get_or_init(|| {
        let stack_json = std::env::var("COWORK_STACK_JSON")
            .map(PathBuf::from)
            .unwrap_or_else(|_| start_stack());
        let mut stack = StackInfo::load(&stack_json).expect("stack.json");
        // The functions' logs (errors behind a 500) go beside the stack's own.
        let log = stack_json
            .parent()
            .unwrap()
            .join("logs")
            .join(format!("functions-{}.log", std::process::id()));
        if let Ok(file) = std::fs::File::create(&log) {
            edge::logging::init_with_writer(std::sync::Mutex::new(file));
        }
        for (key, value) in ENV_OVERRIDES.lock().unwrap().iter() {
            stack.set_env(key, value);
        }
        let base = start_gateway(stack.clone());
        TestEnv {
            base,
            stack,
            function_log: log,
        }
    })
}

fn start_stack() -> PathBuf {
    let root = root();
    let python = root.join(".venv/ministack/bin/python");
    assert!(
        python.exists(),
        "the local stack is not installed: run `make test` (it runs infra/setup.sh)"
    );
    let dir = root.join(format!(".local/test-stack-{}", std::process::id()));
    let mut child = Command::new(python)
        .arg(root.join("infra/stack.py"))
        .args(["serve", "--state-dir"])
        .arg(&dir)
        .args(["--parent-pid", &std::process::id().to_string()])
        .stdout(Stdio::null())
        .spawn()
        .expect("start infra/stack.py");
    let file = dir.join("stack.json");
    let deadline = Instant::now() + Duration::from_secs(90);
    while !file.exists() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "infra/stack.py exited with {status}; see {}/logs",
                dir.display()
            );
        }
        assert!(
            Instant::now() < deadline,
            "local stack did not come up in 90 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // The stack stops itself when this process exits (--parent-pid); reap it then.
    std::thread::spawn(move || child.wait());
    file
}

/// Runs a gateway on its own thread and runtime, so it outlives each test's runtime.
pub fn start_gateway(stack: StackInfo) -> String {
    start_gateway_with(stack, local_gateway::Pumps::Run)
}

/// A further gateway on a stack that already has one: routes only, no event pumps.
pub fn start_extra_gateway(stack: StackInfo) -> String {
    start_gateway_with(stack, local_gateway::Pumps::Off)
}

fn start_gateway_with(stack: StackInfo, pumps: local_gateway::Pumps) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let addr = "127.0.0.1:0".parse().unwrap();
            let (bound, serve) =
                local_gateway::start_with(&root().join("template.yaml"), &stack, addr, pumps)
                    .await
                    .expect("start local gateway");
            tx.send(bound).unwrap();
            serve.await;
        });
    });
    let bound = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("gateway start");
    format!("http://{bound}")
}

/// A new HTTP client for the calling test's runtime.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Any request to the gateway, with an optional bearer token and JSON body.
pub async fn call(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> reqwest::Response {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = http().request(method, format!("{}{path}", env().base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    req.send().await.unwrap()
}

/// `GET {gateway}{path}` with a bearer token.
pub async fn get_with_token(path: &str, token: &str) -> reqwest::Response {
    http()
        .get(format!("{}{path}", env().base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

pub fn unique_email(prefix: &str) -> String {
    format!("{prefix}-{}@example.test", uuid::Uuid::new_v4().simple())
}

pub const PASSWORD: &str = "Corr3ct-Horse-Battery";

/// The confirmation code the local Cognito stand-in (ministack) accepts for every sign-up:
/// on AWS the code arrives by email. Wrong codes are refused (it checks them under IAM).
pub const LOCAL_CONFIRMATION_CODE: &str = "123456";

/// `POST /users/confirm` with `code`.
pub async fn confirm_email(email: &str, code: &str) -> reqwest::Response {
    http()
        .post(format!("{}/users/confirm", env().base))
        .json(&json!({"email": email, "code": code}))
        .send()
        .await
        .unwrap()
}

/// The stand-ins' AWS clients, for set-up and for checking what was (not) written.
pub async fn aws() -> aws::AppContext {
    aws::AppContext::new(env().stack.config().unwrap()).await
}

/// Every function's context with its own role's credentials (what its Lambda gets), for
/// calling a handler in-process as the gateway or a poller would.
pub async fn function_contexts() -> local_gateway::stack::FunctionContexts {
    local_gateway::stack::FunctionContexts::new(&env().stack)
        .await
        .expect("function roles")
}

pub struct TestUser {
    pub id: String,
    pub email: String,
    pub access_token: String,
    pub id_token: String,
    pub refresh_token: String,
}

impl TestUser {
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.access_token)
    }
}

/// Registers a user through the API (confirming the email), adds `roles` (Cognito
/// groups), then signs in so the tokens carry the groups. The account is made an
/// established one (past its first day's hold limit); [`new_member`] keeps it brand-new.
pub async fn user_with_roles(roles: &[Role]) -> TestUser {
    let user = registered_user(roles).await;
    end_probation(&user.id).await;
    user
}

/// A member registered just now: its first day's smaller hold limit applies.
pub async fn new_member() -> TestUser {
    registered_user(&[]).await
}

/// Moves the account's probation end into the past (as a day passing would).
async fn end_probation(user_id: &str) {
    let aws = aws().await;
    let past =
        domain::instant::sortable(jiff::Timestamp::now() - jiff::SignedDuration::from_secs(1));
    aws.dynamodb()
        .update_item()
        .table_name(&aws.config().table_name)
        .key(
            "PK",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("USER#{user_id}")),
        )
        .key(
            "SK",
            aws_sdk_dynamodb::types::AttributeValue::S("HOLDS".into()),
        )
        .update_expression("SET new_until = :past")
        .condition_expression("attribute_exists(new_until)")
        .expression_attribute_values(":past", aws_sdk_dynamodb::types::AttributeValue::S(past))
        .send()
        .await
        .expect("the holds counter of a new account");
}

async fn registered_user(roles: &[Role]) -> TestUser {
    let env = env();
    let client = http();
    let email = unique_email("user");
    let res = client
        .post(format!("{}/users/register", env.base))
        .json(&json!({"email": email, "password": PASSWORD, "name": "Test User"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "register: {}", res.text().await.unwrap());
    let registered: Value = res.json().await.unwrap();
    let res = confirm_email(&email, LOCAL_CONFIRMATION_CODE).await;
    assert_eq!(res.status(), 200, "confirm: {}", res.text().await.unwrap());
    if !roles.is_empty() {
        let aws = aws().await;
        for role in roles {
            aws.cognito()
                .admin_add_user_to_group()
                .user_pool_id(&aws.config().user_pool_id)
                .username(&email)
                .group_name(role.as_str())
                .send()
                .await
                .unwrap();
        }
    }
    let tokens = login(&email, PASSWORD).await;
    TestUser {
        id: registered["id"].as_str().unwrap().to_string(),
        email,
        access_token: tokens["access_token"].as_str().unwrap().to_string(),
        id_token: tokens["id_token"].as_str().unwrap().to_string(),
        refresh_token: tokens["refresh_token"].as_str().unwrap().to_string(),
    }
}

pub async fn login(email: &str, password: &str) -> Value {
    let res = http()
        .post(format!("{}/users/login", env().base))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "login");
    res.json().await.unwrap()
}

/// Asserts an RFC 9457 answer with this status and returns its body.
pub async fn expect_problem(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status().as_u16(), status, "unexpected status");
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    assert_eq!(ct, "application/problem+json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(body["type"].as_str().unwrap().starts_with("/problems/"));
    assert!(!body["detail"].as_str().unwrap().is_empty());
    body
}

/// A GET of the AWS stand-in's own inspection API (what it "sent": emails, SMS).
pub async fn ministack(path: &str) -> Value {
    http()
        .get(format!("{}{path}", env().stack.aws_endpoint_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Emails SES accepted for `to` whose body mentions `needle`.
pub async fn emails(to: &str, needle: &str) -> usize {
    let all = ministack("/_ministack/ses/messages").await;
    all["messages"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
        .flat_map(|v| v.as_array().cloned().unwrap_or_default())
        .filter(|m| {
            m["To"]
                .as_array()
                .is_some_and(|t| t.iter().any(|a| a == to))
        })
        .filter(|m| m["BodyText"].as_str().unwrap_or_default().contains(needle))
        .count()
}

/// The texts of the SMS SNS accepted for `phone` (E.164), oldest first.
pub async fn sms_to(phone: &str) -> Vec<String> {
    let all = ministack(&format!(
        "/_ministack/sns/sms-messages?phoneNumber=%2B{}",
        &phone[1..]
    ))
    .await;
    all["sms_messages"][phone]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["Message"].as_str().map(str::to_owned))
        .collect()
}

/// A fresh E.164 mobile number nobody else in the run uses.
pub fn unique_phone() -> String {
    format!("+49151{:08}", uuid::Uuid::new_v4().as_u128() % 100_000_000)
}

/// Sets a new number on the caller's profile (SMS notifications on) and proves it with
/// the code texted to it, as a member would; returns the number.
pub async fn verified_phone(token: &str) -> String {
    let phone = unique_phone();
    let res = call(
        "PATCH",
        "/users/me",
        Some(token),
        Some(&json!({"phone": phone, "notifications": {"email": true, "sms": true}})),
    )
    .await;
    assert_eq!(res.status(), 200);
    let res = call("POST", "/users/me/phone/code", Some(token), None).await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    let code = texted_code(&phone).await;
    let res = call(
        "POST",
        "/users/me/phone/verify",
        Some(token),
        Some(&json!({ "code": code })),
    )
    .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    phone
}

/// The code in the last verification SMS sent to `phone`.
pub async fn texted_code(phone: &str) -> String {
    let texts = sms_to(phone).await;
    let last = texts
        .iter()
        .rev()
        .find(|t| t.contains("verification code"))
        .unwrap_or_else(|| panic!("no code was texted to {phone}: {texts:?}"));
    last.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .expect("six digits")
        .to_string()
}
