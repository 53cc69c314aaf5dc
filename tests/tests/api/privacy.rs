//! GDPR/CCPA: a member exports everything held about them, then erases the account; the
//! bookings, payments and reviews stay (financial and public records) but no longer lead
//! to anyone. Admin and operator changes and role changes land in the audit log.

use aws_sdk_dynamodb::types::AttributeValue;
use domain::role::Role;
use integration_tests::fixtures::*;
use integration_tests::*;
use serde_json::{Value, json};

use crate::reviews::{past_stay, review};

async fn stored(pk: String, sk: &str) -> std::collections::HashMap<String, AttributeValue> {
    let ctx = aws().await;
    ctx.dynamodb()
        .get_item()
        .table_name(&ctx.config().table_name)
        .key("PK", AttributeValue::S(pk))
        .key("SK", AttributeValue::S(sk.into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap_or_default()
}

fn s(item: &std::collections::HashMap<String, AttributeValue>, key: &str) -> String {
    item.get(key)
        .and_then(|v| v.as_s().ok())
        .cloned()
        .unwrap_or_default()
}

/// This month's audit entries (as an admin reads them).
async fn audit_log(admin: &TestUser) -> Vec<Value> {
    let res = call("GET", "/audit?limit=100", Some(&admin.access_token), None).await;
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap()["items"]
        .as_array()
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn export_holds_everything_and_erase_anonymises_but_keeps_the_money() {
    let f = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[Role::Member]).await;
    let admin = user_with_roles(&[Role::Admin]).await;
    let t = &member.access_token;
    let res = call(
        "PATCH",
        "/users/me",
        Some(t),
        Some(&json!({"phone": "+4915112345678"})),
    )
    .await;
    assert_eq!(res.status(), 200);
    // A paid booking (upcoming), and a past stay with a review.
    let date = day(12);
    let paid = book_paid(t, &f.items[0], &at(&date, "13:00"), &at(&date, "14:00")).await;
    let paid_id = paid["id"].as_str().unwrap().to_string();
    let stay = past_stay(&f, &member.id, 9).await;
    let res = review(
        t,
        &f.space_id,
        json!({"rating": 4, "comment": "Quiet and bright"}),
    )
    .await;
    assert_eq!(res.status(), 201);

    let res = call("GET", "/users/me/export", Some(t), None).await;
    assert_eq!(res.status(), 200);
    let export: Value = res.json().await.unwrap();
    assert_eq!(export["user_id"], member.id.as_str());
    assert_eq!(export["profile"]["email"], member.email.as_str());
    assert_eq!(export["profile"]["phone"], "+4915112345678");
    assert!(
        export["account"]["roles"]
            .as_array()
            .unwrap()
            .contains(&json!("member"))
    );
    let booking_ids: Vec<&str> = export["bookings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["id"].as_str())
        .collect();
    assert!(booking_ids.contains(&paid_id.as_str()) && booking_ids.contains(&stay.as_str()));
    assert_eq!(export["payments"][0]["booking_id"], paid_id.as_str());
    assert_eq!(export["payments"][0]["amount"], paid["price"]["total"]);
    assert_eq!(export["reviews"][0]["comment"], "Quiet and bright");
    assert!(
        !export.to_string().contains("client_secret\":\"pi_"),
        "no payment secrets in an export"
    );
    // The invoice of the paid booking is in the export.
    let invoice = &export["documents"][0];
    assert_eq!(
        invoice["subject"]["booking_id"],
        paid_id.as_str(),
        "{export}"
    );
    let invoice_key = format!(
        "DOC#{}.INV.{}",
        invoice["issuer"].as_str().unwrap(),
        invoice["number"]
    );

    // Upcoming bookings block erasure (409 naming them); nothing changes.
    let p = expect_problem(call("DELETE", "/users/me", Some(t), None).await, 409).await;
    assert_eq!(p["conflict"]["upcoming_bookings"][0], paid_id.as_str());
    let res = call("PUT", &format!("/bookings/{paid_id}/cancel"), Some(t), None).await;
    assert_eq!(res.status(), 200);

    let res = call("DELETE", "/users/me", Some(t), None).await;
    assert_eq!(res.status(), 204);

    // The account is gone: no sign-in, no profile.
    let res = call(
        "POST",
        "/users/login",
        None,
        Some(&json!({"email": member.email, "password": PASSWORD})),
    )
    .await;
    assert_eq!(res.status(), 401);
    assert!(
        stored(format!("USER#{}", member.id), "PROFILE")
            .await
            .is_empty()
    );
    // Bookings, payments and reviews stay with their amounts, under an id that leads nowhere.
    let booking = stored(format!("BOOKING#{paid_id}"), "BOOKING").await;
    let anonymous = s(&booking, "user_id");
    assert!(anonymous.starts_with("erased-"), "{anonymous}");
    assert!(
        !booking.contains_key("GSI1PK"),
        "no longer listed under the user"
    );
    let payment = stored(format!("BOOKING#{paid_id}"), "PAYMENT").await;
    assert_eq!(s(&payment, "user_id"), anonymous);
    // The invoice stays as issued (the seller must keep it), no longer linked to them.
    let kept_invoice = stored(invoice_key, "DOC").await;
    assert_eq!(s(&kept_invoice, "buyer_id"), anonymous);
    assert!(!kept_invoice.contains_key("GSI1PK"));
    assert_eq!(
        kept_invoice
            .get("number")
            .and_then(|v| v.as_n().ok())
            .cloned(),
        Some(invoice["number"].to_string())
    );
    assert_eq!(
        payment.get("amount").and_then(|v| v.as_n().ok()).cloned(),
        Some(paid["price"]["total"].to_string())
    );
    let ctx = aws().await;
    let stored_reviews = ctx
        .dynamodb()
        .query()
        .table_name(&ctx.config().table_name)
        .key_condition_expression("PK = :pk")
        .expression_attribute_values(":pk", AttributeValue::S(format!("REVIEWS#{}", f.space_id)))
        .send()
        .await
        .unwrap();
    let kept = stored_reviews
        .items()
        .iter()
        .find(|r| s(r, "comment") == "Quiet and bright")
        .expect("the review stays");
    assert_eq!(s(kept, "user_id"), anonymous);
    assert!(!kept.contains_key("GSI1PK"));
    let res = call(
        "GET",
        &format!("/users/{}/bookings", member.id),
        Some(&admin.access_token),
        None,
    )
    .await;
    assert_eq!(res.json::<Value>().await.unwrap()["items"], json!([]));

    // Both were audited, under a pseudonym: the entries keep what happened, not who, and
    // link neither to the old id nor to the id the bookings now carry.
    let log = audit_log(&admin).await;
    let erased: Vec<&Value> = log.iter().filter(|e| e["action"] == "user.erase").collect();
    let pseudonym = erased
        .iter()
        .filter_map(|e| e["actor_id"].as_str())
        .find(|a| {
            log.iter()
                .any(|x| x["action"] == "user.export" && x["actor_id"] == *a)
        })
        .expect("the export and the erasure under one pseudonym");
    assert!(pseudonym.starts_with("erased-") && pseudonym != anonymous);
    assert!(!log.iter().any(|e| e.to_string().contains(&member.id)));
    assert!(!log.iter().any(|e| e.to_string().contains(&anonymous)));
}

/// Every item of the table (paged Scan) whose text mentions `needle`.
async fn items_mentioning(needle: &str) -> Vec<String> {
    let ctx = aws().await;
    let mut found = Vec::new();
    let mut start = None;
    loop {
        let out = ctx
            .dynamodb()
            .scan()
            .table_name(&ctx.config().table_name)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        for item in out.items() {
            let text = format!("{item:?}");
            if text.contains(needle) {
                found.push(text);
            }
        }
        start = out.last_evaluated_key().cloned();
        if start.is_none() {
            return found;
        }
    }
}

/// Every object of `kind` at the Stripe stand-in (paged list) whose JSON mentions `needle`.
async fn stripe_objects_mentioning(kind: &str, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut path = format!("/v1/{kind}?limit=100");
        if let Some(a) = &after {
            path.push_str(&format!("&starting_after={a}"));
        }
        let (status, page) = stripe(reqwest::Method::GET, &path, &[]).await;
        assert_eq!(status, 200, "{kind}: {page}");
        let data = page["data"].as_array().cloned().unwrap_or_default();
        for object in &data {
            if object.to_string().contains(needle) {
                found.push(object.to_string());
            }
        }
        match (page["has_more"].as_bool(), data.last()) {
            (Some(true), Some(last)) => after = last["id"].as_str().map(str::to_owned),
            _ => return found,
        }
    }
}

/// After an erasure nothing anywhere leads back to the member: a Scan of the whole table
/// and every Stripe object are searched for their id and email, after they had a verified
/// phone, a paid and refunded booking made with an idempotency key, a membership, an
/// export and role changes (audited), notifications and an SMS count.
#[tokio::test]
async fn erasure_leaves_no_trace_of_the_id_or_email_anywhere() {
    let f = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[]).await;
    let admin = user_with_roles(&[Role::Admin]).await;
    let t = &member.access_token;
    verified_phone(t).await;
    let date = day(13);
    let paid = book_paid(t, &f.items[0], &at(&date, "10:00"), &at(&date, "11:00")).await;
    let paid_id = paid["id"].as_str().unwrap().to_string();
    let res = call("PUT", &format!("/bookings/{paid_id}/cancel"), Some(t), None).await;
    assert_eq!(res.status(), 200);
    let plan_id = crate::memberships::plan().await;
    let res = crate::memberships::subscribe(t, &plan_id, CARD_OK).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let res = call("DELETE", "/users/me/membership", Some(t), None).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    for method in ["PUT", "DELETE"] {
        let path = format!("/users/{}/roles/operator", member.id);
        let res = call(method, &path, Some(&admin.access_token), None).await;
        assert!(res.status().is_success(), "{method}: {}", res.status());
    }
    assert_eq!(
        call("GET", "/users/me/export", Some(t), None)
            .await
            .status(),
        200
    );
    // The member is all over the place now.
    assert!(!items_mentioning(&member.id).await.is_empty());
    assert!(
        !stripe_objects_mentioning("payment_intents", &member.id)
            .await
            .is_empty()
    );

    let res = call("DELETE", "/users/me", Some(t), None).await;
    assert_eq!(res.status(), 204, "{}", res.text().await.unwrap());
    // Whatever was still on its way (Stripe's news, notifications) has arrived.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;

    for needle in [member.id.as_str(), member.email.as_str()] {
        let items = items_mentioning(needle).await;
        assert!(
            items.is_empty(),
            "table items still mention {needle}: {items:#?}"
        );
        for kind in [
            "customers",
            "payment_intents",
            "subscriptions",
            "invoices",
            "charges",
            "refunds",
        ] {
            let objects = stripe_objects_mentioning(kind, needle).await;
            assert!(
                objects.is_empty(),
                "Stripe {kind} still mention {needle}: {objects:#?}"
            );
        }
    }
}

#[tokio::test]
async fn operator_admin_and_role_changes_are_audited_for_admins_only() {
    let f = fixture("Etc/UTC", &[0]).await;
    let admin = user_with_roles(&[Role::Admin]).await;
    let someone = user_with_roles(&[Role::Member]).await;
    let res = call(
        "PATCH",
        &format!("/spaces/{}", f.space_id),
        Some(&f.operator.access_token),
        Some(&json!({"name": "Renamed Space"})),
    )
    .await;
    assert_eq!(res.status(), 200);
    let res = call(
        "PUT",
        &format!("/users/{}/roles/operator", someone.id),
        Some(&admin.access_token),
        None,
    )
    .await;
    assert_eq!(res.status(), 204);

    let log = audit_log(&admin).await;
    let space = format!("space/{}", f.space_id);
    let created = log
        .iter()
        .find(|e| e["target"] == space.as_str() && e["action"] == "space.create")
        .expect("space.create audited");
    assert_eq!(created["actor_id"], f.operator.id.as_str());
    assert_eq!(created["after"]["id"], f.space_id.as_str());
    let updated = log
        .iter()
        .find(|e| e["target"] == space.as_str() && e["action"] == "space.update")
        .expect("space.update audited");
    assert_eq!(updated["before"]["name"], "Booking Test Space");
    assert_eq!(updated["after"]["name"], "Renamed Space");
    assert!(updated["at"].as_str().is_some());
    let item = log
        .iter()
        .find(|e| e["action"] == "item.create" && e["target"].as_str().unwrap().starts_with(&space))
        .expect("item.create audited");
    assert_eq!(item["after"]["id"], f.items[0].as_str());
    let grant = log
        .iter()
        .find(|e| e["action"] == "role.grant" && e["target"] == format!("user/{}", someone.id))
        .expect("role.grant audited");
    assert_eq!(grant["actor_id"], admin.id.as_str());
    assert_eq!(grant["before"], json!(["member"]));
    assert_eq!(grant["after"], json!(["operator", "member"]));

    // Only admins read it; months are checked.
    let res = call("GET", "/audit", Some(&f.operator.access_token), None).await;
    expect_problem(res, 403).await;
    let p = expect_problem(
        call(
            "GET",
            "/audit?month=2026-13",
            Some(&admin.access_token),
            None,
        )
        .await,
        400,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "month");
}
