//! Spaces, items and membership plans through the gateway: who may do what (a role
//! matrix for every write route), validation, and uniqueness. A refused request must
//! leave everything exactly as it was.

use domain::role::Role;
use integration_tests::*;
use serde_json::{Value, json};

pub fn space_body(name: &str) -> Value {
    json!({
        "name": name,
        "description": "Desks, rooms and coffee",
        "address": {"line1": "1 Test Street", "city": "Berlin", "postal_code": "10115", "country": "DE"},
        "location": {"lat": 52.52, "lng": 13.405},
        "time_zone": "Europe/Berlin",
        "opening_hours": {
            "monday": [{"open": "08:00", "close": "20:00"}],
            "tuesday": [{"open": "08:00", "close": "12:00"}, {"open": "13:00", "close": "20:00"}],
            "saturday": [{"open": "10:00", "close": "16:00"}]
        },
        "closures": [{"date": "2026-12-25", "reason": "Christmas"}],
        "amenities": ["wifi", "coffee"],
        "photos": ["https://images.example.com/a.jpg"],
        "cancellation_policy": {"full_refund_hours": 24, "partial_refund_hours": 2, "partial_refund_percent": 50}
    })
}

pub fn item_body(identifier: &str) -> Value {
    json!({
        "kind": "room", "identifier": identifier, "capacity": 6,
        "price_per_hour": {"amount": 3000, "currency": "EUR"},
        "slot_minutes": 30, "min_booking_minutes": 30, "max_booking_minutes": 480, "buffer_minutes": 30
    })
}

fn plan_body() -> Value {
    json!({"name": "Flex 10", "description": "Ten hours a month", "monthly_price": {"amount": 9900, "currency": "EUR"},
           "benefits": {"discount_percent": 10, "included_hours_per_month": 10, "space_ids": []}})
}

