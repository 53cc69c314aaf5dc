//! The local gateway refuses what the HttpApi JWT authorizer refuses, with real
//! Cognito-signed tokens from the stand-in.

use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, TimeUnitsType, TokenValidityUnitsType};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use integration_tests::*;
use serde_json::Value;

async fn me(base: &str, authorization: Option<String>) -> reqwest::Response {
    let mut req = http().get(format!("{base}/users/me"));
    if let Some(a) = authorization {
        req = req.header("authorization", a);
    }
    req.send().await.unwrap()
}

async fn rejected(authorization: Option<String>, reason: &str) {
    let res = me(&env().base, authorization).await;
    assert_eq!(res.headers().get("www-authenticate").unwrap(), "Bearer");
    let body = expect_problem(res, 401).await;
    assert_eq!(body["detail"], reason);
}

/// Creates an app client in the pool and signs `email` in through it.
async fn token_via_new_client(
    pool_id: &str,
    email: &str,
    seconds_valid: Option<i32>,
) -> (String, String) {
    let aws = aws().await;
    let mut create = aws
        .cognito()
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name(format!("test-{}", uuid::Uuid::new_v4().simple()))
        .explicit_auth_flows("ALLOW_USER_PASSWORD_AUTH".into());
    if let Some(s) = seconds_valid {
        create = create.access_token_validity(s).token_validity_units(
            TokenValidityUnitsType::builder()
                .access_token(TimeUnitsType::Seconds)
                .build(),
        );
    }
    let client_id = create
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let out = aws
        .cognito()
        .initiate_auth()
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .client_id(&client_id)
        .auth_parameters("USERNAME", email)
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    (
        client_id,
        out.authentication_result.unwrap().access_token.unwrap(),
    )
}

#[tokio::test]
async fn valid_access_and_id_tokens_pass() {
    let user = user_with_roles(&[]).await;
    let res = me(&env().base, Some(user.bearer())).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["id"], user.id);
    let res = me(&env().base, Some(format!("Bearer {}", user.id_token))).await;
    assert_eq!(
        res.status(),
        200,
        "ID tokens carry aud = client id and are accepted too"
    );
}

#[tokio::test]
async fn missing_or_empty_token_is_401() {
    rejected(None, "no bearer token").await;
    rejected(Some("Bearer ".into()), "no bearer token").await;
}

#[tokio::test]
async fn bad_signature_is_401() {
    let a = user_with_roles(&[]).await;
    let b = user_with_roles(&[]).await;
    // A's header and claims with B's (valid, but not for this content) signature.
    let pa: Vec<&str> = a.access_token.split('.').collect();
    let pb: Vec<&str> = b.access_token.split('.').collect();
    rejected(
        Some(format!("Bearer {}.{}.{}", pa[0], pa[1], pb[2])),
        "token signature is invalid",
    )
    .await;
    // Claims edited to claim the admin role, original signature kept.
    let mut claims: Value = serde_json::from_slice(&B64.decode(pa[1]).unwrap()).unwrap();
    claims["cognito:groups"] = serde_json::json!(["admin"]);
    let forged = B64.encode(claims.to_string());
    rejected(
        Some(format!("Bearer {}.{}.{}", pa[0], forged, pa[2])),
        "token signature is invalid",
    )
    .await;
}

#[tokio::test]
async fn alg_none_is_401() {
    let user = user_with_roles(&[]).await;
    let claims = user.access_token.split('.').nth(1).unwrap().to_string();
    let header = B64.encode(r#"{"alg":"none","typ":"JWT"}"#);
    rejected(
        Some(format!("Bearer {header}.{claims}.")),
        "token algorithm unsupported is not accepted",
    )
    .await;
}

#[tokio::test]
async fn token_for_another_client_is_401() {
    let user = user_with_roles(&[]).await;
    let pool = &env().stack.resources["UserPool"];
    let (_, token) = token_via_new_client(pool, &user.email, None).await;
    rejected(
        Some(format!("Bearer {token}")),
        "token audience is not accepted",
    )
    .await;
}

#[tokio::test]
async fn token_from_another_pool_is_401() {
    let aws = aws().await;
    let pool = aws
        .cognito()
        .create_user_pool()
        .pool_name(format!("other-{}", uuid::Uuid::new_v4().simple()))
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let email = unique_email("other-pool");
    let c = aws.cognito();
    c.admin_create_user()
        .user_pool_id(&pool)
        .username(&email)
        .send()
        .await
        .unwrap();
    c.admin_set_user_password()
        .user_pool_id(&pool)
        .username(&email)
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    let (_, token) = token_via_new_client(&pool, &email, None).await;
    let res = me(&env().base, Some(format!("Bearer {token}"))).await;
    let body = expect_problem(res, 401).await;
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail == "token signed by an unknown key" || detail == "token issuer is not accepted",
        "{detail}"
    );
}

/// A token that this gateway's authorizer accepts is refused once it has expired. The
/// token comes from a client whose access tokens live one second; a second gateway lists
/// that client in its audience, so expiry is the only thing that can fail.
#[tokio::test]
async fn expired_token_is_401() {
    let user = user_with_roles(&[]).await;
    let env = env();
    let (client_id, token) =
        token_via_new_client(&env.stack.resources["UserPool"], &user.email, Some(1)).await;
    let mut stack = env.stack.clone();
    stack.authorizer.audience = vec![client_id];
    let base = start_extra_gateway(stack);
    let res = me(&base, Some(format!("Bearer {token}"))).await;
    assert_eq!(res.status(), 200, "fresh token accepted");
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let res = me(&base, Some(format!("Bearer {token}"))).await;
    let body = expect_problem(res, 401).await;
    assert_eq!(body["detail"], "token has expired");
}

#[tokio::test]
async fn unknown_route_is_404_problem_and_public_routes_need_no_token() {
    let res = http()
        .get(format!("{}/no/such/route", env().base))
        .send()
        .await
        .unwrap();
    let body = expect_problem(res, 404).await;
    assert_eq!(body["detail"], "no route for GET /no/such/route");
    let res = http()
        .delete(format!("{}/health", env().base))
        .send()
        .await
        .unwrap();
    expect_problem(res, 404).await;
    let res = http()
        .get(format!("{}/health", env().base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_refresh_token_is_not_a_bearer_token() {
    let user = user_with_roles(&[]).await;
    let res = me(&env().base, Some(format!("Bearer {}", user.refresh_token))).await;
    let body = expect_problem(res, 401).await;
    // The stand-in signs refresh tokens like access tokens: refused for what they are.
    assert_eq!(
        body["detail"],
        "this kind of token does not authorize requests"
    );
}
