//! Open-ended rentals through the use cases on the in-memory table and Stripe, with
//! generated runs: invoices of the rent and of other amounts, repeated invoices, other
//! members booking hours of the office, Stripe giving up, the member ending it, in any
//! order. After every step the invariants are checked from the table: no two live
//! bookings of the office overlap; the months confirmed are exactly the invoices of the
//! rent applied while it ran; a running rental holds the month after the last one paid,
//! and an ended one holds nothing unpaid and bills nothing more.

use super::model::Rng;
use super::*;
use crate::ports::payments::{InvoiceObject, Subscription};
use crate::ports::rentals::RentalStore;
use crate::usecase::rentals::{StartRental, rental_id_for};
use domain::booking::BookingStatus;
use domain::rental::{Rental, RentalStatus};

const NOW: &str = "2027-03-01T08:00:00Z";
const RENT: i64 = 90_000;

fn setup() -> Setup {
    let s = Setup::new(NOW);
    let mut office = item("i1", "s1", 30, 0);
    office.stay_rates.month = Some(RENT);
    office.stay_rates.open_ended = true;
    s.store
        .put_space(space("s1", "Europe/Berlin"), vec![office]);
    s
}

async fn stored_rental(s: &Setup, id: &str) -> Rental {
    s.store.get_rental(id).await.unwrap().unwrap()
}

fn invoice(id: &str, amount: i64, currency: &str) -> InvoiceObject {
    InvoiceObject {
        id: id.into(),
        subscription: None,
        amount_paid: amount,
        currency: currency.into(),
        payment_intent: None,
    }
}

fn subscription(r: &Rental, status: &str) -> Subscription {
    Subscription {
        id: r.stripe_subscription_id.clone().unwrap(),
        status: status.into(),
        current_period_end: None,
        cancel_at_period_end: false,
        client_secret: None,
        user_id: Some(r.user_id.clone()),
        rental_id: Some(r.id.clone()),
    }
}

/// Checks every invariant from the table; `paid` is how many invoices of the rent were
/// applied while the rental ran.
fn check(s: &Setup, r: &Rental, paid: u32, step: usize) {
    let now = s.now();
    let world = s.store.world.lock().unwrap();
    let live: Vec<_> = world
        .bookings
        .values()
        .filter(|b| b.bookable_item_id == "i1")
        .filter(|b| {
            matches!(
                b.status_at(now),
                BookingStatus::Pending | BookingStatus::Confirmed
            )
        })
        .collect();
    for (i, a) in live.iter().enumerate() {
        for b in &live[i + 1..] {
            assert!(
                a.end_time <= b.start_time || b.end_time <= a.start_time,
                "step {step}: {} and {} overlap",
                a.id,
                b.id
            );
        }
    }
    let months: Vec<_> = live
        .iter()
        .filter(|b| b.rental.as_ref().is_some_and(|l| l.id == r.id))
        .collect();
    let confirmed = months
        .iter()
        .filter(|b| b.status_at(now) == BookingStatus::Confirmed)
        .count();
    assert_eq!(r.months_paid(), paid, "step {step}: invoices applied");
    assert_eq!(confirmed as u32, paid, "step {step}: months confirmed");
    for b in &months {
        assert_eq!(b.price.total, RENT, "step {step}: a month costs the rent");
    }
    let pending: Vec<u32> = months
        .iter()
        .filter(|b| b.status_at(now) == BookingStatus::Pending)
        .map(|b| b.rental.as_ref().unwrap().index)
        .collect();
    match r.status {
        RentalStatus::Active => {
            assert_eq!(pending, vec![paid], "step {step}: the next month is held");
            assert_eq!(r.last_month, paid, "step {step}");
        }
        RentalStatus::Starting => assert_eq!(pending, vec![0], "step {step}"),
        RentalStatus::Ended => {
            assert!(
                pending.is_empty(),
                "step {step}: an ended rental holds nothing unpaid"
            );
            let ended = world
                .events
                .iter()
                .filter(|e| {
                    e.detail_type == "RentalEnded" && e.detail["rental_id"] == r.id.as_str()
                })
                .count();
            assert_eq!(
                ended, 1,
                "step {step}: its end is told once, through the outbox"
            );
            let sub = r.stripe_subscription_id.as_deref().unwrap();
            let stripe = s.stripe.state.lock().unwrap();
            assert_eq!(
                stripe.subscriptions.get(sub).map(|(_, st)| st.as_str()),
                Some("canceled"),
                "step {step}: an ended rental bills nothing more"
            );
        }
    }
}