pub async fn create_space(token: &str) -> Value {
    let res = call(
        "POST",
        "/spaces",
        Some(token),
        Some(&space_body("Hive Test")),
    )
    .await;
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

async fn create_item(token: &str, space_id: &str, identifier: &str) -> Value {
    let res = call(
        "POST",
        &format!("/spaces/{space_id}/items"),
        Some(token),
        Some(&item_body(identifier)),
    )
    .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn create_plan(admin: &str) -> Value {
    let res = call("POST", "/membership-plans", Some(admin), Some(&plan_body())).await;
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

async fn snapshot(path: &str) -> Value {
    let res = call("GET", path, None, None).await;
    let status = res.status().as_u16();
    json!({"status": status, "body": res.json::<Value>().await.unwrap_or(Value::Null)})
}

async fn groups(user_id: &str) -> Vec<String> {
    let aws = aws().await;
    let out = aws
        .cognito()
        .admin_list_groups_for_user()
        .user_pool_id(&aws.config().user_pool_id)
        .username(user_id)
        .send()
        .await
        .unwrap();
    let mut g: Vec<String> = out
        .groups()
        .iter()
        .filter_map(|g| g.group_name.clone())
        .collect();
    g.sort();
    g
}

struct Cast {
    member: TestUser,
    owner: TestUser,
    other: TestUser,
    admin: TestUser,
}

async fn cast() -> Cast {
    Cast {
        member: user_with_roles(&[]).await,
        owner: user_with_roles(&[Role::Operator]).await,
        other: user_with_roles(&[Role::Operator]).await,
        admin: user_with_roles(&[Role::Admin]).await,
    }
}

/// Runs one request as anonymous, member and another operator, expecting each to be
/// refused with the given status, and checks that `watch` reads the same before and after.
async fn refused_for_others(
    c: &Cast,
    method: &str,
    path: &str,
    body: Option<&Value>,
    watch: &str,
    expect: [u16; 3],
) {
    let before = snapshot(watch).await;
    let callers = [
        None,
        Some(c.member.access_token.as_str()),
        Some(c.other.access_token.as_str()),
    ];
    for (token, status) in callers.into_iter().zip(expect) {
        let res = call(method, path, token, body).await;
        expect_problem(res, status).await;
        assert_eq!(
            snapshot(watch).await,
            before,
            "{method} {path} changed state when refused"
        );
    }
}

#[tokio::test]
async fn space_routes_role_matrix() {
    let c = cast().await;
    let space = create_space(&c.owner.access_token).await;
    let id = space["id"].as_str().unwrap();
    let path = format!("/spaces/{id}");

    // Create: anonymous 401, member 403; operators and admins may.
    let before = call("GET", "/membership-plans", None, None).await.status();
    for (token, status) in [(None, 401), (Some(c.member.access_token.as_str()), 403)] {
        expect_problem(
            call("POST", "/spaces", token, Some(&space_body("Nope"))).await,
            status,
        )
        .await;
    }
    assert_eq!(before, 200);
    assert_eq!(
        create_space(&c.admin.access_token).await["owner_id"],
        c.admin.id
    );

    // Update.
    let patch = json!({"name": "Renamed"});
    refused_for_others(&c, "PATCH", &path, Some(&patch), &path, [401, 403, 403]).await;
    let res = call("PATCH", &path, Some(&c.owner.access_token), Some(&patch)).await;
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["name"], "Renamed");
    assert_eq!(updated["version"], 2);
    let res = call(
        "PATCH",
        &path,
        Some(&c.admin.access_token),
        Some(&json!({"amenities": ["wifi"]})),
    )
    .await;
    assert_eq!(res.status(), 200);

    // Items.
    let items = format!("{path}/items");
    refused_for_others(
        &c,
        "POST",
        &items,
        Some(&item_body("Room A")),
        &path,
        [401, 403, 403],
    )
    .await;
    let item = create_item(&c.owner.access_token, id, "Room A").await;
    let item_path = format!("{items}/{}", item["id"].as_str().unwrap());
    create_item(&c.admin.access_token, id, "Room B").await;
    let res = call("GET", &item_path, None, None).await;
    assert_eq!(res.status(), 200, "items are public");

    let item_patch = json!({"capacity": 8});
    refused_for_others(
        &c,
        "PATCH",
        &item_path,
        Some(&item_patch),
        &item_path,
        [401, 403, 403],
    )
    .await;
    let res = call(
        "PATCH",
        &item_path,
        Some(&c.owner.access_token),
        Some(&item_patch),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["capacity"], 8);

    refused_for_others(&c, "DELETE", &item_path, None, &item_path, [401, 403, 403]).await;
    assert_eq!(
        call("DELETE", &item_path, Some(&c.owner.access_token), None)
            .await
            .status(),
        204
    );
    expect_problem(call("GET", &item_path, None, None).await, 404).await;

    // Delete the space: refused for others, then soft-deleted by its owner.
    refused_for_others(&c, "DELETE", &path, None, &path, [401, 403, 403]).await;
    assert_eq!(
        call("DELETE", &path, Some(&c.owner.access_token), None)
            .await
            .status(),
        204
    );
    expect_problem(call("GET", &path, None, None).await, 404).await;
    expect_problem(
        call("PATCH", &path, Some(&c.owner.access_token), Some(&patch)).await,
        404,
    )
    .await;
    expect_problem(
        call(
            "POST",
            &items,
            Some(&c.owner.access_token),
            Some(&item_body("Room C")),
        )
        .await,
        404,
    )
    .await;

    // Admins may delete any space.
    let other_space = create_space(&c.other.access_token).await;
    let other_path = format!("/spaces/{}", other_space["id"].as_str().unwrap());
    assert_eq!(
        call("DELETE", &other_path, Some(&c.admin.access_token), None)
            .await
            .status(),
        204
    );
}

#[tokio::test]
async fn plan_routes_role_matrix() {
    let c = cast().await;
    let before = snapshot("/membership-plans").await;
    for (token, status) in [
        (None, 401),
        (Some(c.member.access_token.as_str()), 403),
        (Some(c.owner.access_token.as_str()), 403),
    ] {
        expect_problem(
            call("POST", "/membership-plans", token, Some(&plan_body())).await,
            status,
        )
        .await;
    }
    assert_eq!(
        snapshot("/membership-plans").await,
        before,
        "refused creates wrote nothing"
    );

    let plan = create_plan(&c.admin.access_token).await;
    let path = format!("/membership-plans/{}", plan["id"].as_str().unwrap());
    let patch = json!({"benefits": {"discount_percent": 20, "included_hours_per_month": 5}});
    refused_for_others(&c, "PATCH", &path, Some(&patch), &path, [401, 403, 403]).await;
    let res = call("PATCH", &path, Some(&c.admin.access_token), Some(&patch)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap()["benefits"]["discount_percent"],
        20
    );

    let listed: Value = call("GET", "/membership-plans", None, None)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == plan["id"])
    );

    refused_for_others(&c, "DELETE", &path, None, &path, [401, 403, 403]).await;
    assert_eq!(
        call("DELETE", &path, Some(&c.admin.access_token), None)
            .await
            .status(),
        204
    );
    let archived: Value = call("GET", &path, None, None).await.json().await.unwrap();
    assert_eq!(archived["status"], "archived");
    let unknown = format!("/membership-plans/{}", uuid::Uuid::new_v4());
    expect_problem(call("GET", &unknown, None, None).await, 404).await;
    expect_problem(
        call("PATCH", &unknown, Some(&c.admin.access_token), Some(&patch)).await,
        404,
    )
    .await;
    let listed: Value = call("GET", "/membership-plans", None, None)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == plan["id"])
    );
}

