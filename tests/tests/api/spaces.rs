//! Reading a space with its items through the gateway.

use app::ports::spaces::SpaceStore;
use aws::dynamo::DynamoStore;
use domain::money::Money;
use domain::space::*;
use integration_tests::*;
use jiff::Timestamp;
use serde_json::Value;

fn space(status: SpaceStatus) -> Space {
    let now = Timestamp::now();
    Space {
        id: uuid::Uuid::new_v4().to_string(),
        owner_id: "owner-1".into(),
        name: "Test Space".into(),
        description: "A space".into(),
        address: Address {
            line1: "1 Test Street".into(),
            line2: None,
            city: "Berlin".into(),
            postal_code: "10115".into(),
            country: "DE".into(),
        },
        location: GeoPoint {
            lat: 52.52,
            lng: 13.405,
        },
        time_zone: "Europe/Berlin".into(),
        opening_hours: OpeningHours::default(),
        closures: vec![],
        amenities: vec!["wifi".into()],
        photos: vec![],
        cancellation_policy: CancellationPolicy::default(),
        check_in: None,
        quotas: Default::default(),
        booking_horizon_days: domain::space::DEFAULT_HORIZON_DAYS,
        pricing_rules: vec![],
        status,
        cells: domain::geo::cells(&GeoPoint {
            lat: 52.52,
            lng: 13.405,
        })
        .unwrap(),
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

fn item(space_id: &str, identifier: &str) -> BookableItem {
    let now = Timestamp::now();
    BookableItem {
        id: uuid::Uuid::new_v4().to_string(),
        space_id: space_id.into(),
        kind: ItemKind::Desk,
        identifier: identifier.into(),
        capacity: 1,
        price_per_hour: Money::new(600, "eur"),
        available_from: None,
        available_to: None,
        slot_minutes: 60,
        min_booking_minutes: 60,
        max_booking_minutes: 600,
        buffer_minutes: 0,
        hourly: true,
        stay_rates: Default::default(),
        retired_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// Spaces written straight to the store (as the seed does) are audited as the system's.
fn seeded(space_id: &str) -> domain::audit::AuditEntry {
    domain::audit::AuditEntry::system(
        "test",
        "space.create",
        format!("space/{space_id}"),
        jiff::Timestamp::now(),
    )
}

#[tokio::test]
async fn space_with_items_is_public_and_unknown_or_deleted_is_404() {
    let store = DynamoStore::from_context(&aws().await);
    let s = space(SpaceStatus::Active);
    store
        .create_space(
            &s,
            &[item(&s.id, "Desk 2"), item(&s.id, "Desk 1")],
            &seeded(&s.id),
        )
        .await
        .unwrap();
    let res = http()
        .get(format!("{}/spaces/{}", env().base, s.id))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["name"], "Test Space");
    assert_eq!(body["time_zone"], "Europe/Berlin");
    assert_eq!(body["items"][0]["identifier"], "Desk 1");
    assert_eq!(
        body["items"][1]["price_per_hour"],
        serde_json::json!({"amount": 600, "currency": "EUR"})
    );

    // Creating the same space again is refused as a whole.
    assert!(store.create_space(&s, &[], &seeded(&s.id)).await.is_err());

    let res = http()
        .get(format!("{}/spaces/{}", env().base, uuid::Uuid::new_v4()))
        .send()
        .await
        .unwrap();
    expect_problem(res, 404).await;

    let deleted = space(SpaceStatus::Deleted);
    store
        .create_space(&deleted, &[], &seeded(&deleted.id))
        .await
        .unwrap();
    let res = http()
        .get(format!("{}/spaces/{}", env().base, deleted.id))
        .send()
        .await
        .unwrap();
    expect_problem(res, 404).await;
}
