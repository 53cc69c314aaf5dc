//! `make bench`: hot-path latency through the local gateway and DynamoDB cost per
//! operation, against the local stand-ins, printed as a table and written to
//! `bench-results/bench.md`. Build it in release mode (the Makefile does).
//!
//! Latency here is the local stand-in's (ministack is a Python server on the same two
//! cores), so absolute figures are pessimistic; round trips and capacity units per
//! operation are what carries over to AWS.

use std::fmt::Write as _;
use std::time::Instant;

use aws::metrics;
use domain::role::Role;
use integration_tests::*;
use serde_json::{Value, json};

fn percentile(sorted_ms: &[f64], p: f64) -> f64 {
    if sorted_ms.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted_ms.len() as f64 - 1.0)).round() as usize;
    sorted_ms[rank.min(sorted_ms.len() - 1)]
}

struct Row {
    scenario: String,
    n: usize,
    p50: f64,
    p99: f64,
    calls: f64,
    units: f64,
    budget: &'static str,
}

/// DynamoDB operations of the event consumers, which the gateway's event pump runs in this
/// same process while the bench runs (on AWS they are other Lambdas, paid per event, not
/// per request): the realtime worker's query of a space's followers, the analytics worker's
/// counter transaction and the scheduler's due-action transaction.
const CONSUMER_OPS: [&str; 4] = [
    "live_subscribers",
    "apply_counters",
    "finish_due",
    "waitlist_query",
];

/// Calls and capacity units of the measured requests since `before`.
fn request_cost(
    before: &std::collections::BTreeMap<&'static str, metrics::OpStats>,
) -> metrics::OpStats {
    let mut after = metrics::snapshot();
    after.retain(|op, _| !CONSUMER_OPS.contains(op));
    metrics::delta(before, &after)
}

async fn timed<F, Fut>(n: usize, mut f: F) -> (Vec<f64>, metrics::OpStats)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let before = metrics::snapshot();
    let mut ms = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        f(i).await;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let cost = request_cost(&before);
    ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (ms, cost)
}

fn row(scenario: &str, ms: &[f64], cost: metrics::OpStats, budget: &'static str) -> Row {
    let n = ms.len();
    Row {
        scenario: scenario.into(),
        n,
        p50: percentile(ms, 50.0),
        p99: percentile(ms, 99.0),
        calls: cost.calls as f64 / n as f64,
        units: cost.capacity_units / n as f64,
        budget,
    }
}