#[tokio::test]
async fn role_grant_and_revoke() {
    let c = cast().await;
    let target = user_with_roles(&[]).await;
    let path = format!("/users/{}/roles/operator", target.id);
    for (token, status) in [
        (None, 401),
        (Some(c.member.access_token.as_str()), 403),
        (Some(c.owner.access_token.as_str()), 403),
    ] {
        expect_problem(call("PUT", &path, token, None).await, status).await;
        expect_problem(call("DELETE", &path, token, None).await, status).await;
        assert_eq!(groups(&target.id).await, ["member"]);
    }
    let bad = format!("/users/{}/roles/member", target.id);
    let p = expect_problem(
        call("PUT", &bad, Some(&c.admin.access_token), None).await,
        400,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "role");
    let unknown = format!("/users/{}/roles/operator", uuid::Uuid::new_v4());
    expect_problem(
        call("PUT", &unknown, Some(&c.admin.access_token), None).await,
        404,
    )
    .await;

    // Granted: a fresh sign-in carries the role and the user may list a space.
    assert_eq!(
        call("PUT", &path, Some(&c.admin.access_token), None)
            .await
            .status(),
        204
    );
    assert_eq!(
        call("PUT", &path, Some(&c.admin.access_token), None)
            .await
            .status(),
        204,
        "idempotent"
    );
    assert_eq!(groups(&target.id).await, ["member", "operator"]);
    let tokens = login(&target.email, PASSWORD).await;
    let token = tokens["access_token"].as_str().unwrap();
    assert_eq!(
        call("POST", "/spaces", Some(token), Some(&space_body("Mine")))
            .await
            .status(),
        201
    );

    // Revoked: the refresh token no longer works, a new sign-in has no operator role.
    // (ministack revokes refresh tokens issued strictly before the sign-out second, so
    // let that second pass; Cognito itself revokes them all.)
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        call("DELETE", &path, Some(&c.admin.access_token), None)
            .await
            .status(),
        204
    );
    assert_eq!(groups(&target.id).await, ["member"]);
    let res = call(
        "POST",
        "/users/login",
        None,
        Some(&json!({"refresh_token": tokens["refresh_token"]})),
    )
    .await;
    expect_problem(res, 401).await;
    let token = login(&target.email, PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    expect_problem(
        call("POST", "/spaces", Some(&token), Some(&space_body("No"))).await,
        403,
    )
    .await;

    // An admin cannot lock themselves out.
    let own = format!("/users/{}/roles/admin", c.admin.id);
    expect_problem(
        call("DELETE", &own, Some(&c.admin.access_token), None).await,
        409,
    )
    .await;
}

