//! Issue #21's acceptance: one booking through pay, cancel and refund, with the functions'
//! log lines captured (this binary has its own stack, so its log holds this flow alone,
//! besides the scheduler's runs): every line of the flow carries the booking's
//! correlation id, from the API request through the outbox relay, EventBridge and each
//! consumer, and the flow's metrics are there as CloudWatch EMF documents.

use std::collections::BTreeSet;

use integration_tests::fixtures::*;
use integration_tests::*;
use serde_json::Value;

/// The tests of this binary take turns: each reads the log lines written while it ran.
static ALONE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn lines_after(offset: usize) -> Vec<Value> {
    let text = std::fs::read_to_string(&env().function_log).unwrap_or_default();
    text.get(offset..)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn log_len() -> usize {
    std::fs::metadata(&env().function_log).map_or(0, |m| m.len() as usize)
}

/// Waits until the setup's own events have gone through the pipeline (no line but the
/// scheduler's for 2 s), so the log from here on holds the flow under test alone.
async fn settled_log_len() -> usize {
    let started = std::time::Instant::now();
    let mut offset = log_len();
    let mut quiet_since = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(60) {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let busy = lines_after(offset)
            .iter()
            .any(|l| text(l, "function") != "booking-scheduler");
        offset = log_len();
        if busy {
            quiet_since = std::time::Instant::now();
        } else if quiet_since.elapsed() >= std::time::Duration::from_secs(2) {
            return offset;
        }
    }
    panic!("the event pipeline never went quiet");
}

fn text<'a>(line: &'a Value, key: &str) -> &'a str {
    line[key].as_str().unwrap_or("")
}

/// The metric names an EMF line defines, after checking it is a well-formed document.
fn emf_metrics(line: &Value) -> Vec<String> {
    let Some(directives) = line["_aws"]["CloudWatchMetrics"].as_array() else {
        return vec![];
    };
    assert!(line["_aws"]["Timestamp"].as_i64().is_some(), "{line}");
    let mut names = vec![];
    for d in directives {
        assert!(text(d, "Namespace").starts_with("coworking-"), "{line}");
        for set in d["Dimensions"].as_array().unwrap() {
            for dim in set.as_array().unwrap() {
                let dim = dim.as_str().unwrap();
                assert!(
                    line[dim].is_string(),
                    "dimension {dim} has no value: {line}"
                );
            }
        }
        for m in d["Metrics"].as_array().unwrap() {
            let name = text(m, "Name").to_string();
            assert!(
                line[&name].is_number(),
                "metric {name} has no value: {line}"
            );
            names.push(name);
        }
    }
    names
}

