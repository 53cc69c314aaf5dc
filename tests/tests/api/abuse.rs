//! What attackers try first: oversized bodies and strings, other people's data.

use domain::role::Role;
use integration_tests::fixtures::*;
use integration_tests::*;
use serde_json::{Value, json};

#[tokio::test]
async fn oversized_bodies_are_413_and_long_strings_400_and_nothing_is_written() {
    let operator = user_with_roles(&[Role::Operator]).await;
    let mut space = open_space("Etc/UTC");
    space["description"] = json!("x".repeat(70 * 1024));
    let p = expect_problem(
        call(
            "POST",
            "/spaces",
            Some(&operator.access_token),
            Some(&space),
        )
        .await,
        413,
    )
    .await;
    assert_eq!(p["type"], "/problems/payload-too-large");
    let p = expect_problem(
        call(
            "PATCH",
            "/users/me",
            Some(&operator.access_token),
            Some(&json!({"name": "x".repeat(100 * 1024)})),
        )
        .await,
        413,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("bytes"));
    // Under the body cap, each string has its own cap, named in the answer.
    let p = expect_problem(
        call(
            "PATCH",
            "/users/me",
            Some(&operator.access_token),
            Some(&json!({"name": "x".repeat(101)})),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "name");
    let me: Value = call("GET", "/users/me", Some(&operator.access_token), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "Test User", "nothing changed");
}

#[tokio::test]
async fn other_peoples_bookings_are_404_and_other_operators_spaces_403() {
    let f = fixture("Etc/UTC", &[0]).await;
    let booker = user_with_roles(&[Role::Member]).await;
    let other = user_with_roles(&[Role::Member]).await;
    let date = day(15);
    let res = book(
        &booker.access_token,
        &f.items[0],
        &at(&date, "10:00"),
        &at(&date, "11:00"),
    )
    .await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Another member cannot tell it exists, nor cancel it.
    expect_problem(
        call(
            "GET",
            &format!("/bookings/{id}"),
            Some(&other.access_token),
            None,
        )
        .await,
        404,
    )
    .await;
    expect_problem(
        call(
            "PUT",
            &format!("/bookings/{id}/cancel"),
            Some(&other.access_token),
            None,
        )
        .await,
        404,
    )
    .await;
    // Another operator cannot change the space or its items.
    let rival = user_with_roles(&[Role::Operator]).await;
    let patch = json!({"name": "Hijacked"});
    expect_problem(
        call(
            "PATCH",
            &format!("/spaces/{}", f.space_id),
            Some(&rival.access_token),
            Some(&patch),
        )
        .await,
        403,
    )
    .await;
    expect_problem(
        call(
            "DELETE",
            &format!("/spaces/{}/items/{}", f.space_id, f.items[0]),
            Some(&rival.access_token),
            None,
        )
        .await,
        403,
    )
    .await;
    let space: Value = call("GET", &format!("/spaces/{}", f.space_id), None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(space["name"], "Booking Test Space");
    assert_eq!(space["items"].as_array().unwrap().len(), 1);
}
