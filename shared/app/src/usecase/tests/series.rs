//! Series and waitlists through the use cases on the in-memory table and Stripe: one
//! payment for exactly what was booked, replays after a crash or a refusal, a paid amount
//! or currency other than the series' total, and the line's order.

use super::*;
use crate::ports::series::SeriesStore;
use crate::usecase::series::{SeriesCommand, series_id_for};
use crate::usecase::waitlist::Freed;
use domain::booking::BookingStatus;
use domain::payment::PaymentStatus;
use domain::series::OnConflict;
use domain::waitlist::WaitStatus;

const NOW: &str = "2027-03-01T08:00:00Z";

fn setup() -> Setup {
    let s = Setup::new(NOW);
    s.store
        .put_space(space("s1", "Europe/Berlin"), vec![item("i1", "s1", 30, 0)]);
    s
}

fn weekly<'a>(user: &'a str, key: &'a str, on_conflict: OnConflict) -> SeriesCommand<'a> {
    SeriesCommand {
        user_id: user,
        idempotency_key: key,
        item_id: "i1",
        start: ts("2027-03-10T13:00:00Z"),
        end: ts("2027-03-10T14:00:00Z"),
        rrule: "FREQ=WEEKLY;COUNT=4",
        on_conflict,
    }
}

/// Stripe's news that the series' intent was paid with `amount` in `currency`.
async fn series_paid(s: &Setup, series_id: &str, amount: i64, currency: &str) -> Outcome {
    let series = s.store.get_series(series_id).await.unwrap().unwrap();
    let intent = series.payment.unwrap().stripe_payment_intent_id;
    s.stripe.pay(&intent);
    let pi = PaymentIntentObject {
        id: intent,
        amount,
        currency: currency.into(),
        metadata: HashMap::from([("series_id".to_string(), series_id.to_string())]),
    };
    crate::usecase::payments::payment_succeeded(&s.store, &s.stripe, "evt_series", &pi, s.now())
        .await
        .unwrap()
}

#[tokio::test]
async fn skip_books_the_free_ones_and_one_payment_asks_for_exactly_them() {
    let s = setup();
    // The second Wednesday is someone else's.
    s.book(
        "other",
        "i1",
        (ts("2027-03-17T13:00:00Z"), ts("2027-03-17T14:00:00Z")),
    )
    .await
    .unwrap();
    let refused = s
        .desk
        .create_series(&weekly("u1", "key-refuse-1", OnConflict::Refuse), s.now())
        .await;
    assert!(
        matches!(refused, Err(AppError::Conflict { .. })),
        "{refused:?}"
    );
    assert_eq!(
        s.store
            .world
            .lock()
            .unwrap()
            .bookings
            .values()
            .filter(|b| b.user_id == "u1")
            .count(),
        0
    );

    let a = s
        .desk
        .create_series(&weekly("u1", "key-skip-1", OnConflict::Skip), s.now())
        .await
        .unwrap();
    assert_eq!(a.bookings.len(), 3);
    let shares: i64 = a.bookings.iter().map(|(b, _)| b.price.total).sum();
    let payment = a.series.payment.clone().unwrap();
    assert_eq!(payment.amount, shares);
    assert_eq!(
        s.stripe
            .intent(&payment.stripe_payment_intent_id)
            .unwrap()
            .amount,
        shares
    );
    // One unpaid-hold place for the whole series.
    assert_eq!(
        s.store.world.lock().unwrap().holds.get("u1").copied(),
        Some(1)
    );

    // Too little (or another currency) confirms nothing: each occurrence goes under review.
    let short = series_paid(&s, &a.series.id, shares - 1, "eur").await;
    assert_eq!(short, Outcome::Mismatch);
    for (b, _) in &a.bookings {
        let (stored, p) = s.stored(&b.id).await;
        assert_eq!(stored.status, BookingStatus::Pending);
        assert_eq!(p.unwrap().status, PaymentStatus::UnderReview);
    }
}

#[tokio::test]
async fn the_series_total_confirms_every_occurrence_once_and_a_replay_changes_nothing() {
    let s = setup();
    let a = s
        .desk
        .create_series(&weekly("u1", "key-pay-1", OnConflict::Refuse), s.now())
        .await
        .unwrap();
    let total = a.series.payment.clone().unwrap().amount;
    let wrong_currency = series_paid(&s, &a.series.id, total, "chf").await;
    assert_eq!(wrong_currency, Outcome::Mismatch);
    let s = setup();
    let a = s
        .desk
        .create_series(&weekly("u1", "key-pay-2", OnConflict::Refuse), s.now())
        .await
        .unwrap();
    assert_eq!(
        series_paid(&s, &a.series.id, total, "eur").await,
        Outcome::Confirmed
    );
    assert_eq!(
        series_paid(&s, &a.series.id, total, "eur").await,
        Outcome::Duplicate
    );
    for (b, _) in &a.bookings {
        assert_eq!(s.stored(&b.id).await.0.status, BookingStatus::Confirmed);
    }
    assert_eq!(
        s.store.world.lock().unwrap().holds.get("u1").copied(),
        Some(0)
    );
    // A lone occurrence is cancelled with exactly its share back (more than a day ahead).
    let third = &a.bookings[2].0;
    let c = s.cancel(&third.id, &member("u1")).await.unwrap();
    assert_eq!(c.refund.unwrap().amount, third.price.total);
    let intent = a.series.payment.unwrap().stripe_payment_intent_id;
    let refunded: i64 = s.stripe.refunds(&intent).iter().map(|r| r.amount).sum();
    assert_eq!(refunded, third.price.total);
}

