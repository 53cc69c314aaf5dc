//! Invoices and credit notes (#22) against the stand-ins: numbered without gaps under
//! concurrent payments, adding up to what Stripe charged, credited when refunded, and
//! readable as a PDF through a signed S3 link by their buyer and issuer only.

use integration_tests::fixtures::*;
use integration_tests::*;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::payments::refunds_at_stripe;

/// The next half hour at least `ahead` from now.
fn slot_after(ahead: SignedDuration) -> Timestamp {
    let t = (Timestamp::now() + ahead).as_second();
    Timestamp::from_second((t / 1800 + 1) * 1800).unwrap()
}

/// A page of documents as `token` sees it at `path`.
async fn documents(path: &str, token: &str) -> Vec<Value> {
    let res = get_with_token(path, token).await;
    assert_eq!(res.status(), 200, "{path}");
    let page: Value = res.json().await.unwrap();
    page["items"].as_array().cloned().unwrap_or_default()
}

/// Waits until `path` lists `n` documents; returns them.
async fn wait_for_documents(path: &str, token: &str, n: usize, secs: u64) -> Vec<Value> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        let docs = documents(path, token).await;
        if docs.len() >= n {
            return docs;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{path} listed {} documents, not {n}",
            docs.len()
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

/// What Stripe charged on an intent.
async fn charged(intent: &str) -> i64 {
    let (status, pi) = stripe(
        reqwest::Method::GET,
        &format!("/v1/payment_intents/{intent}"),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{pi}");
    assert_eq!(pi["status"], "succeeded", "{pi}");
    pi["amount"].as_i64().unwrap()
}

fn sum(doc: &Value, field: &str) -> i64 {
    doc["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l[field].as_i64().unwrap())
        .sum()
}

/// A document's lines and totals add up, to the minor unit.
fn assert_adds_up(doc: &Value) {
    let t = &doc["totals"];
    assert_eq!(sum(doc, "gross"), t["gross"].as_i64().unwrap(), "{doc}");
    assert_eq!(sum(doc, "net"), t["net"].as_i64().unwrap(), "{doc}");
    assert_eq!(sum(doc, "tax"), t["tax"].as_i64().unwrap(), "{doc}");
    assert_eq!(
        t["net"].as_i64().unwrap() + t["tax"].as_i64().unwrap(),
        t["gross"].as_i64().unwrap(),
        "{doc}"
    );
}

/// The PDF behind a document's signed link, as text (lopdf's extraction).
async fn pdf_text(id: &str, token: &str) -> String {
    let res = get_with_token(&format!("/invoices/{id}/pdf"), token).await;
    assert_eq!(res.status(), 200);
    let link: Value = res.json().await.unwrap();
    let url = link["url"].as_str().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let res = http().get(url).send().await.unwrap();
    assert_eq!(res.status(), 200, "{url}");
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/pdf"
    );
    let bytes = res.bytes().await.unwrap();
    // A link changed in any way (another document's key) is refused by S3.
    let forged = url.replacen("INV-", "CN-", 1).replacen("CN-CN-", "CN-", 1);
    if forged != url {
        assert_eq!(http().get(&forged).send().await.unwrap().status(), 403);
    }
    let doc = lopdf::Document::load_mem(&bytes).expect("a PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).expect("its text")
}

#[tokio::test]
async fn a_paid_booking_is_invoiced_for_what_stripe_charged_and_a_refund_is_credited() {
    let mut space = open_around_the_clock("Etc/UTC");
    // 24 h before: everything back; 2 h before: 40 %.
    space["cancellation_policy"] =
        json!({"full_refund_hours": 24, "partial_refund_hours": 2, "partial_refund_percent": 40});
    let f = fixture_for(&space, &[0, 0]).await;
    // A business in France buying from a German space: reverse charge, no VAT.
    let business = user_with_roles(&[]).await;
    let res = call(
        "PATCH",
        "/users/me",
        Some(&business.access_token),
        Some(&json!({"billing": {
            "company": "Acme SARL",
            "address": {"line1": "3 rue de la Paix", "city": "Paris", "postal_code": "75002", "country": "FR"},
            "vat_id": "fr 40 303 265 045"
        }})),
    )
    .await;
    assert_eq!(res.status(), 200);
    // A private person: German VAT (19 %) included in the price. No emails: their PDF is
    // first made when they ask for it (not when a confirmation is mailed).
    let person = user_with_roles(&[]).await;
    let res = call(
        "PATCH",
        "/users/me",
        Some(&person.access_token),
        Some(&json!({"notifications": {"email": false, "sms": false}})),
    )
    .await;
    assert_eq!(res.status(), 200);

    let start = slot_after(SignedDuration::from_hours(6));
    let end = start + SignedDuration::from_hours(2);
    let (s, e) = (start.to_string(), end.to_string());
    let b1 = book_paid(&business.access_token, &f.items[0], &s, &e).await;
    let b2 = book_paid(&person.access_token, &f.items[1], &s, &e).await;

    let mine = "/users/me/invoices";
    let inv1 = wait_for_documents(mine, &business.access_token, 1, 15).await[0].clone();
    let inv2 = wait_for_documents(mine, &person.access_token, 1, 15).await[0].clone();
    for (inv, b) in [(&inv1, &b1), (&inv2, &b2)] {
        let intent = b["payment"]["stripe_payment_intent_id"].as_str().unwrap();
        assert_eq!(inv["kind"], "invoice");
        assert_eq!(inv["issuer"], f.operator.id.as_str());
        assert_eq!(inv["subject"]["booking_id"], b["id"]);
        assert_eq!(inv["payment_ref"], intent);
        assert_eq!(
            inv["totals"]["gross"].as_i64().unwrap(),
            charged(intent).await
        );
        assert_eq!(inv["currency"], "EUR");
        assert_adds_up(inv);
    }
    assert_eq!(inv1["treatment"], json!({"kind": "reverse_charge"}));
    assert_eq!(inv1["totals"]["tax"], 0);
    assert_eq!(inv1["buyer"]["name"], "Acme SARL");
    assert_eq!(inv1["buyer"]["vat_id"], "FR40303265045");
    assert_eq!(inv2["treatment"], json!({"kind": "vat", "rate_bp": 1900}));
    // 4000 gross at 19 % included: 3361 net + 639 VAT.
    assert_eq!(
        inv2["totals"],
        json!({"net": 3361, "tax": 639, "gross": 4000})
    );
    assert_eq!(inv2["buyer"]["name"], "Test User");
    // One operator, one sequence: the two payments took 1 and 2.
    let mut numbers = [
        inv1["number"].as_u64().unwrap(),
        inv2["number"].as_u64().unwrap(),
    ];
    numbers.sort_unstable();
    assert_eq!(numbers, [1, 2]);

    // The confirmation email carried the invoice; its PDF was stored on the way.
    let written = format!("INV-{:06}", inv1["number"].as_u64().unwrap());
    let mailed = format!("invoice {written} is attached");
    wait_until("the invoice mailed", 15, || async {
        emails(&business.email, &mailed).await == 1
    })
    .await;
    // The PDF says what the record says.
    let text = pdf_text(inv1["id"].as_str().unwrap(), &business.access_token).await;
    for needle in [
        written.as_str(),
        "FR40303265045",
        "Acme SARL",
        "40.00 EUR",
        "Reverse charge",
    ] {
        assert!(text.contains(needle), "{needle:?} not in the PDF: {text}");
    }
    let text = pdf_text(inv2["id"].as_str().unwrap(), &person.access_token).await;
    for needle in ["33.61 EUR", "6.39 EUR", "40.00 EUR", "19%"] {
        assert!(text.contains(needle), "{needle:?} not in the PDF: {text}");
    }
    // Its issuer reads it too; another member cannot tell it exists.
    let id1 = inv1["id"].as_str().unwrap();
    let path = format!("/invoices/{id1}/pdf");
    assert_eq!(
        get_with_token(&path, &f.operator.access_token)
            .await
            .status(),
        200
    );
    expect_problem(get_with_token(&path, &person.access_token).await, 404).await;
    // The operator lists the space's invoices; a member may not.
    let space_docs = format!("/spaces/{}/invoices", f.space_id);
    assert_eq!(
        documents(&space_docs, &f.operator.access_token).await.len(),
        2
    );
    expect_problem(get_with_token(&space_docs, &person.access_token).await, 403).await;

    // The business cancels 6 hours ahead: 40 % back, credited against its invoice.
    let id = b1["id"].as_str().unwrap();
    let res = call(
        "PUT",
        &format!("/bookings/{id}/cancel"),
        Some(&business.access_token),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let docs = wait_for_documents(mine, &business.access_token, 2, 15).await;
    let note = docs.iter().find(|d| d["kind"] == "credit_note").unwrap();
    let intent = b1["payment"]["stripe_payment_intent_id"].as_str().unwrap();
    let refunded: i64 = refunds_at_stripe(intent).await.iter().sum();
    assert_eq!(refunded, 1600);
    assert_eq!(note["totals"]["gross"].as_i64().unwrap(), -refunded);
    assert_eq!(note["credits"], written.as_str());
    assert_eq!(note["number"], 1, "credit notes have their own sequence");
    assert_eq!(note["treatment"], inv1["treatment"]);
    assert_adds_up(note);
    wait_until("the credit note mailed", 15, || async {
        emails(&business.email, "credit note CN-000001 is attached").await == 1
    })
    .await;
    let text = pdf_text(note["id"].as_str().unwrap(), &business.access_token).await;
    for needle in ["CN-000001", written.as_str(), "-16.00 EUR", "FR40303265045"] {
        assert!(text.contains(needle), "{needle:?} not in the PDF: {text}");
    }
}

#[tokio::test]
async fn concurrent_payments_of_one_operator_take_the_numbers_1_to_100_without_gap() {
    const N: usize = 100;
    let f = fixture_for(&open_around_the_clock("Etc/UTC"), &[0]).await;
    // 20 established members, 5 holds each: 100 bookings waiting for payment at once.
    let members = futures_util::future::join_all((0..20).map(|_| user_with_roles(&[]))).await;
    let first = slot_after(SignedDuration::from_hours(48));
    let mut intents = Vec::new();
    for i in 0..N {
        let start = first + SignedDuration::from_hours(i as i64);
        let end = start + SignedDuration::from_hours(1);
        let member = &members[i % members.len()];
        let res = book(
            &member.access_token,
            &f.items[0],
            &start.to_string(),
            &end.to_string(),
        )
        .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let b: Value = res.json().await.unwrap();
        let intent = b["payment"]["stripe_payment_intent_id"].as_str().unwrap();
        intents.push((intent.to_string(), b["payment"]["amount"].as_i64().unwrap()));
    }
    // Every card goes through at once: the webhooks race for the operator's numbers.
    let paid = futures_util::future::join_all(intents.iter().map(|(pi, _)| pay(pi, CARD_OK))).await;
    assert!(paid.iter().all(|s| *s == 200), "{paid:?}");
    let path = format!("/spaces/{}/invoices?limit=100", f.space_id);
    let docs = wait_for_documents(&path, &f.operator.access_token, N, 90).await;
    assert_eq!(docs.len(), N);
    let mut numbers: Vec<u64> = docs.iter().map(|d| d["number"].as_u64().unwrap()).collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=N as u64).collect::<Vec<_>>(),
        "no gap, no repeat"
    );
    // Each invoice is of one payment, for what it charged.
    let mut by_intent: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for d in &docs {
        assert_eq!(d["kind"], "invoice");
        assert_eq!(d["issuer"], f.operator.id.as_str());
        assert_adds_up(d);
        let pi = d["payment_ref"].as_str().unwrap();
        assert!(
            by_intent
                .insert(pi, d["totals"]["gross"].as_i64().unwrap())
                .is_none()
        );
    }
    for (pi, amount) in &intents {
        assert_eq!(by_intent.get(pi.as_str()), Some(amount), "{pi}");
    }
}

#[tokio::test]
async fn each_membership_charge_gets_one_platform_invoice() {
    let plan = crate::memberships::plan().await;
    let member = user_with_roles(&[]).await;
    let res = call(
        "PATCH",
        "/users/me",
        Some(&member.access_token),
        Some(&json!({"billing": {"company": "Nord AB", "vat_id": "SE556677889901"}})),
    )
    .await;
    assert_eq!(res.status(), 200);
    let res = crate::memberships::subscribe(&member.access_token, &plan, CARD_OK).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let mine = "/users/me/invoices";
    let docs = wait_for_documents(mine, &member.access_token, 1, 15).await;
    let inv = &docs[0];
    assert_eq!(inv["issuer"], "platform");
    assert_eq!(inv["kind"], "invoice");
    assert_eq!(inv["totals"]["gross"], 4900, "the plan's monthly price");
    assert_eq!(inv["currency"], "EUR");
    // A Swedish business buying from a platform in Germany: reverse charge.
    assert_eq!(inv["treatment"], json!({"kind": "reverse_charge"}));
    assert_eq!(inv["buyer"]["vat_id"], "SE556677889901");
    assert_adds_up(inv);
    let stripe_invoice = inv["payment_ref"].as_str().unwrap().to_string();
    let written = inv["written_number"].as_str().unwrap().to_string();
    let mailed = format!("membership invoice {written} of 49.00 EUR is ready");
    wait_until("the membership invoice mailed", 15, || async {
        emails(&member.email, &mailed).await == 1
    })
    .await;
    // Stripe's other event about the same invoice issues nothing more.
    let (status, object) = stripe(
        reqwest::Method::GET,
        &format!("/v1/invoices/{stripe_invoice}"),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{object}");
    let body = json!({
        "id": format!("evt_inv_{}", uuid::Uuid::new_v4().simple()),
        "object": "event", "type": "invoice.paid", "created": Timestamp::now().as_second(),
        "data": {"object": object},
    });
    let res = crate::payments::post_webhook(
        &body.to_string(),
        crate::payments::webhook_secret(),
        Timestamp::now().as_second(),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(documents(mine, &member.access_token).await.len(), 1);
    let text = pdf_text(inv["id"].as_str().unwrap(), &member.access_token).await;
    for needle in [
        written.as_str(),
        "Nord AB",
        "SE556677889901",
        "49.00 EUR",
        "Membership: Flex",
    ] {
        assert!(text.contains(needle), "{needle:?} not in the PDF: {text}");
    }
}
