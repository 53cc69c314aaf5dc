//! Search through the gateway against the stand-ins: radius and city queries on the H3
//! read model equal a brute-force filter of the spaces this test created, filters and
//! paging work, and every space or item change shows in search.

use domain::geo::distance_km;
use domain::role::Role;
use domain::space::GeoPoint;
use integration_tests::fixtures::*;
use integration_tests::*;
use serde_json::{Value, json};

/// A place no other test uses (random, in the Southern Ocean's islands' latitudes), so
/// only this test's spaces are there.
fn unique_origin() -> GeoPoint {
    let n = uuid::Uuid::new_v4().as_u128();
    GeoPoint {
        lat: -40.0 - (n % 1000) as f64 / 100.0,
        lng: -150.0 + ((n >> 16) % 3000) as f64 / 100.0,
    }
}

fn space_at(name: &str, city: &str, p: &GeoPoint, amenities: &[&str]) -> Value {
    let day = json!([{"open": "00:00", "close": "24:00"}]);
    json!({
        "name": name,
        "address": {"line1": "1 Search Street", "city": city, "postal_code": "1", "country": "NZ"},
        "location": {"lat": p.lat, "lng": p.lng},
        "time_zone": "Etc/UTC",
        "opening_hours": {"monday": day, "tuesday": day, "wednesday": day, "thursday": day,
                          "friday": day, "saturday": day, "sunday": day},
        "amenities": amenities,
    })
}

fn item(kind: &str, identifier: &str, capacity: u32, price: i64) -> Value {
    json!({"kind": kind, "identifier": identifier, "capacity": capacity,
           "price_per_hour": {"amount": price, "currency": "EUR"},
           "slot_minutes": 30, "min_booking_minutes": 30, "max_booking_minutes": 480})
}

