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

    assert_eq!(user["confirmation"], "sent");
    confirm(&email).await;
    let tokens = login(&email.to_uppercase(), PASSWORD).await;
    let res = get_with_token("/users/me", tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["id"], user["id"]);
    assert_eq!(me["roles"], json!(["member"]));
}

async fn confirm(email: &str) {
    let res = confirm_email(email, LOCAL_CONFIRMATION_CODE).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

async fn sign_in(email: &str) -> reqwest::Response {
    http()
        .post(format!("{}/users/login", env().base))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
}

async fn profile_exists(user_id: &str) -> bool {
    let aws = aws().await;
    aws.dynamodb()
        .get_item()
        .table_name(&aws.config().table_name)
        .key("PK", AttributeValue::S(format!("USER#{user_id}")))
        .key("SK", AttributeValue::S("PROFILE".into()))
        .send()
        .await
        .unwrap()
        .item
        .is_some()
}

/// Email ownership is proved before anything else: an unconfirmed account gets no token,
/// so it cannot book or pay; a wrong code confirms nothing.
#[tokio::test]
async fn an_unconfirmed_email_cannot_sign_in_book_or_pay() {
    let email = unique_email("unconfirmed");
    let res = register(json!({"email": email, "password": PASSWORD, "name": "A"})).await;
    assert_eq!(res.status(), 201);
    let body = expect_problem(sign_in(&email).await, 403).await;
    assert!(
        body["detail"].as_str().unwrap().contains("/users/confirm"),
        "{body}"
    );
    // Without a token, booking is 401.
    let res = http()
        .post(format!("{}/bookings", env().base))
        .json(&json!({"bookable_item_id": "x", "start_time": "2030-01-01T09:00:00Z", "end_time": "2030-01-01T10:00:00Z"}))
        .send()
        .await
        .unwrap();
    expect_problem(res, 401).await;
    for (code, rule) in [("654321", "mismatch"), ("12ab56", "format")] {
        let body = expect_problem(confirm_email(&email, code).await, 400).await;
        assert_eq!(body["errors"][0]["field"], "code", "{body}");
        assert_eq!(body["errors"][0]["rule"], rule, "{body}");
    }
    expect_problem(sign_in(&email).await, 403).await;
    // A resend answers alike for a known and an unknown address.
    for address in [email.clone(), unique_email("nobody")] {
        let res = http()
            .post(format!("{}/users/confirm/resend", env().base))
            .json(&json!({ "email": address }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
    }
    confirm(&email).await;
    assert_eq!(sign_in(&email).await.status(), 200);
}

/// An address belongs to whoever proves it: registering an email held by an account that
/// was never confirmed replaces that account (and its record); a confirmed one is a 409,
/// whatever the case of the address.
#[tokio::test]
async fn an_unconfirmed_address_goes_to_whoever_confirms_it() {
    let email = unique_email("dup");
    let squatter: Value = register(json!({"email": email, "password": PASSWORD, "name": "A"}))
        .await
        .json()
        .await
        .unwrap();
    let owner =
        register(json!({"email": email.to_uppercase(), "password": PASSWORD, "name": "B"})).await;
    assert_eq!(owner.status(), 201);
    let owner: Value = owner.json().await.unwrap();
    assert_ne!(owner["id"], squatter["id"]);
    assert!(!profile_exists(squatter["id"].as_str().unwrap()).await);
    assert!(profile_exists(owner["id"].as_str().unwrap()).await);
    confirm(&email).await;
    let res =
        register(json!({"email": email.to_uppercase(), "password": PASSWORD, "name": "C"})).await;
    let body = expect_problem(res, 409).await;
    assert_eq!(body["conflict"]["field"], "email");
    assert!(profile_exists(owner["id"].as_str().unwrap()).await);
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

#[tokio::test]
async fn billing_details_are_checked_normalised_kept_and_removed() {
    let user = user_with_roles(&[]).await;
    let t = Some(user.access_token.as_str());
    let billing = json!({"company": "  Analytical Engines GmbH ",
        "address": {"line1": "1 Rechenweg", "city": "Berlin", "postal_code": "10115", "country": "DE"},
        "vat_id": "de 123.456-789"});
    let res = call("PATCH", "/users/me", t, Some(&json!({"billing": billing}))).await;
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["billing"]["company"], "Analytical Engines GmbH");
    assert_eq!(me["billing"]["vat_id"], "DE123456789");
    assert_eq!(me["billing"]["address"]["city"], "Berlin");
    let read: Value = get_with_token("/users/me", &user.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["billing"], me["billing"]);
    // Bad fields are named, and nothing changes.
    for (body, field) in [
        (json!({"billing": {"vat_id": "123"}}), "billing.vat_id"),
        (json!({"billing": {"company": ""}}), "billing.company"),
        (
            json!({"billing": {"company": "Bad\u{7}Corp"}}),
            "billing.company",
        ),
        (
            json!({"billing": {"address": {"line1": "x", "city": "y", "postal_code": "1", "country": "Germany"}}}),
            "billing.address.country",
        ),
    ] {
        let p = expect_problem(call("PATCH", "/users/me", t, Some(&body)).await, 400).await;
        assert!(
            p["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field),
            "{field}: {p}"
        );
    }
    expect_problem(
        call(
            "PATCH",
            "/users/me",
            t,
            Some(&json!({"billing": {"iban": "x"}})),
        )
        .await,
        400,
    )
    .await;
    let read: Value = get_with_token("/users/me", &user.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["billing"], me["billing"]);
    // null removes them, and so does an empty object.
    let res = call("PATCH", "/users/me", t, Some(&json!({"billing": null}))).await;
    assert_eq!(res.status(), 200);
    assert!(res.json::<Value>().await.unwrap().get("billing").is_none());
    let res = call("PATCH", "/users/me", t, Some(&json!({"billing": billing}))).await;
    assert_eq!(res.status(), 200);
    let res = call("PATCH", "/users/me", t, Some(&json!({"billing": {}}))).await;
    assert_eq!(res.status(), 200);
    assert!(res.json::<Value>().await.unwrap().get("billing").is_none());
}
