//! `seed [--stack FILE] [--out FILE]` (the binary is `src/bin/seed.rs`): demo data for `make dev`: an admin, operators and a
//! member in Cognito (with their user records), and 60 spaces in six cities with items and
//! opening hours, written through the same store adapters the functions use. Writes what
//! it created (ids, demo logins) to `--out` for the how-to.

use std::path::PathBuf;

use app::ports::plans::PlanStore;
use app::ports::spaces::SpaceStore;
use app::ports::users::UserStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, MessageActionType};
use domain::audit::AuditEntry;
use domain::money::Money;
use domain::plan::{MembershipPlan, PlanBenefits, PlanStatus};
use domain::pricing::PricingRule;
use domain::role::Role;
use domain::space::{
    Address, BookableItem, CancellationPolicy, GeoPoint, ItemKind, LocalInterval, OpeningHours,
    Space, SpaceStatus,
};
use domain::stay::StayRates;
use domain::user::User;
use jiff::Timestamp;
use serde_json::json;

/// Local demo only; printed by `make dev`.
const DEMO_PASSWORD: &str = "Demo-Passw0rd!";

struct City {
    name: &'static str,
    country: &'static str,
    tz: &'static str,
    currency: &'static str,
    lat: f64,
    lng: f64,
    /// Hourly desk price in minor units.
    desk_price: i64,
    districts: [&'static str; 10],
}

const CITIES: [City; 6] = [
    City {
        name: "Berlin",
        country: "DE",
        tz: "Europe/Berlin",
        currency: "EUR",
        lat: 52.5200,
        lng: 13.4050,
        desk_price: 600,
        districts: [
            "Mitte",
            "Kreuzberg",
            "Neukölln",
            "Prenzlauer Berg",
            "Friedrichshain",
            "Charlottenburg",
            "Schöneberg",
            "Wedding",
            "Moabit",
            "Tempelhof",
        ],
    },
    City {
        name: "New York",
        country: "US",
        tz: "America/New_York",
        currency: "USD",
        lat: 40.7128,
        lng: -74.0060,
        desk_price: 1500,
        districts: [
            "SoHo",
            "Chelsea",
            "Tribeca",
            "Midtown",
            "Flatiron",
            "Williamsburg",
            "DUMBO",
            "Harlem",
            "Financial District",
            "Astoria",
        ],
    },
    City {
        name: "London",
        country: "GB",
        tz: "Europe/London",
        currency: "GBP",
        lat: 51.5074,
        lng: -0.1278,
        desk_price: 900,
        districts: [
            "Shoreditch",
            "Soho",
            "Clerkenwell",
            "Camden",
            "Southwark",
            "Hackney",
            "Islington",
            "Brixton",
            "King's Cross",
            "Canary Wharf",
        ],
    },
    City {
        name: "Paris",
        country: "FR",
        tz: "Europe/Paris",
        currency: "EUR",
        lat: 48.8566,
        lng: 2.3522,
        desk_price: 800,
        districts: [
            "Le Marais",
            "Montmartre",
            "Bastille",
            "Belleville",
            "Saint-Germain",
            "Oberkampf",
            "La Défense",
            "Batignolles",
            "Canal Saint-Martin",
            "Montparnasse",
        ],
    },
    City {
        name: "Tokyo",
        country: "JP",
        tz: "Asia/Tokyo",
        currency: "JPY",
        lat: 35.6762,
        lng: 139.6503,
        desk_price: 1200,
        districts: [
            "Shibuya",
            "Shinjuku",
            "Roppongi",
            "Ginza",
            "Akihabara",
            "Ebisu",
            "Nakameguro",
            "Ikebukuro",
            "Marunouchi",
            "Asakusa",
        ],
    },
    City {
        name: "Lisbon",
        country: "PT",
        tz: "Europe/Lisbon",
        currency: "EUR",
        lat: 38.7223,
        lng: -9.1393,
        desk_price: 400,
        districts: [
            "Alfama",
            "Baixa",
            "Chiado",
            "Bairro Alto",
            "Príncipe Real",
            "Alcântara",
            "Belém",
            "Marvila",
            "Graça",
            "Campo de Ourique",
        ],
    },
];

const BRANDS: [&str; 4] = ["Hive", "Foundry", "Commons", "Loft"];
const AMENITIES: [&str; 8] = [
    "wifi",
    "coffee",
    "printer",
    "phone_booths",
    "kitchen",
    "showers",
    "bike_parking",
    "wheelchair_access",
];

/// Deterministic pseudo-random numbers, so every `make dev` shows the same city layout.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn hours(open: &str, close: &str) -> Vec<LocalInterval> {
    vec![LocalInterval {
        open: open.into(),
        close: close.into(),
    }]
}

