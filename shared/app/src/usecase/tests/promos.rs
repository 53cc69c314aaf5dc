//! Promo codes through the use cases, generated: members book with one code (limited in
//! all and per member), pay, are declined and pay late, let holds run out (and pay after),
//! cancel unpaid bookings. After every step, read from the whole state:
//! - the code's count is the number of bookings that hold their time with it (a booking
//!   that ended with everything given back gave its redemption back);
//! - each member's count is theirs alone, and the counts never pass the limits;
//! - a booking priced with the code paid exactly its discounted total.

use std::collections::HashMap;

use jiff::SignedDuration;

use super::model::Rng;
use super::*;
use crate::ports::payments::PaymentIntentObject;
use crate::ports::promos::PromoStore;
use domain::promo::{Discount, PromoCode, PromoScope};

const USERS: [&str; 4] = ["u1", "u2", "u3", "u4"];

fn code(max: u32, per_member: u32, now: Timestamp) -> PromoCode {
    PromoCode {
        code: "SAVE".into(),
        scope: PromoScope::Spaces {
            space_ids: vec!["s1".into()],
        },
        discount: Discount::Percent { percent: 25 },
        valid_from: now - SignedDuration::from_hours(1),
        valid_until: now + SignedDuration::from_hours(24 * 90),
        item_kinds: Vec::new(),
        max_redemptions: Some(max),
        per_member_limit: Some(per_member),
        redeemed: 0,
        disabled: false,
        created_by: "op".into(),
        created_at: now,
        version: 1,
    }
}

fn check(s: &Setup, max: u32, per_member: u32, step: usize) {
    let now = s.now();
    let w = s.store.world.lock().unwrap();
    let holding: Vec<&Booking> = w
        .bookings
        .values()
        .filter(|b| b.promo.is_some() && b.holds_slots(now))
        .collect();
    let live: Vec<&Booking> = w
        .bookings
        .values()
        .filter(|b| b.promo.is_some() && b.status.is_live())
        .collect();
    let redeemed = w.promos.codes["SAVE"].redeemed;
    assert_eq!(
        redeemed as usize,
        live.len(),
        "step {step}: the code's count"
    );
    assert!(redeemed <= max, "step {step}: past the total limit");
    assert!(holding.len() <= live.len());
    for user in USERS {
        let used = w
            .promos
            .used
            .get(&(user.to_string(), "SAVE".to_string()))
            .copied()
            .unwrap_or(0);
        let theirs = live.iter().filter(|b| b.user_id == user).count() as i64;
        assert_eq!(used, theirs, "step {step}: {user}'s count");
        assert!(
            used <= i64::from(per_member),
            "step {step}: past {user}'s limit"
        );
    }
    for b in w.bookings.values().filter(|b| b.promo.is_some()) {
        assert_eq!(b.price.promo_code.as_deref(), Some("SAVE"));
        assert_eq!(
            b.price.total + b.price.promo_amount,
            b.price.subtotal - b.price.included_amount - b.price.discount_amount,
            "step {step}: the discount is what came off"
        );
        if let Some(p) = w.payments.get(&b.id) {
            assert_eq!(
                p.amount, b.price.total,
                "step {step}: paid the discounted total"
            );
        }
    }
}

#[tokio::test]
async fn generated_redemptions_never_pass_a_limit_and_go_back_when_everything_does() {
    let mut refused = 0;
    let mut late_refunded = 0;
    for seed in 1..=10u64 {
        let mut rng = Rng(0xA5A5_5A5A_1234_5678 ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let s = Setup::new("2027-05-03T08:00:00Z");
        s.store
            .put_space(space("s1", "Europe/Berlin"), vec![item("i1", "s1", 60, 0)]);
        let (max, per_member) = (1 + rng.below(5) as u32, 1 + rng.below(2) as u32);
        let now = s.now();
        let created = s
            .store
            .create_promo(
                &code(max, per_member, now),
                &domain::audit::AuditEntry::system("t", "promo.create", "promo/SAVE".into(), now),
            )
            .await
            .unwrap();
        assert!(created);
        let mut ids: Vec<String> = Vec::new();
        for step in 0..120 {
            match rng.below(10) {
                // Book an hour some days ahead, with the code.
                0..=3 => {
                    let user = USERS[rng.below(4) as usize];
                    let start =
                        s.now() + SignedDuration::from_hours(48 + rng.below(24 * 20) as i64);
                    let start =
                        jiff::Timestamp::from_second(start.as_second() / 3600 * 3600).unwrap();
                    let key = uuid::Uuid::new_v4().to_string();
                    let made = s
                        .desk
                        .create(
                            &CreateBookingCommand {
                                user_id: user,
                                idempotency_key: &key,
                                item_id: "i1",
                                period: (start, start + SignedDuration::from_hours(1)).into(),
                                promo_code: Some("save"),
                            },
                            s.now(),
                        )
                        .await;
                    match made {
                        Ok((b, _)) => ids.push(b.id),
                        Err(AppError::Conflict { .. }) => refused += 1,
                        Err(e) => panic!("step {step}: {e}"),
                    }
                }
                4..=5 => {
                    if let Some(id) = ids.get(rng.below(ids.len().max(1) as u64) as usize) {
                        let was = s.stored(id).await.0.status;
                        let outcome = s.pay(id).await;
                        if was != domain::booking::BookingStatus::Pending
                            && outcome == Outcome::Refunded
                        {
                            late_refunded += 1;
                        }
                    }
                }
                // The card is declined (the intent stays payable).
                6 => {
                    if let Some(id) = ids.get(rng.below(ids.len().max(1) as u64) as usize)
                        && let (_, Some(p)) = s.stored(id).await
                    {
                        let pi = PaymentIntentObject {
                            id: p.stripe_payment_intent_id,
                            amount: p.amount,
                            currency: p.currency,
                            metadata: HashMap::from([("booking_id".to_string(), id.clone())]),
                        };
                        crate::usecase::payments::payment_failed(
                            &s.store,
                            &s.stripe,
                            &format!("evt_f{seed}_{step}"),
                            &pi,
                            s.now(),
                        )
                        .await
                        .unwrap();
                    }
                }
                // Holds run out.
                7 => {
                    s.advance(SignedDuration::from_mins(20));
                    s.scheduler().await;
                }
                // The member cancels (unpaid: everything goes back).
                _ => {
                    if let Some(id) = ids.get(rng.below(ids.len().max(1) as u64) as usize) {
                        let (b, _) = s.stored(id).await;
                        if b.status == domain::booking::BookingStatus::Pending {
                            let by = Caller {
                                user_id: b.user_id.clone(),
                                roles: vec![Role::Member],
                            };
                            s.cancel(id, &by).await.unwrap();
                        }
                    }
                }
            }
            check(&s, max, per_member, step);
        }
    }
    assert!(refused > 10, "limits refused bookings: {refused}");
    assert!(
        late_refunded > 0,
        "a late payment past a limit was refunded: {late_refunded}"
    );
}