async fn create(token: &str, body: &Value, items: &[Value]) -> (String, Vec<String>) {
    let res = call("POST", "/spaces", Some(token), Some(body)).await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut ids = Vec::new();
    for i in items {
        let res = call("POST", &format!("/spaces/{id}/items"), Some(token), Some(i)).await;
        assert_eq!(res.status(), 201);
        ids.push(
            res.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    (id, ids)
}

fn offset(p: &GeoPoint, north_km: f64, east_km: f64) -> GeoPoint {
    GeoPoint {
        lat: p.lat + north_km / 111.2,
        lng: p.lng + east_km / (111.2 * p.lat.to_radians().cos()),
    }
}

async fn search(query: &str) -> Value {
    let res = call("GET", &format!("/spaces?{query}"), None, None).await;
    assert_eq!(res.status(), 200, "{query}");
    res.json().await.unwrap()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["space_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn radius_search_equals_brute_force_and_follows_every_change() {
    let op = user_with_roles(&[Role::Operator]).await;
    let o = unique_origin();
    let city = format!("Searchton {}", uuid::Uuid::new_v4().simple());
    // Spaces 0.4 to 70 km away in all directions, with different items and amenities.
    let spots = [
        (0.3, 0.2),
        (-1.5, 2.0),
        (4.0, -3.0),
        (-9.0, -6.0),
        (20.0, 25.0),
        (-44.0, 10.0),
        (60.0, -40.0),
    ];
    let mut spaces = Vec::new();
    for (i, (n, e)) in spots.iter().enumerate() {
        let p = offset(&o, *n, *e);
        let amenities: &[&str] = if i % 2 == 0 {
            &["wifi", "coffee"]
        } else {
            &["wifi"]
        };
        let items = [
            item("desk", "Desk 1", 1, 500 + 100 * i as i64),
            item(
                if i % 3 == 0 { "room" } else { "office" },
                "Big",
                4 + i as u32,
                3000,
            ),
        ];
        let (id, item_ids) = create(
            &op.access_token,
            &space_at(&format!("S{i}"), &city, &p, amenities),
            &items,
        )
        .await;
        spaces.push((id, p, item_ids));
    }
    let q = format!("lat={}&lng={}", o.lat, o.lng);
    for radius in [0.5, 3.0, 10.0, 30.0, 50.0] {
        let page = search(&format!("{q}&radius_km={radius}&limit=50")).await;
        let mut expected: Vec<(f64, String)> = spaces
            .iter()
            .map(|(id, p, _)| (distance_km(&o, p), id.clone()))
            .filter(|(d, _)| *d <= radius)
            .collect();
        expected.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let expected: Vec<String> = expected.into_iter().map(|(_, id)| id).collect();
        assert_eq!(ids(&page), expected, "radius {radius}");
    }
    // Filters: type, capacity, price, amenities, text, rating; each hit lists its matching items.
    let page = search(&format!("{q}&radius_km=50&type=room&limit=50")).await;
    assert!(page["items"].as_array().unwrap().iter().all(|h| {
        h["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["kind"] == "room")
    }));
    assert_eq!(ids(&page), vec![spaces[0].0.clone(), spaces[3].0.clone()]);
    let page = search(&format!("{q}&radius_km=50&min_capacity=7&limit=50")).await;
    assert_eq!(
        ids(&page),
        vec![
            spaces[3].0.clone(),
            spaces[4].0.clone(),
            spaces[5].0.clone()
        ]
    );
    let page = search(&format!(
        "{q}&radius_km=50&type=desk&max_price=700&sort=price"
    ))
    .await;
    assert_eq!(
        ids(&page),
        vec![
            spaces[0].0.clone(),
            spaces[1].0.clone(),
            spaces[2].0.clone()
        ]
    );
    let page = search(&format!("{q}&radius_km=50&amenities=coffee,wifi")).await;
    assert_eq!(
        ids(&page),
        vec![
            spaces[0].0.clone(),
            spaces[2].0.clone(),
            spaces[4].0.clone()
        ]
    );
    let page = search(&format!("{q}&radius_km=50&q=s3")).await;
    assert_eq!(ids(&page), vec![spaces[3].0.clone()]);
    assert_eq!(
        ids(&search(&format!("{q}&radius_km=50&min_rating=1")).await),
        Vec::<String>::new()
    );
    let hit = &search(&format!("{q}&radius_km=1")).await["items"][0];
    assert!(hit["distance_km"].as_f64().unwrap() < 1.0);
    assert_eq!(hit["rating"]["count"], 0);

    // Paging: two at a time, in order, with a cursor bound to the query: nearest first
    // (the walk resumes after the last hit) and by price (by position).
    for sort in ["distance", "price"] {
        let all = ids(&search(&format!("{q}&radius_km=50&limit=50&sort={sort}")).await);
        assert_eq!(all.len(), 6, "{sort}");
        let mut paged = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let extra = cursor
                .as_ref()
                .map(|c| format!("&cursor={c}"))
                .unwrap_or_default();
            let page = search(&format!("{q}&radius_km=50&limit=2&sort={sort}{extra}")).await;
            paged.extend(ids(&page));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        assert_eq!(paged, all, "{sort}");
    }

    // City search.
    let page = search(&format!("city={}&limit=50", city.replace(' ', "%20"))).await;
    assert_eq!(ids(&page).len(), spaces.len());

    // Changes show at once: move a space, edit and delete items, delete a space.
    let (id0, _, items0) = &spaces[0];
    let far = offset(&o, 35.0, 0.0);
    let res = call(
        "PATCH",
        &format!("/spaces/{id0}"),
        Some(&op.access_token),
        Some(&json!({"location": {"lat": far.lat, "lng": far.lng}})),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(!ids(&search(&format!("{q}&radius_km=10&limit=50")).await).contains(id0));
    assert!(ids(&search(&format!("{q}&radius_km=40&limit=50")).await).contains(id0));
    let res = call(
        "PATCH",
        &format!("/spaces/{id0}/items/{}", items0[1]),
        Some(&op.access_token),
        Some(&json!({"capacity": 40})),
    )
    .await;
    assert_eq!(res.status(), 200);
    let page = search(&format!("{q}&radius_km=50&min_capacity=40")).await;
    assert_eq!(ids(&page), vec![id0.clone()]);
    let res = call(
        "DELETE",
        &format!("/spaces/{id0}/items/{}", items0[1]),
        Some(&op.access_token),
        None,
    )
    .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        ids(&search(&format!("{q}&radius_km=50&min_capacity=40")).await),
        Vec::<String>::new()
    );
    let res = call(
        "DELETE",
        &format!("/spaces/{id0}"),
        Some(&op.access_token),
        None,
    )
    .await;
    assert_eq!(res.status(), 204);
    assert!(!ids(&search(&format!("{q}&radius_km=50&limit=50")).await).contains(id0));
}

#[tokio::test]
async fn free_window_filter_and_bad_queries() {
    let op = user_with_roles(&[Role::Operator]).await;
    let member = user_with_roles(&[]).await;
    let o = unique_origin();
    let (a, a_items) = create(
        &op.access_token,
        &space_at("Free A", "X", &o, &[]),
        &[item("desk", "D", 1, 500)],
    )
    .await;
    let (b, _) = create(
        &op.access_token,
        &space_at("Free B", "X", &offset(&o, 1.0, 0.0), &[]),
        &[item("desk", "D", 1, 500)],
    )
    .await;
    let date = day(60);
    let (from, to) = (at(&date, "10:00"), at(&date, "12:00"));
    assert_eq!(
        book(
            &member.access_token,
            &a_items[0],
            &at(&date, "11:00"),
            &at(&date, "11:30")
        )
        .await
        .status(),
        201
    );
    let q = format!("lat={}&lng={}&radius_km=5", o.lat, o.lng);
    assert_eq!(ids(&search(&q).await), vec![a.clone(), b.clone()]);
    let page = search(&format!("{q}&available_from={from}&available_to={to}")).await;
    assert_eq!(ids(&page), vec![b.clone()]);
    let page = search(&format!(
        "{q}&available_from={}&available_to={}",
        at(&date, "12:00"),
        at(&date, "13:00")
    ))
    .await;
    assert_eq!(ids(&page), vec![a, b]);

    for (query, field, rule) in [
        ("", "lat", "required"),
        ("lat=1", "lng", "required"),
        ("lat=1&lng=2&radius_km=51", "radius_km", "range"),
        ("lat=1&lng=2&type=sofa", "type", "enum"),
        ("lat=1&lng=2&amenities=jacuzzi", "amenities[0]", "enum"),
        ("lat=1&lng=2&cursor=abc", "cursor", "format"),
        ("lat=1&lng=2&min_price=5&max_price=4", "max_price", "order"),
    ] {
        let p = expect_problem(
            call("GET", &format!("/spaces?{query}"), None, None).await,
            400,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], field, "{query}: {p}");
        assert_eq!(p["errors"][0]["rule"], rule, "{query}: {p}");
    }
}

/// Similar spaces: the same kind of place nearby first; never the space itself, a space
/// closed today or a deleted one; unknown spaces 404, bad limits 400.
#[tokio::test]
async fn similar_spaces_rank_alike_places_and_leave_out_itself_closed_and_deleted() {
    let op = user_with_roles(&[Role::Operator]).await;
    let o = unique_origin();
    let city = format!("Similarton {}", uuid::Uuid::new_v4().simple());
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    let desk = |price| [item("desk", "Desk 1", 1, price)];
    let (base, _) = create(
        &op.access_token,
        &space_at("Base", &city, &o, &["wifi", "coffee"]),
        &desk(600),
    )
    .await;
    let (twin, _) = create(
        &op.access_token,
        &space_at("Twin", &city, &offset(&o, 1.0, 0.0), &["wifi", "coffee"]),
        &desk(650),
    )
    .await;
    let (bare, _) = create(
        &op.access_token,
        &space_at("Bare", &city, &offset(&o, 0.5, 0.0), &[]),
        &desk(150),
    )
    .await;
    let mut closed_body = space_at("Closed", &city, &offset(&o, 0.2, 0.0), &["wifi", "coffee"]);
    closed_body["closures"] = json!([{"date": today, "reason": "inventory"}]);
    let (closed, _) = create(&op.access_token, &closed_body, &desk(600)).await;
    let (deleted, _) = create(
        &op.access_token,
        &space_at("Deleted", &city, &offset(&o, 0.3, 0.0), &["wifi", "coffee"]),
        &desk(600),
    )
    .await;
    let res = call(
        "DELETE",
        &format!("/spaces/{deleted}"),
        Some(&op.access_token),
        None,
    )
    .await;
    assert_eq!(res.status(), 204);

    let res = call("GET", &format!("/spaces/{base}/similar"), None, None).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(ids(&body), vec![twin.clone(), bare.clone()], "{body}");
    let scores: Vec<f64> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["score"].as_f64().unwrap())
        .collect();
    assert!(scores[0] > scores[1] && scores.iter().all(|s| (0.0..=1.0).contains(s)));
    // The closed space is itself open to recommendations tomorrow, not today.
    let body: Value = call(
        "GET",
        &format!("/spaces/{closed}/similar?limit=1"),
        None,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(ids(&body).len(), 1);
    assert_ne!(ids(&body)[0], closed);

    let res = call("GET", "/spaces/no-such-space/similar", None, None).await;
    assert_eq!(res.status(), 404);
    for bad in ["0", "21", "x"] {
        let res = call(
            "GET",
            &format!("/spaces/{base}/similar?limit={bad}"),
            None,
            None,
        )
        .await;
        assert_eq!(res.status(), 400, "limit={bad}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "limit", "{problem}");
    }
}

/// Full-text search: stemmed words in the name, description, amenities and item identifiers,
/// the exact name first, combinable with the radius and the filters.
#[tokio::test]
async fn words_find_stemmed_matches_and_rank_the_exact_name_first() {
    let op = user_with_roles(&[Role::Operator]).await;
    let o = unique_origin();
    let city = format!("Wordton {}", uuid::Uuid::new_v4().simple());
    let with_description = |name: &str, p: &GeoPoint, description: &str| {
        let mut body = space_at(name, &city, p, &["wifi"]);
        body["description"] = json!(description);
        body
    };
    let board = || item("room", "Board Room", 8, 4000);
    let spaces = [
        (
            "Quiet Meeting Rooms",
            "Rooms for meetings of four to twelve.",
            0.4,
            board(),
        ),
        (
            "Meeting Point",
            "A meeting room and hot desks.",
            3.0,
            board(),
        ),
        (
            "Desk Club",
            "Hot desks; meetings on request.",
            0.2,
            item("desk", "Hot Desk 1", 1, 500),
        ),
        ("Garden Loft", "Plants, light and a printer.", 0.1, board()),
    ];
    let mut made = Vec::new();
    for (name, description, km, only_item) in spaces {
        let (id, _) = create(
            &op.access_token,
            &with_description(name, &offset(&o, km, 0.0), description),
            &[only_item],
        )
        .await;
        made.push(id);
    }
    let at = format!("lat={}&lng={}", o.lat, o.lng);
    let q = format!("{at}&radius_km=10");
    // The exact name first, though two other spaces are nearer.
    let page = search(&format!("{q}&q=Meeting%20Point")).await;
    assert_eq!(ids(&page)[0], made[1], "{page}");
    // "meetings" and "rooms" find "meeting" and "room" (and the reverse).
    let found = ids(&search(&format!("{q}&q=meetings%20rooms")).await);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.contains(&made[0]) && found.contains(&made[1]));
    // Item identifiers and descriptions are searched; words combine with the filters.
    assert_eq!(
        ids(&search(&format!("{q}&q=printers")).await),
        vec![made[3].clone()]
    );
    assert_eq!(
        ids(&search(&format!("{q}&q=board&sort=distance")).await),
        vec![made[3].clone(), made[0].clone(), made[1].clone()]
    );
    assert_eq!(
        ids(&search(&format!("{at}&q=desks&radius_km=1")).await),
        vec![made[2].clone()]
    );
    for (query, field, rule) in [
        ("sort=relevance", "sort", "requires"),
        ("q=%20%2C%3B", "q", "words"),
    ] {
        let res = call("GET", &format!("/spaces?{q}&{query}"), None, None).await;
        assert_eq!(res.status(), 400, "{query}");
        let p: Value = res.json().await.unwrap();
        assert_eq!(
            (
                p["errors"][0]["field"].as_str(),
                p["errors"][0]["rule"].as_str()
            ),
            (Some(field), Some(rule)),
            "{p}"
        );
    }
}
