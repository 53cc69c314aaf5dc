//! Every query parameter the OpenAPI document names reaches its handler, and no other does:
//! for each operation with query parameters, each documented one is accepted by name and
//! an undocumented one is refused with 400 naming it (a misspelt or stale parameter, like
//! `from` where the handler reads `available_from`, can never be silently ignored).

use domain::role::Role;
use integration_tests::*;
use serde_json::Value;

#[tokio::test]
async fn documented_query_parameters_are_read_and_others_are_refused() {
    let admin = user_with_roles(&[Role::Admin]).await;
    let doc: Value = http()
        .get(format!("{}/openapi.json", env().base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(op) = item.get("get") else {
            continue;
        };
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let query: Vec<&str> = params
            .iter()
            .filter(|p| p["in"] == "query")
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        if query.is_empty() {
            continue;
        }
        // Path parameters: the caller's own id where it is a user, anything elsewhere
        // (the query is checked before anything is looked up).
        let url = path
            .replace("{userId}", &admin.id)
            .replace("{spaceId}", "space-that-is-not-there");
        let bad = get_with_token(&format!("{url}?zz_not_documented=1"), &admin.access_token).await;
        let body = expect_problem(bad, 400).await;
        let errors = body["errors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == "zz_not_documented" && e["rule"] == "unknown"),
            "GET {path}: an undocumented parameter was not refused: {body}"
        );
        for name in &query {
            let res = get_with_token(&format!("{url}?{name}=1"), &admin.access_token).await;
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            let unknown = body["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|e| e["field"] == *name && e["rule"] == "unknown");
            assert!(
                !unknown && status < 500,
                "GET {path}: documented parameter {name} answered {status}: {body}"
            );
        }
        checked += 1;
    }
    // GET /spaces, availability, reports, reviews, bookings, notifications, audit.
    assert!(
        checked >= 7,
        "only {checked} operations with query parameters"
    );
}