#[tokio::main]
async fn main() {
    // `BENCH_ONLY=search` runs only the search section (it seeds its own 10,000 spaces).
    if std::env::var("BENCH_ONLY").as_deref() == Ok("search") {
        let env = env();
        let search = search_bench(&env.stack).await;
        println!("\n{search}");
        std::fs::create_dir_all(root().join("bench-results")).unwrap();
        std::fs::write(root().join("bench-results/search.md"), &search).unwrap();
        return;
    }
    let telemetry = telemetry_cost().await;
    // One bench member holds hundreds of unpaid bookings; the hold limit (an abuse limit,
    // tested in the integration tests) would stop it after five.
    override_function_env("MAX_ACTIVE_HOLDS", "1000000");
    let env = env();
    let operator = user_with_roles(&[Role::Operator]).await;
    let member = user_with_roles(&[]).await;
    let day = json!([{"open": "00:00", "close": "24:00"}]);
    let space = json!({
        "name": "Bench Space", "time_zone": "Europe/Berlin",
        "address": {"line1": "1 Bench Street", "city": "Berlin", "postal_code": "10115", "country": "DE"},
        "location": {"lat": 52.52, "lng": 13.405},
        "opening_hours": {"monday": day, "tuesday": day, "wednesday": day, "thursday": day, "friday": day, "saturday": day, "sunday": day},
        "pricing_rules": [{"label": "peak", "days": ["monday"], "start": "09:00", "end": "12:00", "multiplier_percent": 150}]
    });
    let res = call(
        "POST",
        "/spaces",
        Some(&operator.access_token),
        Some(&space),
    )
    .await;
    let space_id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut items = Vec::new();
    for i in 0..10 {
        let body = json!({"kind": "room", "identifier": format!("Room {i}"), "capacity": 6,
                          "price_per_hour": {"amount": 2500, "currency": "EUR"}, "slot_minutes": 30,
                          "min_booking_minutes": 30, "max_booking_minutes": 480, "buffer_minutes": 0,
                          "stay_rates": {"day": 9000, "week": 40000, "month": 120000}});
        let res = call(
            "POST",
            &format!("/spaces/{space_id}/items"),
            Some(&operator.access_token),
            Some(&body),
        )
        .await;
        items.push(
            res.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let base = jiff::Timestamp::now().as_second() / 86_400 * 86_400 + 40 * 86_400;
    let items_for_long = items.clone();
    let items = std::sync::Arc::new(items);
    let slot = move |i: usize| {
        // Distinct (item, day, hour) per request: no conflicts, so every call is a create.
        let start = base + ((i / 10) as i64 / 20) * 86_400 + ((i / 10) as i64 % 20) * 3600;
        let s = jiff::Timestamp::from_second(start).unwrap();
        (
            items[i % 10].clone(),
            s.to_string(),
            (s + jiff::SignedDuration::from_hours(1)).to_string(),
        )
    };
    // (booking, intent, amount) of each booking made.
    let booked: std::sync::Arc<std::sync::Mutex<Vec<(String, String, i64)>>> = Default::default();
    let booked_view = booked.clone();
    let book = move |i: usize, token: String| {
        let (item, s, e) = slot(i);
        let booked = booked.clone();
        async move {
            let res = http()
                .post(format!("{}/bookings", env.base))
                .bearer_auth(&token)
                .header("idempotency-key", uuid::Uuid::new_v4().to_string())
                .json(&json!({"bookable_item_id": item, "start_time": s, "end_time": e}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201);
            let b: Value = res.json().await.unwrap();
            booked.lock().unwrap().push((
                b["id"].as_str().unwrap().to_string(),
                b["payment"]["stripe_payment_intent_id"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                b["payment"]["amount"].as_i64().unwrap(),
            ));
        }
    };

    let mut rows = Vec::new();
    // The first bookings of a container fill its catalog cache (item -> space, space).
    let (ms, cost) = timed(10, |i| book(i, member.access_token.clone())).await;
    rows.push(row(
        "create booking, cold catalog (first 10)",
        &ms,
        cost,
        "-",
    ));
    let (ms, cost) = timed(200, |i| book(10 + i, member.access_token.clone())).await;
    rows.push(row(
        "create booking, warm, 1 hour (1 hour claimed, its day marked)",
        &ms,
        cost,
        "1 transaction, no read",
    ));
    // Eight hours (32 cells of the 15-minute lattice), each item on days of its own.
    let long_day = base + 10 * 86_400;
    let long_items = items_for_long.clone();
    let (ms, cost) = timed(20, |i| {
        let (item, token) = (long_items[i % 10].clone(), member.access_token.clone());
        let s = jiff::Timestamp::from_second(long_day + (i / 10) as i64 * 86_400).unwrap();
        async move {
            let res = http()
                .post(format!("{}/bookings", env.base))
                .bearer_auth(&token)
                .header("idempotency-key", uuid::Uuid::new_v4().to_string())
                .json(&json!({"bookable_item_id": item, "start_time": s,
                              "end_time": s + jiff::SignedDuration::from_hours(8)}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201);
        }
    })
    .await;
    rows.push(row(
        "create booking, warm, 8 hours (8 hours claimed, their day marked)",
        &ms,
        cost,
        "1 transaction, no read",
    ));

    // Whole local days of the Berlin space (days start at 23:00 UTC): day passes, each
    // item on days of its own, then one calendar month per item.
    let stay = |unit: &'static str, first_day: i64, quantity: u32| {
        let items = items_for_long.clone();
        let token = member.access_token.clone();
        move |i: usize| {
            let date =
                jiff::Timestamp::from_second(base + (first_day + (i / 10) as i64 * 35) * 86_400)
                    .unwrap()
                    .strftime("%Y-%m-%d")
                    .to_string();
            let (item, token) = (items[i % 10].clone(), token.clone());
            async move {
                let res = http()
                    .post(format!("{}/bookings", env.base))
                    .bearer_auth(&token)
                    .header("idempotency-key", uuid::Uuid::new_v4().to_string())
                    .json(&json!({"bookable_item_id": item, "unit": unit,
                                  "start_date": date, "quantity": quantity}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201, "{:?}", res.text().await);
            }
        }
    };
    let (ms, cost) = timed(20, stay("day", 20, 1)).await;
    rows.push(row(
        "create booking, day pass (1 hour + 1 day claimed, 2 marks)",
        &ms,
        cost,
        "1 transaction, no read",
    ));
    let (ms, cost) = timed(20, stay("month", 60, 1)).await;
    rows.push(row(
        "create booking, one-month stay (about 32 blocks claimed)",
        &ms,
        cost,
        "1 transaction, no read",
    ));

    // Series of 10 weekly hourly occurrences, each item on weeks of its own: every
    // occurrence is its own create transaction, plus the series record and, for
    // `refuse`, the claims read first (one query per occurrence).
    let series = |first_day: i64, on_conflict: &'static str| {
        let items = items_for_long.clone();
        let token = member.access_token.clone();
        move |i: usize| {
            let s = jiff::Timestamp::from_second(base + first_day * 86_400 + 10 * 3600).unwrap();
            let (item, token) = (items[i % 10].clone(), token.clone());
            async move {
                let res = http()
                    .post(format!("{}/series", env.base))
                    .bearer_auth(&token)
                    .header("idempotency-key", uuid::Uuid::new_v4().to_string())
                    .json(&json!({"bookable_item_id": item, "start_time": s,
                                  "end_time": s + jiff::SignedDuration::from_hours(1),
                                  "rrule": "FREQ=WEEKLY;COUNT=10", "on_conflict": on_conflict}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201, "{:?}", res.text().await);
                let body: Value = res.json().await.unwrap();
                assert_eq!(body["booked"], 10, "{body}");
            }
        }
    };
    let (ms, cost) = timed(10, series(140, "skip")).await;
    rows.push(row(
        "create series, 10 weekly occurrences, skip conflicts",
        &ms,
        cost,
        "10 transactions, no read",
    ));
    let (ms, cost) = timed(10, series(220, "refuse")).await;
    rows.push(row(
        "create series, 10 weekly occurrences, all or none",
        &ms,
        cost,
        "10 claim reads + 10 transactions",
    ));

    // 8 concurrent clients.
    let before = metrics::snapshot();
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..8 {
        let token = member.access_token.clone();
        let book = book.clone();
        tasks.spawn(async move {
            let mut ms = Vec::new();
            for j in 0..25 {
                let t = Instant::now();
                book(210 + c * 25 + j, token.clone()).await;
                ms.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            ms
        });
    }
    let mut ms = Vec::new();
    while let Some(r) = tasks.join_next().await {
        ms.extend(r.unwrap());
    }
    ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let cost = request_cost(&before);
    rows.push(row(
        "create booking, 8 concurrent clients",
        &ms,
        cost,
        "1 transaction, no read",
    ));

    let week = |i: usize| {
        let from = jiff::Timestamp::from_second(base + (i as i64 % 7) * 86_400).unwrap();
        let to = from + jiff::SignedDuration::from_hours(24 * 7);
        format!("/spaces/{space_id}/availability?from={from}&to={to}")
    };
    let (ms, cost) = timed(100, |i| {
        let path = week(i);
        async move {
            let res = call("GET", &path, None, None).await;
            assert_eq!(res.status(), 200);
        }
    })
    .await;
    rows.push(row(
        "availability, space-week (10 items)",
        &ms,
        cost,
        "<= 7 queries",
    ));

    // The payments webhook: payment_intent.succeeded for bookings made above, signed with
    // the endpoint secret exactly as Stripe signs (the event body is Stripe's shape).
    let paid: Vec<(String, String, i64)> = booked_view
        .lock()
        .unwrap()
        .iter()
        .take(100)
        .cloned()
        .collect();
    let secret = env.stack.stripe.webhook_secret.clone();
    let (ms, cost) = timed(paid.len(), |i| {
        let (booking, intent, amount) = paid[i].clone();
        let secret = secret.clone();
        async move {
            let body = json!({"id": format!("evt_bench_{}", uuid::Uuid::new_v4().simple()), "object": "event",
                "type": "payment_intent.succeeded", "created": jiff::Timestamp::now().as_second(),
                "data": {"object": {"id": intent, "object": "payment_intent", "amount": amount,
                                    "currency": "eur", "metadata": {"booking_id": booking}}}})
            .to_string();
            let sig = aws::stripe::signature::sign(body.as_bytes(), &secret, jiff::Timestamp::now().as_second());
            let res = http()
                .post(format!("{}/payments/webhook", env.base))
                .header("stripe-signature", sig)
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            let ack: Value = res.json().await.unwrap();
            assert_eq!(ack["outcome"], "Confirmed", "{ack}");
        }
    })
    .await;
    rows.push(row(
        "payments webhook, payment succeeded -> confirmed",
        &ms,
        cost,
        "1 read + 1 transaction",
    ));

    let search = search_bench(&env.stack).await;
    let functions = lambda_table(&env.stack).await;

    let mut out = String::new();
    writeln!(
        out,
        "| scenario | n | p50 ms | p99 ms | DynamoDB calls/op | capacity units/op | budget |"
    )
    .unwrap();
    writeln!(out, "|---|---|---|---|---|---|---|").unwrap();
    for r in &rows {
        writeln!(
            out,
            "| {} | {} | {:.1} | {:.1} | {:.2} | {:.2} | {} |",
            r.scenario, r.n, r.p50, r.p99, r.calls, r.units, r.budget
        )
        .unwrap();
    }
    writeln!(out, "\n{search}").unwrap();
    writeln!(out, "\n{functions}").unwrap();
    writeln!(out, "\n{telemetry}").unwrap();
    if let Ok(times) = std::fs::read_to_string(root().join("bench-results/build-times.txt")) {
        writeln!(
            out,
            "Build times (this run's `make bench`; clean only if target/ was empty):\n"
        )
        .unwrap();
        for line in times.lines() {
            writeln!(out, "- {line}").unwrap();
        }
    }
    println!("\n{out}");
    std::fs::create_dir_all(root().join("bench-results")).unwrap();
    std::fs::write(root().join("bench-results/bench.md"), &out).unwrap();
    println!("written to bench-results/bench.md");
}

const SEARCH_SPACES: usize = 10_000;
const SEARCH_RADII: [f64; 5] = [1.0, 5.0, 10.0, 25.0, 50.0];
/// Queries per region, sort and radius.
const SEARCH_QUERIES: usize = 20;

/// Seeds 10,000 spaces (through the same store code as the API: a dense city, its suburbs
/// and a sparse region, `local_gateway::seed::bench_region`), then pages through radius
/// searches: rows and partitions read per first and following page (the search use case
/// called as the function calls it) and latency through the gateway, beside a full Scan.
async fn search_bench(stack: &local_gateway::stack::StackInfo) -> String {
    use app::usecase::catalog::Catalog;
    use app::usecase::search::{Next, search};
    use aws::dynamo::DynamoStore;
    use domain::search::{Area, Filters, SearchSpec, SortBy, Start};
    use domain::space::GeoPoint;
    let ctx = aws().await;
    let store = DynamoStore::from_context(&ctx);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let per_task = SEARCH_SPACES / 16;
    for t in 0..16 {
        let store = store.clone();
        tasks.spawn(async move {
            use app::ports::spaces::SpaceStore;
            let mut rng = 0x9E37_79B9_7F4A_7C15u64 ^ (t as u64 + 1);
            for i in 0..per_task {
                let (space, items) = local_gateway::seed::bench_space(&mut rng, t * per_task + i);
                let audit = domain::audit::AuditEntry::system(
                    "bench",
                    "space.create",
                    format!("space/{}", space.id),
                    space.created_at,
                );
                store.create_space(&space, &items, &audit).await.unwrap();
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap();
    }
    let seeded = started.elapsed().as_secs_f64();

    // What a Scan of the whole table would read (the thing this design avoids).
    let (mut scanned, mut scan_units, mut start) = (0i64, 0f64, None);
    loop {
        let out = ctx
            .dynamodb()
            .scan()
            .table_name(&ctx.config().table_name)
            .select(aws_sdk_dynamodb::types::Select::Count)
            .return_consumed_capacity(aws_sdk_dynamodb::types::ReturnConsumedCapacity::Total)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        scanned += out.scanned_count() as i64;
        scan_units += out
            .consumed_capacity()
            .and_then(|c| c.capacity_units)
            .unwrap_or(0.0);
        start = out.last_evaluated_key;
        if start.is_none() {
            break;
        }
    }

    let berlin = GeoPoint {
        lat: 52.52,
        lng: 13.405,
    };
    let regions = [
        ("dense city centre", berlin),
        ("sparse region", local_gateway::seed::BENCH_SPARSE_CENTRE),
    ];
    let catalog = Catalog::new();
    let mut out = String::new();
    writeln!(out, "Search over {SEARCH_SPACES} seeded spaces (seeded in {seeded:.0} s): 6,000 within 10 km of Berlin's centre, 3,500 in its suburbs (10-40 km), 500 in a sparse region 150 km north (within 60 km). A full Scan would read {scanned} items ({scan_units:.0} capacity units). Pages of 20, {SEARCH_QUERIES} queries per line from points within 2 km of the region's centre; rows and partitions are per page (mean and max), latency through the gateway.\n").unwrap();
    writeln!(out, "| region | sort | radius km | page 1 rows (max) | page 1 partitions | page 1 rounds | page 1 p50 ms | page 2 rows (max) | page 2 partitions | page 2 p50 ms | candidates in circle | budget |").unwrap();
    writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|---|").unwrap();
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    for (region, centre) in regions {
        for sort in [SortBy::Distance, SortBy::Price, SortBy::Rating] {
            for radius in SEARCH_RADII {
                let points: Vec<GeoPoint> = (0..SEARCH_QUERIES)
                    .map(|_| {
                        let u = local_gateway::seed::unit(&mut rng);
                        let v = local_gateway::seed::unit(&mut rng);
                        GeoPoint {
                            lat: centre.lat + (u - 0.5) * 4.0 / 111.2,
                            lng: centre.lng
                                + (v - 0.5) * 4.0 / (111.2 * centre.lat.to_radians().cos()),
                        }
                    })
                    .collect();
                let sort_name = match sort {
                    SortBy::Distance => "distance",
                    SortBy::Price => "price",
                    SortBy::Rating => "rating",
                    SortBy::Relevance => "relevance",
                };
                // Rows, partitions and rounds: the use case, as the function runs it.
                let mut first = Vec::new();
                let mut second = Vec::new();
                let mut candidates = 0usize;
                for p in &points {
                    let mut spec = SearchSpec {
                        area: Area::Circle {
                            center: *p,
                            radius_km: radius,
                        },
                        filters: Filters::default(),
                        available: None,
                        sort,
                        limit: 20,
                        start: Start::First,
                    };
                    let page = search(&store, &catalog, &spec, jiff::Timestamp::now())
                        .await
                        .unwrap();
                    first.push(page.cost.clone());
                    if sort != SortBy::Distance {
                        candidates += page.cost.rows_read;
                    }
                    if let Some(next) = page.next {
                        spec.start = match next {
                            Next::After(r) => Start::After(r),
                            Next::Offset(o) => Start::Offset(o),
                        };
                        let page = search(&store, &catalog, &spec, jiff::Timestamp::now())
                            .await
                            .unwrap();
                        second.push(page.cost);
                    }
                }
                // Latency: the same first pages, then their second pages, through the gateway.
                let query = |p: &GeoPoint| {
                    format!(
                        "/spaces?lat={}&lng={}&radius_km={radius}&limit=20&sort={sort_name}",
                        p.lat, p.lng
                    )
                };
                let cursors = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
                let (ms1, _) = timed(points.len(), |i| {
                    let (url, cursors) = (query(&points[i]), cursors.clone());
                    async move {
                        let res = call("GET", &url, None, None).await;
                        assert_eq!(res.status(), 200);
                        let body: Value = res.json().await.unwrap();
                        if let Some(c) = body["next_cursor"].as_str() {
                            cursors.lock().unwrap().push(format!("{url}&cursor={c}"));
                        }
                    }
                })
                .await;
                let next_urls = cursors.lock().unwrap().clone();
                let (ms2, _) = timed(next_urls.len(), |i| {
                    let url = next_urls[i].clone();
                    async move {
                        let res = call("GET", &url, None, None).await;
                        assert_eq!(res.status(), 200);
                    }
                })
                .await;
                let mean =
                    |c: &[app::usecase::search::SearchCost],
                     f: fn(&app::usecase::search::SearchCost) -> usize| {
                        if c.is_empty() {
                            return (f64::NAN, 0);
                        }
                        let sum: usize = c.iter().map(f).sum();
                        (
                            sum as f64 / c.len() as f64,
                            c.iter().map(f).max().unwrap_or(0),
                        )
                    };
                let (r1, r1max) = mean(&first, |c| c.rows_read);
                let (p1, _) = mean(&first, |c| c.partitions);
                let (k1, _) = mean(&first, |c| c.rounds);
                let (r2, r2max) = mean(&second, |c| c.rows_read);
                let (p2, _) = mean(&second, |c| c.partitions);
                let budget = if sort == SortBy::Distance {
                    "<= 60 rows per page"
                } else {
                    "every candidate, <= 20 partitions"
                };
                writeln!(
                    out,
                    "| {region} | {sort_name} | {radius} | {r1:.0} ({r1max}) | {p1:.1} | {k1:.1} | {:.1} | {r2:.0} ({r2max}) | {p2:.1} | {:.1} | {} | {budget} |",
                    percentile(&ms1, 50.0),
                    percentile(&ms2, 50.0),
                    if sort == SortBy::Distance {
                        "-".to_string()
                    } else {
                        format!("{:.0}", candidates as f64 / points.len() as f64)
                    },
                )
                .unwrap();
            }
        }
    }
    let _ = stack;
    out
}

/// Zips `bootstrap` as Lambda wants it and returns the archive size.
fn zipped_size(binary: &std::path::Path) -> Option<u64> {
    let dst = std::env::temp_dir().join(format!("bench-{}.zip", uuid::Uuid::new_v4()));
    let script = "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:\n    z.write(sys.argv[1], 'bootstrap')";
    let ok = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(binary)
        .arg(&dst)
        .status()
        .ok()?
        .success();
    let size = ok
        .then(|| std::fs::metadata(&dst).ok().map(|m| m.len()))
        .flatten();
    let _ = std::fs::remove_file(&dst);
    size
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Per function: deployment size (arm64 when built, else native), init time against the
/// local Runtime API (median of 10 starts), and peak RSS while serving 200 invocations of
/// its sample event. Init and RSS are measured on the native release binary.
/// The AWS service SDKs in the function's own dependency tree (what `sam build`, building
/// it alone, links), without aws-config's credential clients.
fn linked_sdks(name: &str) -> String {
    let out = std::process::Command::new("cargo")
        .args([
            "tree",
            "-p",
            name,
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
            "--offline",
        ])
        .current_dir(root())
        .output();
    let Ok(out) = out else {
        return "?".into();
    };
    let mut sdks: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter_map(|p| p.strip_prefix("aws-sdk-"))
        .filter(|p| !matches!(*p, "sts" | "sso" | "ssooidc"))
        .map(str::to_owned)
        .collect();
    sdks.sort();
    sdks.dedup();
    if sdks.is_empty() {
        "none".into()
    } else {
        sdks.join(", ")
    }
}

async fn lambda_table(stack: &local_gateway::stack::StackInfo) -> String {
    use integration_tests::lambda_emulator::{Emulator, peak_rss_kib, spawn_function};
    use local_gateway::template::Template;
    let template = Template::load(&root().join("template.yaml")).unwrap();
    let mut out = String::new();
    writeln!(out, "| function | AWS SDKs linked | artifact | binary MB | zipped MB | init ms (median of 10) | peak RSS MB (200 invocations) |").unwrap();
    writeln!(out, "|---|---|---|---|---|---|---|").unwrap();
    let (mut worst_zip, mut worst_init, mut worst_rss) = (0f64, 0f64, 0f64);
    for f in &template.functions {
        let name = f.code_uri.trim_start_matches("functions/");
        // The functions built with the same profile as this bench (target/release under make bench).
        let native = std::env::current_exe()
            .unwrap()
            .parent()
            .unwrap()
            .join(name);
        // cargo lambda writes beside the profiles of the same target directory
        // (CARGO_TARGET_DIR or target/).
        let arm = native
            .parent()
            .and_then(|release| release.parent())
            .map(|target| target.join("lambda").join(name).join("bootstrap"))
            .unwrap_or_default();
        let (artifact, path) = if arm.exists() {
            ("arm64", arm)
        } else {
            ("x86_64", native.clone())
        };
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let zip = zipped_size(&path).unwrap_or(0);
        let event =
            std::fs::read_to_string(root().join("events").join(format!("{name}.json"))).unwrap();
        let mut inits = Vec::new();
        for _ in 0..10 {
            let emulator = Emulator::start().await;
            let started = Instant::now();
            let mut child = spawn_function(&native, name, &emulator, stack);
            let polled = emulator
                .wait_first_poll(std::time::Duration::from_secs(10))
                .await;
            let _ = child.kill();
            let _ = child.wait();
            if let Some(at) = polled {
                inits.push(at.duration_since(started).as_secs_f64() * 1000.0);
            }
        }
        inits.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let init = percentile(&inits, 50.0);
        let emulator = Emulator::start().await;
        let mut child = spawn_function(&native, name, &emulator, stack);
        emulator
            .wait_first_poll(std::time::Duration::from_secs(10))
            .await;
        for _ in 0..200 {
            let _ = emulator.invoke(&event).await;
        }
        let rss = peak_rss_kib(child.id())
            .map(|k| k as f64 / 1024.0)
            .unwrap_or(f64::NAN);
        let _ = child.kill();
        let _ = child.wait();
        worst_zip = worst_zip.max(mb(zip));
        worst_init = worst_init.max(init);
        worst_rss = worst_rss.max(rss);
        writeln!(
            out,
            "| {name} | {} | {artifact} | {:.2} | {:.2} | {init:.1} | {rss:.1} |",
            linked_sdks(name),
            mb(size),
            mb(zip)
        )
        .unwrap();
    }
    writeln!(
        out,
        "| **worst** | | | | {worst_zip:.2} (budget 6) | {worst_init:.1} (budget 20) | {worst_rss:.1} (budget 40) |"
    )
    .unwrap();
    out
}

/// What our telemetry costs a function: building the log subscriber (part of every init;
/// X-Ray active tracing adds no code to the function) and writing a log line or an EMF line
/// with the invocation's fields (to a sink: the cost is the formatting, not the I/O).
async fn telemetry_cost() -> String {
    use aws::telemetry::{context, emf};
    let mut builds = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        let subscriber = edge::logging::subscriber(std::io::sink);
        builds.push(started.elapsed().as_secs_f64() * 1e6);
        drop(subscriber);
    }
    let subscriber = edge::logging::subscriber(std::io::sink);
    let _guard = tracing::subscriber::set_default(subscriber);
    let invocation = context::Invocation::new("bench", None, None);
    let (log_us, emf_us) = context::run(invocation, async {
        let n = 20_000;
        let started = Instant::now();
        for i in 0..n {
            tracing::info!(booking_id = "b", i, "booking created");
        }
        let log_us = started.elapsed().as_secs_f64() * 1e6 / n as f64;
        let started = Instant::now();
        for _ in 0..n {
            emf::count("BookingCreated");
        }
        (log_us, started.elapsed().as_secs_f64() * 1e6 / n as f64)
    })
    .await;
    format!(
        "telemetry init (log subscriber with invocation fields and EMF, median of 50 builds): {:.0} us; a log line {log_us:.1} us, an EMF line {emf_us:.1} us; X-Ray active tracing adds nothing to init (no SDK or layer in the function)",
        percentile(&builds, 50.0)
    )
}
