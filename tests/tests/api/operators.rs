//! What an operator sees of its own business: its spaces (`GET /users/me/spaces`) and
//! each space's bookings (`GET /spaces/{spaceId}/bookings`), and nobody else's.

use domain::role::Role;
use integration_tests::fixtures::*;
use integration_tests::*;
use serde_json::Value;

async fn get(path: &str, token: &str) -> reqwest::Response {
    call("GET", path, Some(token), None).await
}

#[tokio::test]
async fn an_operator_lists_its_own_spaces_and_nothing_else() {
    let f = fixture("Etc/UTC", &[0]).await;
    let t = &f.operator.access_token;
    let mut second = open_space("Etc/UTC");
    second["name"] = "Aardvark Hub".into();
    let res = call("POST", "/spaces", Some(t), Some(&second)).await;
    assert_eq!(res.status(), 201);
    let second_id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Another operator's space exists too.
    let _other = fixture("Etc/UTC", &[0]).await;

    let res = get("/users/me/spaces", t).await;
    assert_eq!(res.status(), 200);
    let page: Value = res.json().await.unwrap();
    let ids: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    // By name: "Aardvark Hub" before the fixture's space.
    assert_eq!(ids, [second_id.as_str(), f.space_id.as_str()]);

    // A deleted space is gone from the list.
    let res = call("DELETE", &format!("/spaces/{second_id}"), Some(t), None).await;
    assert!(res.status().is_success(), "{}", res.status());
    let page: Value = get("/users/me/spaces", t).await.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);

    // Members have no spaces to list.
    let member = user_with_roles(&[]).await;
    expect_problem(get("/users/me/spaces", &member.access_token).await, 403).await;
}

#[tokio::test]
async fn an_operator_pages_through_its_spaces_bookings_and_only_its_own() {
    let f = fixture("Etc/UTC", &[0, 0]).await;
    let t = &f.operator.access_token;
    let date = day(40);
    let mut booked = Vec::new();
    for (i, item) in f.items.iter().enumerate() {
        let member = user_with_roles(&[]).await;
        let res = book(
            &member.access_token,
            item,
            &at(&date, "10:00"),
            &at(&date, &format!("1{}:00", i + 1)),
        )
        .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        booked.push(
            res.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let path = format!("/spaces/{}/bookings", f.space_id);

    // One per page, by end time, the cursor leading to the next.
    let first: Value = get(&format!("{path}?limit=1"), t)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    assert_eq!(first["items"][0]["id"], booked[0].as_str());
    let cursor: String = form_urlencoded::byte_serialize(
        first["next_cursor"]
            .as_str()
            .expect("a cursor to the next page")
            .as_bytes(),
    )
    .collect();
    let second: Value = get(&format!("{path}?limit=1&cursor={cursor}"), t)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["items"][0]["id"], booked[1].as_str());
    // No client secrets for the operator.
    assert!(second["items"][0].get("payment").is_none());

    // A cursor of this space's list does not open another space's list.
    let other = fixture("Etc/UTC", &[0]).await;
    let res = get(
        &format!(
            "/spaces/{}/bookings?limit=1&cursor={cursor}",
            other.space_id
        ),
        &other.operator.access_token,
    )
    .await;
    expect_problem(res, 400).await;
    // Another operator, a member: refused. A bad parameter: named.
    expect_problem(get(&path, &other.operator.access_token).await, 403).await;
    let member = user_with_roles(&[]).await;
    expect_problem(get(&path, &member.access_token).await, 403).await;
    let p = expect_problem(get(&format!("{path}?when=soon"), t).await, 400).await;
    assert_eq!(p["errors"][0]["field"], "when");
    // An admin sees it.
    let admin = user_with_roles(&[Role::Admin]).await;
    let all: Value = get(&path, &admin.access_token).await.json().await.unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
}
