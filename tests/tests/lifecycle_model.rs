//! A randomized run of at least 2,000 operations through the gateway against the real
//! stand-ins: bookings, payments through localstripe (and news of other amounts),
//! cancellations by members and operators, holds running out (4-second holds here),
//! item grid edits and space time-zone edits, over zones with 30- and 45-minute offsets
//! and shifts, from 8 concurrent clients. Afterwards the checker reads the table itself:
//! no two bookings of an item that hold their time share an instant, and every such
//! booking holds all its blocks. Its own binary: short holds apply to its stack only.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::types::AttributeValue;
use domain::role::Role;
use integration_tests::fixtures::*;
use integration_tests::*;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

const OPERATIONS: usize = 2_000;
const CLIENTS: usize = 8;
const ZONES: [&str; 5] = [
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Australia/Eucla",
    "Asia/Kolkata",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Clone)]
struct Made {
    id: String,
    booker: usize,
    intent: Option<String>,
    amount: i64,
}

/// What the clients share: the space and item settings as last set, and the bookings.
struct Shared {
    operator: TestUser,
    members: Vec<TestUser>,
    /// space id -> time zone
    zones: Mutex<HashMap<String, String>>,
    /// item id -> (space id, slot minutes)
    items: Mutex<HashMap<String, (String, u32)>>,
    made: Mutex<Vec<Made>>,
    counts: Mutex<HashMap<String, usize>>,
    done: AtomicUsize,
}

impl Shared {
    fn count(&self, what: &str) {
        *self
            .counts
            .lock()
            .unwrap()
            .entry(what.to_string())
            .or_default() += 1;
    }
}

fn room(identifier: &str, slot: u32) -> Value {
    json!({"kind": "room", "identifier": identifier, "capacity": 4,
           "price_per_hour": {"amount": 2400, "currency": "EUR"}, "slot_minutes": slot,
           "min_booking_minutes": slot, "max_booking_minutes": slot * 8, "buffer_minutes": 0})
}

async fn setup() -> Arc<Shared> {
    let operator = user_with_roles(&[Role::Operator]).await;
    let mut members = Vec::new();
    for _ in 0..6 {
        members.push(user_with_roles(&[]).await);
    }
    let (mut zones, mut items) = (HashMap::new(), HashMap::new());
    for (s, zone) in ZONES.iter().take(2).enumerate() {
        let mut space = open_around_the_clock(zone);
        space["pricing_rules"] = open_space(zone)["pricing_rules"].clone();
        let res = call(
            "POST",
            "/spaces",
            Some(&operator.access_token),
            Some(&space),
        )
        .await;
        assert_eq!(res.status(), 201);
        let space_id = res.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        for (i, slot) in [60, 30].into_iter().enumerate() {
            let res = call(
                "POST",
                &format!("/spaces/{space_id}/items"),
                Some(&operator.access_token),
                Some(&room(&format!("Room {s}-{i}"), slot)),
            )
            .await;
            assert_eq!(res.status(), 201);
            let id = res.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string();
            items.insert(id, (space_id.clone(), slot));
        }
        zones.insert(space_id, zone.to_string());
    }
    Arc::new(Shared {
        operator,
        members,
        zones: Mutex::new(zones),
        items: Mutex::new(items),
        made: Mutex::new(Vec::new()),
        counts: Mutex::new(HashMap::new()),
        done: AtomicUsize::new(0),
    })
}

/// A request on the item's grid as last set (it may have changed since: then a 400),
/// in its space's zone as last set, one to three days ahead.
fn request(sh: &Shared, rng: &mut Rng, item: &str) -> (String, String) {
    let (space, slot) = sh.items.lock().unwrap()[item].clone();
    let zone = sh.zones.lock().unwrap()[&space].clone();
    let tz = jiff::tz::TimeZone::get(&zone).unwrap();
    let day = Timestamp::now().to_zoned_datetime(tz.clone()).date()
        + jiff::Span::new().days(1 + rng.below(3) as i64);
    let slot = slot as i64;
    let minute = slot * rng.below((24 * 60 / slot) as usize) as i64;
    let start = day.to_datetime(jiff::civil::Time::midnight()) + SignedDuration::from_mins(minute);
    let end = start + SignedDuration::from_mins(slot * (1 + rng.below(4) as i64));
    let at = |t: jiff::civil::DateTime| {
        tz.to_ambiguous_timestamp(t)
            .compatible()
            .unwrap()
            .to_string()
    };
    (at(start), at(end))
}

/// Pays an intent as Stripe.js would; false when localstripe refuses (e.g. cancelled).
async fn pay_leniently(intent: &str) -> bool {
    let pm = payment_method(CARD_OK).await;
    let path = format!("/v1/payment_intents/{intent}");
    let (status, _) = stripe(
        reqwest::Method::POST,
        &path,
        &[("payment_method", pm.as_str())],
    )
    .await;
    if status != 200 {
        return false;
    }
    stripe(reqwest::Method::POST, &format!("{path}/confirm"), &[])
        .await
        .0
        == 200
}