async fn demo_user(
    ctx: &AppContext,
    store: &DynamoStore,
    email: &str,
    name: &str,
    roles: &[Role],
) -> String {
    let c = ctx.cognito();
    let pool = &ctx.config().user_pool_id;
    let attr = |n: &str, v: &str| AttributeType::builder().name(n).value(v).build().unwrap();
    let created = c
        .admin_create_user()
        .user_pool_id(pool)
        .username(email)
        .message_action(MessageActionType::Suppress)
        .user_attributes(attr("email", email))
        .user_attributes(attr("email_verified", "true"))
        .user_attributes(attr("name", name))
        .send()
        .await
        .expect("create demo user");
    let sub = created
        .user
        .and_then(|u| u.attributes)
        .unwrap_or_default()
        .into_iter()
        .find(|a| a.name == "sub")
        .and_then(|a| a.value)
        .expect("sub");
    c.admin_set_user_password()
        .user_pool_id(pool)
        .username(email)
        .password(DEMO_PASSWORD)
        .permanent(true)
        .send()
        .await
        .expect("set demo password");
    for role in roles {
        c.admin_add_user_to_group()
            .user_pool_id(pool)
            .username(email)
            .group_name(role.as_str())
            .send()
            .await
            .expect("add demo user to group");
    }
    let now = Timestamp::now();
    store
        .create_user(
            &User {
                id: sub.clone(),
                email: email.into(),
                name: name.into(),
                membership_id: None,
                cognito_sub: sub.clone(),
                phone: None,
                phone_verified: false,
                notifications: Default::default(),
                billing: None,
                created_at: now,
                updated_at: now,
            },
            // Demo accounts are established ones: no new-account hold limit.
            now,
        )
        .await
        .expect("user record");
    sub
}