#[tokio::test]
async fn generated_runs_keep_the_rental_invariants() {
    for seed in 1..=60u64 {
        let s = setup();
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let key = format!("rent-{seed}");
        let started = s
            .desk
            .start_rental(
                &StartRental {
                    user_id: "u1",
                    idempotency_key: &key,
                    item_id: "i1",
                    start_date: jiff::civil::date(2027, 3, 10),
                    payment_method_id: "pm_card",
                },
                s.now(),
            )
            .await
            .unwrap();
        let id = started.rental.id.clone();
        assert_eq!(id, rental_id_for("u1", &key));
        let mut paid = 0;
        let mut sent: Vec<String> = Vec::new();
        let mut r = stored_rental(&s, &id).await;
        check(&s, &r, paid, 0);
        for step in 1..=12 {
            match rng.below(8) {
                // An invoice of the rent (Stripe's renewal), sometimes twice.
                0..=2 => {
                    let inv = format!("in_{seed}_{step}");
                    let ran = s
                        .desk
                        .rent_invoice_paid(
                            &format!("evt_{step}"),
                            &invoice(&inv, RENT, "eur"),
                            &subscription(&r, "active"),
                            s.now(),
                        )
                        .await
                        .unwrap();
                    if r.status != RentalStatus::Ended {
                        assert_eq!(ran, Outcome::Recorded, "seed {seed} step {step}");
                        paid += 1;
                    }
                    sent.push(inv);
                }
                // The same invoice again (`invoice.payment_succeeded` after `invoice.paid`).
                3 if !sent.is_empty() => {
                    let inv = sent[rng.below(sent.len() as u64) as usize].clone();
                    s.desk
                        .rent_invoice_paid(
                            &format!("evt_again_{step}"),
                            &invoice(&inv, RENT, "EUR"),
                            &subscription(&r, "active"),
                            s.now(),
                        )
                        .await
                        .unwrap();
                }
                // Another amount or currency.
                4 => {
                    let (amount, currency) = *[(RENT - 1, "eur"), (RENT * 2, "eur"), (RENT, "usd")]
                        .get(rng.below(3) as usize)
                        .unwrap();
                    s.desk
                        .rent_invoice_paid(
                            &format!("evt_wrong_{step}"),
                            &invoice(&format!("in_w_{seed}_{step}"), amount, currency),
                            &subscription(&r, "active"),
                            s.now(),
                        )
                        .await
                        .unwrap();
                }
                // Another member books an hour of some month (taken or not).
                5 | 3 => {
                    let day = 10 + rng.below(150) as i64;
                    let start =
                        ts("2027-03-01T09:00:00Z") + jiff::SignedDuration::from_hours(24 * day);
                    let _ = s
                        .book(
                            "other",
                            "i1",
                            (start, start + jiff::SignedDuration::from_hours(1)),
                        )
                        .await;
                }
                // Stripe gives up, or the member ends it (rarely: runs should go on).
                6 if rng.below(4) == 0 => {
                    s.desk
                        .rent_subscription_changed(
                            &format!("evt_sub_{step}"),
                            &subscription(&r, "unpaid"),
                            s.now(),
                        )
                        .await
                        .unwrap();
                }
                7 if rng.below(4) == 0 => {
                    let caller = member("u1");
                    s.desk.end_rental(&caller, &id, s.now()).await.unwrap();
                }
                _ => {}
            }
            r = stored_rental(&s, &id).await;
            check(&s, &r, paid, step);
        }
    }
}