#[tokio::test]
async fn a_retry_after_a_crash_answers_the_same_intent_and_never_charges_for_nothing() {
    let s = setup();
    let first = s
        .desk
        .create_series(&weekly("u1", "key-crash-1", OnConflict::Refuse), s.now())
        .await
        .unwrap();
    // The request "crashed" after its occurrences, before its record.
    s.store.world.lock().unwrap().series.clear();
    let again = s
        .desk
        .create_series(&weekly("u1", "key-crash-1", OnConflict::Refuse), s.now())
        .await
        .unwrap();
    assert_eq!(again.series.id, first.series.id);
    let (p1, p2) = (first.series.payment.unwrap(), again.series.payment.unwrap());
    assert_eq!(p1.stripe_payment_intent_id, p2.stripe_payment_intent_id);
    assert_eq!(p1.amount, p2.amount);
    assert_eq!(
        series_paid(&s, &again.series.id, p2.amount, "eur").await,
        Outcome::Confirmed
    );
    // Paid for a series whose record is gone: under review, never ignored.
    let s = setup();
    let lost = s
        .desk
        .create_series(&weekly("u2", "key-crash-2", OnConflict::Refuse), s.now())
        .await
        .unwrap();
    let amount = lost.series.payment.clone().unwrap().amount;
    let id = lost.series.id.clone();
    s.store.world.lock().unwrap().series.clear();
    let pi = PaymentIntentObject {
        id: lost.series.payment.unwrap().stripe_payment_intent_id,
        amount,
        currency: "eur".into(),
        metadata: HashMap::from([("series_id".to_string(), id)]),
    };
    let out =
        crate::usecase::payments::payment_succeeded(&s.store, &s.stripe, "evt_lost", &pi, s.now())
            .await
            .unwrap();
    assert_eq!(out, Outcome::Mismatch);
}

#[tokio::test]
async fn a_key_whose_series_was_given_back_is_not_a_booked_series() {
    let s = setup();
    let key = "key-given-back";
    let a = s
        .desk
        .create_series(&weekly("u1", key, OnConflict::Refuse), s.now())
        .await
        .unwrap();
    // Its occurrences given back (as a refusal after a race withdraws them)...
    for (b, _) in &a.bookings {
        let policy = b.cancellation_policy.clone().unwrap();
        crate::usecase::lifecycle::run(&s.store, &s.stripe, &b.id, s.now(), |b, p| {
            Ok(domain::lifecycle::cancel_in_series(
                b,
                p,
                domain::lifecycle::Actor::Withdrawn,
                &policy,
                None,
                s.now(),
            )?)
        })
        .await
        .unwrap();
    }
    s.store.world.lock().unwrap().series.clear();
    // ...a retry with the key is refused, never a 201 of cancelled occurrences.
    let retry = s
        .desk
        .create_series(&weekly("u1", key, OnConflict::Refuse), s.now())
        .await;
    assert!(matches!(retry, Err(AppError::Conflict { .. })), "{retry:?}");
    assert_eq!(series_id_for("u1", key), a.series.id);
}

