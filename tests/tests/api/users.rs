//! Registration, sign-in and the caller's profile, through the gateway.

use aws_sdk_dynamodb::types::AttributeValue;
use integration_tests::*;
use serde_json::{Value, json};

async fn register(body: Value) -> reqwest::Response {
    http()
        .post(format!("{}/users/register", env().base))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn cognito_has(email: &str) -> bool {
    let aws = aws().await;
    aws.cognito()
        .admin_get_user()
        .user_pool_id(&aws.config().user_pool_id)
        .username(email)
        .send()
        .await
        .is_ok()
}

#[tokio::test]
async fn register_then_read_profile() {
    let email = unique_email("Reg");
    let res = register(json!({"email": format!("  {}  ", email.to_uppercase()), "password": PASSWORD, "name": " Ada "})).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["location"], "/users/me");
    let user: Value = res.json().await.unwrap();
    assert_eq!(user["email"], email.to_lowercase());
    assert_eq!(user["name"], "Ada");
    assert_eq!(user["roles"], json!(["member"]));

    // The record is in the table, keyed by the Cognito subject.
    let aws = aws().await;
    let item = aws
        .dynamodb()
        .get_item()
        .table_name(&aws.config().table_name)
        .key(
            "PK",
            AttributeValue::S(format!("USER#{}", user["id"].as_str().unwrap())),
        )
        .key("SK", AttributeValue::S("PROFILE".into()))
        .send()
        .await
        .unwrap()
        .item
        .expect("user item");
    assert_eq!(
        item["cognito_sub"].as_s().unwrap(),
        user["id"].as_str().unwrap()
    );
    assert!(!item.contains_key("password"), "no password is ever stored");

    let tokens = login(&email.to_uppercase(), PASSWORD).await;
    let res = get_with_token("/users/me", tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["id"], user["id"]);
    assert_eq!(me["roles"], json!(["member"]));
}

#[tokio::test]
async fn duplicate_email_is_409_whatever_its_case() {
    let email = unique_email("dup");
    assert_eq!(
        register(json!({"email": email, "password": PASSWORD, "name": "A"}))
            .await
            .status(),
        201
    );
    let res =
        register(json!({"email": email.to_uppercase(), "password": PASSWORD, "name": "B"})).await;
    let body = expect_problem(res, 409).await;
    assert_eq!(body["conflict"]["field"], "email");
}

#[tokio::test]
async fn weak_password_is_400_naming_the_policy_and_creates_nothing() {
    let email = unique_email("weak");
    let res = register(json!({"email": email, "password": "short", "name": "A"})).await;
    let body = expect_problem(res, 400).await;
    assert_eq!(body["errors"][0]["field"], "password");
    assert_eq!(body["errors"][0]["rule"], "policy");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("length")
    );
    assert!(!cognito_has(&email).await);
}

#[tokio::test]
async fn invalid_bodies_are_400_naming_the_field_and_create_nothing() {
    let email = unique_email("bad");
    for (body, field, rule) in [
        (
            json!({"email": "not-an-email", "password": PASSWORD, "name": "A"}),
            "email",
            "format",
        ),
        (
            json!({"email": email, "password": PASSWORD}),
            "name",
            "required",
        ),
        (
            json!({"email": email, "password": PASSWORD, "name": 5}),
            "name",
            "type",
        ),
        (
            json!({"email": email, "password": PASSWORD, "name": "A", "admin": true}),
            "admin",
            "unknown",
        ),
    ] {
        let res = register(body).await;
        let problem = expect_problem(res, 400).await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        assert_eq!(problem["errors"][0]["rule"], rule, "{problem}");
    }
    let res = http()
        .post(format!("{}/users/register", env().base))
        .header("content-type", "application/json")
        .body("{\"email\":")
        .send()
        .await
        .unwrap();
    let problem = expect_problem(res, 400).await;
    assert_eq!(problem["errors"][0]["rule"], "json");
    assert!(!cognito_has(&email).await);
}

#[tokio::test]
async fn login_failures_and_refresh() {
    let user = user_with_roles(&[]).await;
    let res = http()
        .post(format!("{}/users/login", env().base))
        .json(&json!({"email": user.email, "password": "Wrong-Password-123"}))
        .send()
        .await
        .unwrap();
    expect_problem(res, 401).await;
    let res = http()
        .post(format!("{}/users/login", env().base))
        .json(&json!({"email": unique_email("nobody"), "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let body = expect_problem(res, 401).await;
    assert_eq!(
        body["detail"], "invalid email or password",
        "no hint whether the account exists"
    );

    let res = http()
        .post(format!("{}/users/login", env().base))
        .json(&json!({"refresh_token": user.refresh_token}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let tokens: Value = res.json().await.unwrap();
    let res = get_with_token("/users/me", tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn roles_come_from_cognito_groups() {
    let user = user_with_roles(&[domain::role::Role::Operator]).await;
    let res = get_with_token("/users/me", &user.access_token).await;
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["roles"], json!(["operator", "member"]));
}