#[tokio::test]
async fn profile_update_is_self_service() {
    let user = user_with_roles(&[]).await;
    let body = json!({"name": "  New Name "});
    expect_problem(call("PATCH", "/users/me", None, Some(&body)).await, 401).await;
    let res = call("PATCH", "/users/me", Some(&user.access_token), Some(&body)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["name"], "New Name");
    let p = expect_problem(
        call(
            "PATCH",
            "/users/me",
            Some(&user.access_token),
            Some(&json!({"email": "x@y.z"})),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "email");
    assert_eq!(p["errors"][0]["rule"], "unknown");
    let me: Value = get_with_token("/users/me", &user.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "New Name");
}

#[tokio::test]
async fn invalid_spaces_are_400_naming_fields_and_write_nothing() {
    let owner = user_with_roles(&[Role::Operator]).await;
    let count = || async {
        let aws = aws().await;
        aws.dynamodb()
            .query()
            .table_name(&aws.config().table_name)
            .index_name("GSI1")
            .key_condition_expression("GSI1PK = :o")
            .expression_attribute_values(
                ":o",
                aws_sdk_dynamodb::types::AttributeValue::S(format!("OWNER#{}", owner.id)),
            )
            .send()
            .await
            .unwrap()
            .count
    };
    let mut body = space_body("Bad");
    body["time_zone"] = json!("CET");
    body["location"]["lat"] = json!(95.0);
    body["opening_hours"]["monday"] = json!([{"open": "20:00", "close": "08:00"}]);
    body["amenities"] = json!(["wifi", "sauna"]);
    let p = expect_problem(
        call("POST", "/spaces", Some(&owner.access_token), Some(&body)).await,
        400,
    )
    .await;
    let fields: Vec<String> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["field"].as_str().unwrap(),
                e["rule"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            "location.lat:range",
            "time_zone:iana",
            "opening_hours.monday[0]:order",
            "amenities[1]:enum"
        ]
    );
    let mut body = space_body("Bad");
    body["location"] = json!({"lat": "north", "lng": 1});
    let p = expect_problem(
        call("POST", "/spaces", Some(&owner.access_token), Some(&body)).await,
        400,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "location.lat");
    assert_eq!(count().await, 0, "nothing was written");

    // A valid space; then a PATCH that would break a rule is refused and changes nothing.
    let space = create_space(&owner.access_token).await;
    let path = format!("/spaces/{}", space["id"].as_str().unwrap());
    let before = snapshot(&path).await;
    let p = expect_problem(
        call(
            "PATCH",
            &path,
            Some(&owner.access_token),
            Some(&json!({"time_zone": "Mars/Olympus"})),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "time_zone");
    assert_eq!(snapshot(&path).await, before);
}

#[tokio::test]
async fn item_identifiers_are_unique_per_space_and_grid_rules_hold() {
    let owner = user_with_roles(&[Role::Operator]).await;
    let a = create_space(&owner.access_token).await;
    let b = create_space(&owner.access_token).await;
    let (a, b) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let desk = create_item(&owner.access_token, a, "Desk 1").await;
    create_item(&owner.access_token, b, "Desk 1").await; // another space: fine

    let res = call(
        "POST",
        &format!("/spaces/{a}/items"),
        Some(&owner.access_token),
        Some(&item_body("  desk 1 ")),
    )
    .await;
    let p = expect_problem(res, 409).await;
    assert!(p["detail"].as_str().unwrap().contains("desk 1"), "{p}");

    // Renaming onto a taken identifier is refused; renaming away frees the old one.
    let other = create_item(&owner.access_token, a, "Desk 2").await;
    let other_path = format!("/spaces/{a}/items/{}", other["id"].as_str().unwrap());
    let res = call(
        "PATCH",
        &other_path,
        Some(&owner.access_token),
        Some(&json!({"identifier": "DESK 1"})),
    )
    .await;
    expect_problem(res, 409).await;
    let desk_path = format!("/spaces/{a}/items/{}", desk["id"].as_str().unwrap());
    let res = call(
        "PATCH",
        &desk_path,
        Some(&owner.access_token),
        Some(&json!({"identifier": "Desk 9"})),
    )
    .await;
    assert_eq!(res.status(), 200);
    create_item(&owner.access_token, a, "Desk 1").await;

    // Grid rules, on create and on a PATCH that would break them.
    let mut bad = item_body("Room Z");
    bad["min_booking_minutes"] = json!(45);
    bad["price_per_hour"]["currency"] = json!("EURO");
    let p = expect_problem(
        call(
            "POST",
            &format!("/spaces/{a}/items"),
            Some(&owner.access_token),
            Some(&bad),
        )
        .await,
        400,
    )
    .await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["price_per_hour.currency", "min_booking_minutes"]);
    let before = snapshot(&desk_path).await;
    let res = call(
        "PATCH",
        &desk_path,
        Some(&owner.access_token),
        Some(&json!({"buffer_minutes": 10})),
    )
    .await;
    let p = expect_problem(res, 400).await;
    assert_eq!(p["errors"][0]["field"], "buffer_minutes");
    assert_eq!(snapshot(&desk_path).await, before);
}

#[tokio::test]
async fn spaces_keep_their_iana_time_zone() {
    let owner = user_with_roles(&[Role::Operator]).await;
    for tz in ["America/New_York", "Europe/Berlin", "Asia/Tokyo"] {
        let mut body = space_body("Zoned");
        body["time_zone"] = json!(tz);
        let res = call("POST", "/spaces", Some(&owner.access_token), Some(&body)).await;
        assert_eq!(res.status(), 201);
        let created: Value = res.json().await.unwrap();
        let read: Value = call(
            "GET",
            &format!("/spaces/{}", created["id"].as_str().unwrap()),
            None,
            None,
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(read["time_zone"], tz);
        assert_eq!(read["cells"]["r7"].as_str().unwrap().len(), 15);
    }
}