async fn mismatch_news(b: &Made) {
    let Some(intent) = &b.intent else { return };
    let body = json!({
        "id": format!("evt_{}", uuid::Uuid::new_v4().simple()), "object": "event",
        "type": "payment_intent.succeeded", "created": Timestamp::now().as_second(),
        "data": {"object": {"id": intent, "object": "payment_intent", "amount": b.amount + 1,
            "currency": "eur", "status": "succeeded", "metadata": {"booking_id": b.id}}},
    });
    let header = aws::stripe::signature::sign(
        body.to_string().as_bytes(),
        &env().stack.stripe.webhook_secret,
        Timestamp::now().as_second(),
    );
    let res = http()
        .post(format!("{}/payments/webhook", env().base))
        .header("content-type", "application/json")
        .header("stripe-signature", header)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert!(
        res.status() == 200 || res.status() == 409,
        "{}",
        res.status()
    );
}

fn expect(status: u16, allowed: &[u16], what: &str, body: &Value) {
    assert!(allowed.contains(&status), "{what}: {status} {body}");
}

async fn client(sh: Arc<Shared>, seed: u64) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
    while sh.done.fetch_add(1, Ordering::SeqCst) < OPERATIONS {
        let item_ids: Vec<String> = sh.items.lock().unwrap().keys().cloned().collect();
        let item = item_ids[rng.below(item_ids.len())].clone();
        let pick = |rng: &mut Rng| {
            let made = sh.made.lock().unwrap();
            (!made.is_empty()).then(|| made[rng.below(made.len())].clone())
        };
        match rng.below(100) {
            0..=44 => {
                let booker = rng.below(sh.members.len());
                let (start, end) = request(&sh, &mut rng, &item);
                let res = book(&sh.members[booker].access_token, &item, &start, &end).await;
                let status = res.status().as_u16();
                let body: Value = res.json().await.unwrap_or(Value::Null);
                expect(status, &[201, 400, 409], "book", &body);
                sh.count(&format!("book {status}"));
                if status == 201 {
                    sh.made.lock().unwrap().push(Made {
                        id: body["id"].as_str().unwrap().to_string(),
                        booker,
                        intent: body["payment"]["stripe_payment_intent_id"]
                            .as_str()
                            .map(str::to_string),
                        amount: body["price"]["total"].as_i64().unwrap(),
                    });
                }
            }
            45..=56 => {
                if let Some(Made {
                    intent: Some(intent),
                    ..
                }) = pick(&mut rng)
                {
                    let paid = pay_leniently(&intent).await;
                    sh.count(if paid { "paid" } else { "payment refused" });
                }
            }
            57..=59 => {
                if let Some(b) = pick(&mut rng) {
                    mismatch_news(&b).await;
                    sh.count("other amount");
                }
            }
            60..=71 => {
                if let Some(b) = pick(&mut rng) {
                    let token = if rng.below(3) == 0 {
                        &sh.operator.access_token
                    } else {
                        &sh.members[b.booker].access_token
                    };
                    let res = call(
                        "PUT",
                        &format!("/bookings/{}/cancel", b.id),
                        Some(token),
                        None,
                    )
                    .await;
                    let status = res.status().as_u16();
                    let body: Value = res.json().await.unwrap_or(Value::Null);
                    expect(status, &[200, 409], "cancel", &body);
                    sh.count(&format!("cancel {status}"));
                }
            }
            72..=77 => {
                let slot = [15, 30, 60][rng.below(3)];
                let buffer = if rng.below(2) == 0 { 0 } else { slot };
                let space = sh.items.lock().unwrap()[&item].0.clone();
                let res = call(
                    "PATCH",
                    &format!("/spaces/{space}/items/{item}"),
                    Some(&sh.operator.access_token),
                    Some(&json!({"slot_minutes": slot, "min_booking_minutes": slot,
                        "max_booking_minutes": slot * 8, "buffer_minutes": buffer})),
                )
                .await;
                let status = res.status().as_u16();
                expect(status, &[200, 409], "grid edit", &Value::Null);
                if status == 200 {
                    sh.items.lock().unwrap().get_mut(&item).unwrap().1 = slot;
                }
                sh.count("grid edit");
            }
            78..=81 => {
                let space = sh.items.lock().unwrap()[&item].0.clone();
                let zone = ZONES[rng.below(ZONES.len())];
                let res = call(
                    "PATCH",
                    &format!("/spaces/{space}"),
                    Some(&sh.operator.access_token),
                    Some(&json!({"time_zone": zone})),
                )
                .await;
                let status = res.status().as_u16();
                expect(status, &[200, 409], "zone edit", &Value::Null);
                if status == 200 {
                    sh.zones.lock().unwrap().insert(space, zone.to_string());
                }
                sh.count("zone edit");
            }
            82..=85 => {
                tokio::time::sleep(std::time::Duration::from_millis(
                    500 + 500 * rng.below(4) as u64,
                ))
                .await;
                sh.count("wait");
            }
            _ => {
                let space = sh.items.lock().unwrap()[&item].0.clone();
                let from = Timestamp::now();
                let to = from + SignedDuration::from_hours(96);
                let res = call(
                    "GET",
                    &format!("/spaces/{space}/availability?from={from}&to={to}"),
                    None,
                    None,
                )
                .await;
                assert_eq!(res.status(), 200);
                sh.count("availability");
            }
        }
    }
}