fn item(
    space_id: &str,
    kind: ItemKind,
    identifier: String,
    capacity: u32,
    price: i64,
    currency: &str,
) -> BookableItem {
    let now = Timestamp::now();
    // Each obeys the item rules the API enforces (the seed test validates them).
    let (slot, min, max, buffer) = match kind {
        ItemKind::Desk => (60, 60, 12 * 60, 0),
        ItemKind::Room => (15, 30, 8 * 60, 15),
        ItemKind::Office => (60, 4 * 60, 12 * 60, 60),
    };
    // Desks sell day passes (six hours' price); offices also go by the week and month.
    let stay_rates = match kind {
        ItemKind::Desk => StayRates {
            day: Some(price * 6),
            ..Default::default()
        },
        ItemKind::Room => StayRates::default(),
        ItemKind::Office => StayRates {
            day: Some(price * 8),
            week: Some(price * 35),
            month: Some(price * 120),
            // Offices can be rented open-ended, billed monthly by subscription.
            open_ended: true,
        },
    };
    BookableItem {
        id: uuid::Uuid::new_v4().to_string(),
        space_id: space_id.into(),
        kind,
        identifier,
        capacity,
        price_per_hour: Money::new(price, currency),
        available_from: None,
        available_to: None,
        slot_minutes: slot,
        min_booking_minutes: min,
        max_booking_minutes: max,
        buffer_minutes: buffer,
        hourly: true,
        stay_rates,
        retired_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// `n` spaces of a bench: Berlin's layout over a wider area (about 60 km across), so
/// searches of every radius find some.
pub fn bench_space(rng: &mut u64, n: usize) -> (Space, Vec<BookableItem>) {
    let mut lcg = Lcg(*rng);
    let city = &CITIES[0];
    let (centre, inner_km, outer_km) = bench_region(n);
    // Uniform over the ring's area, in a random direction.
    let r = (inner_km.powi(2) + lcg.next() * (outer_km.powi(2) - inner_km.powi(2))).sqrt();
    let angle = lcg.next() * std::f64::consts::TAU;
    let lat = centre.lat + r * angle.cos() / 111.2;
    let lng = centre.lng + r * angle.sin() / (111.2 * centre.lat.to_radians().cos());
    let made = space_at(
        city,
        city.districts[n % 10],
        n,
        "bench-operator",
        &mut lcg,
        lat,
        lng,
    );
    *rng = lcg.0;
    made
}

/// Where the bench's `n`th space lies: the `(centre, inner km, outer km)` of its ring.
/// Sixty per cent in a dense city (within 10 km of Berlin's centre, ~19 per km²), 35 % in
/// its suburbs (10 to 40 km, ~0.7 per km²) and 5 % in a sparse region 150 km north (within
/// 60 km of a point in Mecklenburg, ~0.04 per km²).
pub fn bench_region(n: usize) -> (GeoPoint, f64, f64) {
    let berlin = GeoPoint {
        lat: CITIES[0].lat,
        lng: CITIES[0].lng,
    };
    match n % 20 {
        0..12 => (berlin, 0.0, 10.0),
        12..19 => (berlin, 10.0, 40.0),
        _ => (BENCH_SPARSE_CENTRE, 0.0, 60.0),
    }
}

/// The sparse region's centre (see [`bench_region`]).
pub const BENCH_SPARSE_CENTRE: GeoPoint = GeoPoint {
    lat: 53.85,
    lng: 12.6,
};

/// A uniform number in [0, 1) from a seed state (benches draw query points with it).
pub fn unit(rng: &mut u64) -> f64 {
    let mut lcg = Lcg(*rng);
    let x = lcg.next();
    *rng = lcg.0;
    x
}

fn space(
    city: &City,
    district: &str,
    n: usize,
    owner: &str,
    rng: &mut Lcg,
) -> (Space, Vec<BookableItem>) {
    // Within ~8 km of the centre: 0.07 degrees of latitude, longitude scaled by latitude.
    space_within(city, district, n, owner, rng, 0.14)
}

fn space_within(
    city: &City,
    district: &str,
    n: usize,
    owner: &str,
    rng: &mut Lcg,
    spread_deg: f64,
) -> (Space, Vec<BookableItem>) {
    let lat = city.lat + (rng.next() - 0.5) * spread_deg;
    let lng = city.lng + (rng.next() - 0.5) * spread_deg / city.lat.to_radians().cos();
    space_at(city, district, n, owner, rng, lat, lng)
}

fn space_at(
    city: &City,
    district: &str,
    n: usize,
    owner: &str,
    rng: &mut Lcg,
    lat: f64,
    lng: f64,
) -> (Space, Vec<BookableItem>) {
    let id = uuid::Uuid::new_v4().to_string();
    let amenities: Vec<String> = AMENITIES
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < 2 || rng.next() < 0.5)
        .map(|(_, a)| a.to_string())
        .collect();
    let weekday = hours("08:00", "20:00");
    let all_day = n.is_multiple_of(5);
    let opening_hours = if all_day {
        let day = hours("00:00", "24:00");
        OpeningHours {
            monday: day.clone(),
            tuesday: day.clone(),
            wednesday: day.clone(),
            thursday: day.clone(),
            friday: day.clone(),
            saturday: day.clone(),
            sunday: day,
        }
    } else {
        OpeningHours {
            monday: weekday.clone(),
            tuesday: weekday.clone(),
            wednesday: weekday.clone(),
            thursday: weekday.clone(),
            friday: weekday,
            saturday: hours("10:00", "16:00"),
            sunday: vec![],
        }
    };
    let now = Timestamp::now();
    let location = GeoPoint {
        lat: (lat * 1e6).round() / 1e6,
        lng: (lng * 1e6).round() / 1e6,
    };
    let brand = BRANDS[n % BRANDS.len()];
    let s = Space {
        id: id.clone(),
        owner_id: owner.into(),
        name: format!("{brand} {district}"),
        description: format!(
            "{brand} coworking in {district}, {}: desks, meeting rooms and a private office.",
            city.name
        ),
        address: Address {
            line1: format!("{} {district} Street", 1 + n * 7),
            line2: None,
            city: city.name.into(),
            postal_code: format!("{:05}", 10000 + n * 37),
            country: city.country.into(),
        },
        location: GeoPoint {
            lat: (lat * 1e6).round() / 1e6,
            lng: (lng * 1e6).round() / 1e6,
        },
        time_zone: city.tz.into(),
        opening_hours,
        closures: vec![],
        amenities,
        photos: vec![format!("https://images.example.com/spaces/{id}/1.jpg")],
        cancellation_policy: CancellationPolicy::default(),
        check_in: None,
        quotas: Default::default(),
        booking_horizon_days: domain::space::DEFAULT_HORIZON_DAYS,
        // Half the spaces charge a morning peak on weekdays and less in the evening.
        pricing_rules: if n.is_multiple_of(2) {
            vec![
                PricingRule {
                    label: "weekday morning peak".into(),
                    days: ["monday", "tuesday", "wednesday", "thursday", "friday"]
                        .map(String::from)
                        .to_vec(),
                    start: "09:00".into(),
                    end: "12:00".into(),
                    multiplier_percent: 125,
                },
                PricingRule {
                    label: "evening".into(),
                    days: vec![],
                    start: "18:00".into(),
                    end: "24:00".into(),
                    multiplier_percent: 80,
                },
            ]
        } else {
            vec![]
        },
        status: SpaceStatus::Active,
        cells: domain::geo::cells(&location).expect("valid point"),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut items: Vec<BookableItem> = (1..=6)
        .map(|d| {
            item(
                &id,
                ItemKind::Desk,
                format!("Desk {d}"),
                1,
                city.desk_price,
                city.currency,
            )
        })
        .collect();
    items.push(item(
        &id,
        ItemKind::Room,
        "Room Lovelace".into(),
        6,
        city.desk_price * 5,
        city.currency,
    ));
    items.push(item(
        &id,
        ItemKind::Room,
        "Room Hopper".into(),
        12,
        city.desk_price * 8,
        city.currency,
    ));
    items.push(item(
        &id,
        ItemKind::Office,
        "Office 1".into(),
        4,
        city.desk_price * 6,
        city.currency,
    ));
    (s, items)
}

/// The demo spaces (city name, space, items), owned in turn by `owners`.
pub fn demo_catalog(owners: &[String]) -> Vec<(&'static str, Space, Vec<BookableItem>)> {
    let mut rng = Lcg(42);
    let mut out = Vec::new();
    for (c, city) in CITIES.iter().enumerate() {
        for (n, district) in city.districts.iter().enumerate() {
            let owner = &owners[(c + n) % owners.len()];
            let (s, items) = space(city, district, n, owner, &mut rng);
            out.push((city.name, s, items));
        }
    }
    out
}

/// Membership plans a newcomer can subscribe to at once.
pub fn demo_plans(now: Timestamp) -> Vec<MembershipPlan> {
    let plan =
        |name: &str, description: &str, amount: i64, discount: u8, hours: u32| MembershipPlan {
            id: uuid::Uuid::new_v4().to_string(),
            name: name.into(),
            description: description.into(),
            monthly_price: Money::new(amount, "EUR"),
            benefits: PlanBenefits {
                discount_percent: discount,
                included_hours_per_month: hours,
                space_ids: vec![],
                quotas: Default::default(),
            },
            status: PlanStatus::Active,
            version: 1,
            created_at: now,
            updated_at: now,
        };
    vec![
        plan(
            "Flex",
            "Four hours a month included, 10 % off the rest.",
            4900,
            10,
            4,
        ),
        plan(
            "Resident",
            "Forty hours a month included, 20 % off the rest.",
            29900,
            20,
            40,
        ),
    ]
}

/// The seed command (`src/bin/seed.rs` calls it).
pub async fn run() {
    let mut stack = PathBuf::from(".local/stack/stack.json");
    let mut out = PathBuf::from(".local/seed.json");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--stack" => stack = args.next().expect("--stack FILE").into(),
            "--out" => out = args.next().expect("--out FILE").into(),
            other => panic!("unknown argument {other}"),
        }
    }
    let info = crate::stack::StackInfo::load(&stack).expect("read stack.json");
    let ctx = AppContext::new(info.config().expect("config")).await;
    let store = DynamoStore::from_context(&ctx);

    let admin = demo_user(
        &ctx,
        &store,
        "admin@demo.test",
        "Demo Admin",
        &[Role::Admin, Role::Member],
    )
    .await;
    let member = demo_user(
        &ctx,
        &store,
        "member@demo.test",
        "Demo Member",
        &[Role::Member],
    )
    .await;
    let mut operators = Vec::new();
    for (i, city) in CITIES.iter().enumerate().take(4) {
        let email = format!("operator{}@demo.test", i + 1);
        let name = format!("{} Operator", city.name);
        operators.push((
            email.clone(),
            demo_user(&ctx, &store, &email, &name, &[Role::Operator, Role::Member]).await,
        ));
    }

    let owners: Vec<String> = operators.iter().map(|(_, id)| id.clone()).collect();
    let mut tasks = tokio::task::JoinSet::new();
    let mut spaces = Vec::new();
    for (city, s, items) in demo_catalog(&owners) {
        spaces.push(json!({
            "id": s.id, "name": s.name, "city": city, "time_zone": s.time_zone,
            "item_ids": items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        }));
        let store = store.clone();
        tasks.spawn(async move {
            let audit = AuditEntry::system(
                "seed",
                "space.create",
                format!("space/{}", s.id),
                s.created_at,
            );
            store
                .create_space(&s, &items, &audit)
                .await
                .map(|_| items.len())
        });
    }
    let mut plans = Vec::new();
    for plan in demo_plans(Timestamp::now()) {
        let audit = AuditEntry::system(
            "seed",
            "plan.create",
            format!("plan/{}", plan.id),
            plan.created_at,
        );
        store.create_plan(&plan, &audit).await.expect("create plan");
        plans.push(json!({"id": plan.id, "name": plan.name}));
    }
    let mut item_count = 0;
    while let Some(done) = tasks.join_next().await {
        item_count += done.expect("task").expect("create space");
    }
    let summary = json!({
        "password": DEMO_PASSWORD,
        "admin": {"email": "admin@demo.test", "id": admin},
        "member": {"email": "member@demo.test", "id": member},
        "operators": operators.iter().map(|(e, id)| json!({"email": e, "id": id})).collect::<Vec<_>>(),
        "spaces": spaces,
        "plans": plans,
    });
    std::fs::write(&out, serde_json::to_string_pretty(&summary).unwrap())
        .expect("write seed summary");
    eprintln!(
        "seeded {} spaces with {item_count} items in {} cities, {} membership plans, {} operators, 1 admin, 1 member",
        summary["spaces"].as_array().unwrap().len(),
        CITIES.len(),
        summary["plans"].as_array().unwrap().len(),
        operators.len()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_data_obeys_every_rule_the_api_enforces() {
        let owners = vec!["o1".to_string(), "o2".to_string()];
        let catalog = demo_catalog(&owners);
        assert_eq!(catalog.len(), 60);
        for (_, space, items) in &catalog {
            domain::space_rules::validate_space(space).unwrap();
            for item in items {
                domain::space_rules::validate_item(item)
                    .unwrap_or_else(|e| panic!("{}: {e}", item.identifier));
            }
        }
        let plans = demo_plans(Timestamp::now());
        assert!(plans.len() >= 2);
        for plan in &plans {
            domain::plan::validate_plan(plan).unwrap();
        }
    }
}