#[tokio::test]
async fn a_booking_paid_cancelled_and_refunded_is_one_correlated_flow_with_its_metrics() {
    let _alone = ALONE.lock().await;
    let f = fixture("Europe/Berlin", &[0]).await;
    let member = new_member().await;
    let date = day(30);
    let offset = settled_log_len().await;

    let res = book(
        &member.access_token,
        &f.items[0],
        &at(&date, "10:00"),
        &at(&date, "11:00"),
    )
    .await;
    assert_eq!(res.status(), 201);
    let request_id = res
        .headers()
        .get("x-request-id")
        .expect("every answer names its request")
        .to_str()
        .unwrap()
        .to_string();
    let b: Value = res.json().await.unwrap();
    let id = b["id"].as_str().unwrap().to_string();
    let intent = b["payment"]["stripe_payment_intent_id"].as_str().unwrap();
    assert_eq!(pay(intent, CARD_OK).await, 200);
    wait_for_status(&id, &member.access_token, "confirmed").await;
    let cancelled = call(
        "PUT",
        &format!("/bookings/{id}/cancel"),
        Some(&member.access_token),
        None,
    )
    .await;
    assert_eq!(cancelled.status(), 200);
    wait_until("the refund", 20, || async {
        booking_view(&id, &member.access_token).await["payment"]["status"] == "refunded"
    })
    .await;
    // Until each consumer has handled the last events of the flow.
    wait_until("the consumers", 30, || async {
        let lines = lines_after(offset);
        let done = |function: &str, kind: &str| {
            lines.iter().any(|l| {
                text(l, "function") == function
                    && text(l, "kind") == kind
                    && text(l, "correlation_id") == id
            })
        };
        done("outbox-relay", "PaymentRefunded")
            && done("notifications-worker", "BookingCancelled")
            && done("analytics-worker", "BookingCancelled")
    })
    .await;

    let lines = lines_after(offset);
    // The gateway's access lines (API Gateway's access log on AWS) name the request.
    let (access, function_lines): (Vec<&Value>, Vec<&Value>) =
        lines.iter().partition(|l| text(l, "message") == "gateway");
    assert!(
        access
            .iter()
            .any(|l| text(l, "route") == "POST /bookings" && text(l, "request_id") == request_id),
        "no access line with the answer's request id: {access:?}"
    );
    // The flow: every line the functions wrote. The scheduler runs every minute on its own
    // (not part of it); reads like GET /bookings/{id} log nothing when they succeed.
    let flow: Vec<&Value> = function_lines
        .into_iter()
        .filter(|l| text(l, "function") != "booking-scheduler")
        .collect();
    let functions: BTreeSet<&str> = flow.iter().map(|l| text(l, "function")).collect();
    for expected in [
        "create-booking",
        "payments-webhook",
        "cancel-booking",
        "outbox-relay",
        "notifications-worker",
        "analytics-worker",
    ] {
        assert!(
            functions.contains(expected),
            "no line from {expected}: {functions:?}"
        );
    }
    for line in &flow {
        assert_eq!(
            text(line, "correlation_id"),
            id,
            "a line of the flow without the booking's correlation id: {line}"
        );
        assert!(!text(line, "request_id").is_empty(), "{line}");
    }
    // The request id the client saw is in that request's lines.
    assert!(
        flow.iter()
            .any(|l| text(l, "function") == "create-booking" && text(l, "request_id") == request_id),
        "the answer's X-Request-Id names no line"
    );

    // The metrics, as EMF documents, each in the flow and from the function that did it.
    let metrics: Vec<(String, String)> = flow
        .iter()
        .flat_map(|l| {
            emf_metrics(l)
                .into_iter()
                .map(|m| (text(l, "function").to_string(), m))
        })
        .collect();
    let has =
        |function: &str, metric: &str| metrics.iter().any(|(f, m)| f == function && m == metric);
    for (function, metric) in [
        ("create-booking", "BookingCreated"),
        ("payments-webhook", "PaymentSucceeded"),
        ("payments-webhook", "BookingConfirmed"),
        ("cancel-booking", "BookingCancelled"),
        ("cancel-booking", "PaymentRefunded"),
        ("outbox-relay", "RelayLag"),
        ("notifications-worker", "NotificationsSent"),
    ] {
        assert!(
            has(function, metric),
            "no {metric} from {function}: {metrics:?}"
        );
    }
    // Exactly once per change: one BookingCreated, one BookingCancelled in the flow.
    for metric in ["BookingCreated", "BookingConfirmed", "BookingCancelled"] {
        let n = metrics.iter().filter(|(_, m)| m == metric).count();
        assert_eq!(n, 1, "{metric} counted {n} times: {metrics:?}");
    }
}

#[tokio::test]
async fn a_conflict_and_a_forged_webhook_are_counted() {
    let _alone = ALONE.lock().await;
    let f = fixture("Etc/UTC", &[0]).await;
    let (a, b) = (new_member().await, new_member().await);
    let date = day(31);
    let offset = settled_log_len().await;
    let first = book(
        &a.access_token,
        &f.items[0],
        &at(&date, "09:00"),
        &at(&date, "10:00"),
    )
    .await;
    assert_eq!(first.status(), 201);
    let second = book(
        &b.access_token,
        &f.items[0],
        &at(&date, "09:30"),
        &at(&date, "10:30"),
    )
    .await;
    assert_eq!(second.status(), 409);
    let forged = http()
        .post(format!("{}/payments/webhook", env().base))
        .header("content-type", "application/json")
        .header("stripe-signature", "t=1,v1=00")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    let lines = lines_after(offset);
    let conflict = lines
        .iter()
        .find(|l| text(l, "function") == "create-booking" && l["Conflicts"].is_number())
        .unwrap_or_else(|| panic!("no Conflicts metric: {lines:?}"));
    assert_eq!(text(conflict, "Kind"), "slot-booking");
    assert!(
        lines.iter().any(|l| text(l, "function") == "create-booking"
            && emf_metrics(l).contains(&"BookingConflicts".to_string())),
        "no BookingConflicts metric"
    );
    assert!(emf_metrics(conflict).contains(&"Conflicts".to_string()));
    assert!(
        lines
            .iter()
            .any(|l| text(l, "function") == "payments-webhook"
                && emf_metrics(l).contains(&"WebhookSignatureFailures".to_string())),
        "no WebhookSignatureFailures metric"
    );
}