#[tokio::test]
async fn freed_time_goes_to_the_first_in_line_then_the_next_when_unpaid() {
    let s = setup();
    let when = (ts("2027-03-10T13:00:00Z"), ts("2027-03-10T14:00:00Z"));
    let (taken, _) = s.book("holder", "i1", when).await.unwrap();
    assert_eq!(s.pay(&taken.id).await, Outcome::Confirmed);
    let first = s
        .desk
        .join_waitlist(&member("w1"), "i1", when, s.now())
        .await
        .unwrap();
    s.advance(SignedDuration::from_secs(1));
    let second = s
        .desk
        .join_waitlist(&member("w2"), "i1", when, s.now())
        .await
        .unwrap();
    // Free time is booked, not waited for.
    let free = s
        .desk
        .join_waitlist(
            &member("w3"),
            "i1",
            (ts("2027-03-11T13:00:00Z"), ts("2027-03-11T14:00:00Z")),
            s.now(),
        )
        .await;
    assert!(matches!(free, Err(AppError::Conflict { .. })));

    s.cancel(&taken.id, &member("holder")).await.unwrap();
    let freed = Freed {
        booking_id: &taken.id,
        item_id: "i1",
        start: when.0,
        end: when.1,
    };
    let offered = s.desk.offer_freed(&freed, s.now()).await.unwrap().remove(0);
    assert_eq!(offered.id, first.id);
    // The same news again (a redelivery) offers nothing more.
    assert!(
        s.desk
            .offer_freed(&freed, s.now())
            .await
            .unwrap()
            .is_empty()
    );
    let offer = offered.offer_booking_id.clone().unwrap();
    let bookings: Vec<_> = s
        .store
        .world
        .lock()
        .unwrap()
        .bookings
        .values()
        .filter(|b| b.user_id != "holder")
        .cloned()
        .collect();
    assert_eq!(bookings.len(), 1, "only the first in line holds the time");
    assert_eq!(bookings[0].user_id, "w1");

    // w1 does not pay: the hold runs out, the scheduler expires it, w2 is next.
    s.advance(SignedDuration::from_mins(16));
    s.scheduler().await;
    let expired = Freed {
        booking_id: &offer,
        item_id: "i1",
        start: when.0,
        end: when.1,
    };
    let next = s
        .desk
        .offer_freed(&expired, s.now())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(next.id, second.id);
    let line = crate::ports::waitlist::WaitlistStore::line(&s.store, "i1")
        .await
        .unwrap();
    let status = |id: &str| line.iter().find(|e| e.id == id).unwrap().status;
    assert_eq!(
        (status(&first.id), status(&second.id)),
        (WaitStatus::Closed, WaitStatus::Offered)
    );
    let events: Vec<String> = s
        .store
        .world
        .lock()
        .unwrap()
        .events
        .iter()
        .filter(|e| e.detail_type == "WaitlistOffered")
        .map(|e| e.detail["user_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(events, ["w1", "w2"]);
}

#[tokio::test]
async fn a_freed_interval_goes_to_every_first_waiter_of_its_disjoint_parts() {
    let s = setup();
    let (taken, _) = s
        .book(
            "holder",
            "i1",
            (ts("2027-03-10T10:00:00Z"), ts("2027-03-10T12:00:00Z")),
        )
        .await
        .unwrap();
    assert_eq!(s.pay(&taken.id).await, Outcome::Confirmed);
    let early = (ts("2027-03-10T10:00:00Z"), ts("2027-03-10T11:00:00Z"));
    let late = (ts("2027-03-10T11:00:00Z"), ts("2027-03-10T12:00:00Z"));
    let w1 = s
        .desk
        .join_waitlist(&member("w1"), "i1", early, s.now())
        .await
        .unwrap();
    s.advance(SignedDuration::from_secs(1));
    // w2 waits for the same hour as w1, later: not offered while w1's offer holds it.
    s.desk
        .join_waitlist(&member("w2"), "i1", early, s.now())
        .await
        .unwrap();
    s.advance(SignedDuration::from_secs(1));
    let w3 = s
        .desk
        .join_waitlist(&member("w3"), "i1", late, s.now())
        .await
        .unwrap();
    s.cancel(&taken.id, &member("holder")).await.unwrap();
    let freed = Freed {
        booking_id: &taken.id,
        item_id: "i1",
        start: ts("2027-03-10T10:00:00Z"),
        end: ts("2027-03-10T12:00:00Z"),
    };
    let offered: Vec<String> = s
        .desk
        .offer_freed(&freed, s.now())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(offered, [w1.id, w3.id]);
}

#[tokio::test]
async fn a_waiter_whose_turn_cannot_be_made_is_passed_over_not_the_whole_line() {
    let s = setup();
    let when = (ts("2027-03-10T13:00:00Z"), ts("2027-03-10T14:00:00Z"));
    let (taken, _) = s.book("holder", "i1", when).await.unwrap();
    assert_eq!(s.pay(&taken.id).await, Outcome::Confirmed);
    let w1 = s
        .desk
        .join_waitlist(&member("w1"), "i1", when, s.now())
        .await
        .unwrap();
    s.advance(SignedDuration::from_secs(1));
    let w2 = s
        .desk
        .join_waitlist(&member("w2"), "i1", when, s.now())
        .await
        .unwrap();
    // w1's turn key already names another booking of theirs (the edge refuses such keys
    // from clients; here it stands for any turn that cannot be made).
    s.desk
        .create(
            &CreateBookingCommand {
                user_id: "w1",
                idempotency_key: &format!("waitlist#{}#{}", w1.id, w1.version),
                item_id: "i1",
                period: (ts("2027-03-12T13:00:00Z"), ts("2027-03-12T14:00:00Z")).into(),
                promo_code: None,
            },
            s.now(),
        )
        .await
        .unwrap();
    s.cancel(&taken.id, &member("holder")).await.unwrap();
    let freed = Freed {
        booking_id: &taken.id,
        item_id: "i1",
        start: when.0,
        end: when.1,
    };
    let offered = s.desk.offer_freed(&freed, s.now()).await.unwrap();
    assert_eq!(offered.len(), 1);
    assert_eq!(offered[0].id, w2.id);
}