/// Every item of the table whose PK starts with `prefix` (this stack holds only this run).
async fn scan(prefix: &str) -> Vec<HashMap<String, AttributeValue>> {
    let aws = aws().await;
    let mut out = Vec::new();
    let mut start = None;
    loop {
        let page = aws
            .dynamodb()
            .scan()
            .table_name(&aws.config().table_name)
            .filter_expression("begins_with(PK, :p)")
            .expression_attribute_values(":p", AttributeValue::S(prefix.into()))
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        out.extend(page.items.unwrap_or_default());
        start = page.last_evaluated_key;
        if start.is_none() {
            return out;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_thousand_generated_operations_never_overlap() {
    override_function_env("BOOKING_HOLD_SECONDS", "4");
    override_function_env("MAX_ACTIVE_HOLDS", "1000");
    let sh = setup().await;
    let mut clients = tokio::task::JoinSet::new();
    for c in 0..CLIENTS {
        clients.spawn(client(sh.clone(), c as u64 + 1));
    }
    while let Some(done) = clients.join_next().await {
        done.unwrap();
    }
    // Let the last payments' news arrive.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let counts = sh.counts.lock().unwrap().clone();
    eprintln!("operations: {counts:?}");
    for (what, at_least) in [
        ("book 201", 200),
        ("book 409", 50),
        ("paid", 30),
        ("cancel 200", 30),
        ("grid edit", 30),
        ("zone edit", 20),
    ] {
        assert!(
            counts.get(what).copied().unwrap_or(0) >= at_least,
            "{what}: {counts:?}"
        );
    }

    let now = Timestamp::now();
    let text = |item: &HashMap<String, AttributeValue>, k: &str| {
        item.get(k).and_then(|v| v.as_s().ok()).cloned()
    };
    let bookings: Vec<_> = scan("BOOKING#")
        .await
        .into_iter()
        .filter(|i| text(i, "SK").as_deref() == Some("BOOKING"))
        .collect();
    assert!(bookings.len() >= 200);
    // Whole claims by (item, block start, level): `<start>#<item>[#H|#D]` (marks carry no
    // booking id).
    let claims: HashMap<(String, String, String), String> = scan("SLOTS#")
        .await
        .into_iter()
        .filter_map(|c| {
            let sk = text(&c, "SK")?;
            let mut parts = sk.split('#');
            let (start, item) = (parts.next()?.to_string(), parts.next()?.to_string());
            let level = match parts.next() {
                Some("H") => "hour",
                Some("D") => "day",
                _ => "cell",
            };
            Some(((item, start, level.to_string()), text(&c, "booking_id")?))
        })
        .collect();
    let mut holding: HashMap<String, Vec<(Timestamp, Timestamp, String)>> = HashMap::new();
    for b in &bookings {
        let status = text(b, "status").unwrap();
        let hold = text(b, "hold_expires_at").map(|t| t.parse::<Timestamp>().unwrap());
        let holds_time =
            status == "confirmed" || (status == "pending" && hold.is_some_and(|h| h > now));
        if !holds_time {
            continue;
        }
        let (start, end) = (
            ts(&text(b, "start_time").unwrap()),
            ts(&text(b, "end_time").unwrap()),
        );
        let id = text(b, "id").unwrap();
        let item = text(b, "bookable_item_id").unwrap();
        // Every block of a booking that holds its time is claimed by it.
        for block in b["slots"].as_l().unwrap() {
            let block = block.as_m().unwrap();
            let start = domain::instant::sortable(ts(block["start"].as_s().unwrap()));
            let level = block
                .get("level")
                .and_then(|l| l.as_s().ok())
                .map_or("cell", |l| l.as_str());
            assert_eq!(
                claims.get(&(item.clone(), start, level.to_string())),
                Some(&id),
                "claim of {id}"
            );
        }
        holding.entry(item).or_default().push((start, end, id));
    }
    let mut checked = 0;
    for (item, mut intervals) in holding {
        intervals.sort();
        for w in intervals.windows(2) {
            assert!(
                w[0].1 <= w[1].0,
                "overlap on {item}: {:?} and {:?}",
                w[0],
                w[1]
            );
            checked += 1;
        }
    }
    eprintln!(
        "{} bookings, {checked} neighbouring pairs checked",
        bookings.len()
    );
}
