//! Phone numbers are proved before any SMS: a number set on the profile gets nothing until
//! its owner types back the code texted to it; codes are rate-limited, expire after tries,
//! and die when the number changes; every member's SMS are capped per day.

use aws_sdk_dynamodb::types::AttributeValue;
use integration_tests::fixtures::*;
use integration_tests::*;
use serde_json::{Value, json};

async fn me(token: &str) -> Value {
    get_with_token("/users/me", token)
        .await
        .json()
        .await
        .unwrap()
}

async fn set_phone(token: &str, phone: &str) {
    let res = call(
        "PATCH",
        "/users/me",
        Some(token),
        Some(&json!({"phone": phone, "notifications": {"email": true, "sms": true}})),
    )
    .await;
    assert_eq!(res.status(), 200);
}

async fn verify(token: &str, code: &str) -> reqwest::Response {
    call(
        "POST",
        "/users/me/phone/verify",
        Some(token),
        Some(&json!({ "code": code })),
    )
    .await
}

/// Books and pays, then waits until the confirmation email arrived: the worker handles
/// the SMS channel right after the email in the same invocation.
async fn confirmed_booking_notified(member: &TestUser, hour: &str) {
    let f = fixture("Etc/UTC", &[0]).await;
    let date = day(15);
    let end = format!("{:02}:00", hour[..2].parse::<u32>().unwrap() + 1);
    book_paid(
        &member.access_token,
        &f.items[0],
        &at(&date, hour),
        &at(&date, &end),
    )
    .await;
    wait_until("the confirmation email", 20, || async {
        emails(&member.email, "is yours on").await >= 1
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
}

#[tokio::test]
async fn an_unverified_phone_gets_no_sms_until_its_code_is_typed_back() {
    let member = user_with_roles(&[]).await;
    let t = &member.access_token;
    let phone = unique_phone();
    set_phone(t, &phone).await;
    assert_eq!(me(t).await["phone_verified"], false);

    // Notifications on, number unverified: the email goes, no SMS.
    confirmed_booking_notified(&member, "09:00").await;
    assert!(
        sms_to(&phone).await.is_empty(),
        "{:?}",
        sms_to(&phone).await
    );

    // A code, and not a second one right away.
    let res = call("POST", "/users/me/phone/code", Some(t), None).await;
    assert_eq!(res.status(), 202);
    let again = call("POST", "/users/me/phone/code", Some(t), None).await;
    expect_problem(again, 429).await;
    assert_eq!(sms_to(&phone).await.len(), 1, "one code, nothing else");
    let code = texted_code(&phone).await;

    // Wrong codes are counted, and named.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let body = expect_problem(verify(t, wrong).await, 400).await;
    assert_eq!(body["errors"][0]["field"], "code");
    assert_eq!(body["errors"][0]["rule"], "mismatch");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("4 tries left"),
        "{body}"
    );
    let body = expect_problem(verify(t, "12a456").await, 400).await;
    assert_eq!(body["errors"][0]["rule"], "format");

    let res = verify(t, &code).await;
    assert_eq!(res.status(), 200);
    let profile: Value = res.json().await.unwrap();
    assert_eq!(profile["phone_verified"], true);
    // Used: the same code again is refused, and a verified number needs no code.
    expect_problem(verify(t, &code).await, 409).await;

    // Now the SMS goes out.
    confirmed_booking_notified(&member, "11:00").await;
    wait_until("the booking SMS", 20, || async {
        sms_to(&phone)
            .await
            .iter()
            .any(|m| m.contains("is yours on"))
    })
    .await;

    // A new number starts unverified again.
    set_phone(t, &unique_phone()).await;
    assert_eq!(me(t).await["phone_verified"], false);
}

#[tokio::test]
async fn a_code_dies_after_five_wrong_tries_or_a_number_change() {
    let member = user_with_roles(&[]).await;
    let t = &member.access_token;
    let phone = unique_phone();
    set_phone(t, &phone).await;
    assert_eq!(
        call("POST", "/users/me/phone/code", Some(t), None)
            .await
            .status(),
        202
    );
    let code = texted_code(&phone).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let body = expect_problem(verify(t, wrong).await, 400).await;
        assert_eq!(body["errors"][0]["rule"], "mismatch");
    }
    let body = expect_problem(verify(t, &code).await, 400).await;
    assert_eq!(body["errors"][0]["rule"], "expired", "{body}");
    assert_eq!(me(t).await["phone_verified"], false);

    // A code for the old number proves nothing about a new one.
    let other = unique_phone();
    set_phone(t, &other).await;
    let body = expect_problem(verify(t, &code).await, 400).await;
    assert_eq!(body["errors"][0]["rule"], "expired");
    // Without a number there is nothing to send a code to.
    let res = call("PATCH", "/users/me", Some(t), Some(&json!({"phone": null}))).await;
    assert_eq!(res.status(), 200);
    let res = call("POST", "/users/me/phone/code", Some(t), None).await;
    expect_problem(res, 409).await;
}

/// Each member's SMS are capped per UTC day (codes and notifications together): with the
/// day's allowance used up, a verified number gets no more SMS and no more codes.
#[tokio::test]
async fn the_daily_sms_allowance_is_a_hard_cap() {
    let member = user_with_roles(&[]).await;
    let t = &member.access_token;
    let phone = verified_phone(t).await;
    let texts_before = sms_to(&phone).await.len();
    // The rest of today's allowance is spent (as ten earlier SMS would have).
    let aws = aws().await;
    let day = domain::phone::sms_day(jiff::Timestamp::now());
    aws.dynamodb()
        .update_item()
        .table_name(&aws.config().table_name)
        .key("PK", AttributeValue::S(format!("USER#{}", member.id)))
        .key("SK", AttributeValue::S(format!("SMS#{day}")))
        .update_expression("SET sent = :cap")
        .expression_attribute_values(
            ":cap",
            AttributeValue::N(domain::phone::SMS_PER_DAY.to_string()),
        )
        .send()
        .await
        .unwrap();
    confirmed_booking_notified(&member, "13:00").await;
    assert_eq!(
        sms_to(&phone).await.len(),
        texts_before,
        "no SMS past the cap"
    );
    // A new number needs a code, and the day's allowance is the member's, not the number's.
    set_phone(t, &unique_phone()).await;
    let body = expect_problem(
        call("POST", "/users/me/phone/code", Some(t), None).await,
        429,
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("SMS"), "{body}");
}

/// Saving the profile with the number it already has keeps the number's proof (a web form
/// sends every field); a new number, or none, loses it.
#[tokio::test]
async fn the_same_number_keeps_its_proof_and_a_new_one_loses_it() {
    let member = user_with_roles(&[]).await;
    let t = &member.access_token;
    let phone = verified_phone(t).await;
    assert_eq!(me(t).await["phone_verified"], true);
    let res = call(
        "PATCH",
        "/users/me",
        Some(t),
        Some(&json!({"name": "Renamed", "phone": phone})),
    )
    .await;
    assert_eq!(res.status(), 200);
    let now = me(t).await;
    assert_eq!(now["name"], "Renamed");
    assert_eq!(now["phone_verified"], true);
    set_phone(t, &unique_phone()).await;
    assert_eq!(me(t).await["phone_verified"], false);
}
