//! Specific flows and interleavings.

use std::sync::atomic::Ordering;

use jiff::SignedDuration;

use super::*;
use crate::ports::spaces::SpaceStore;
use domain::booking::BookingStatus;
use domain::payment::PaymentStatus;

const NOW: &str = "2027-03-01T08:00:00Z";

fn slot(start: &str, end: &str) -> (Timestamp, Timestamp) {
    (ts(start), ts(end))
}

async fn setup() -> Setup {
    let s = Setup::new(NOW);
    s.store.put_space(
        space("s1", "Europe/Berlin"),
        vec![item("i1", "s1", 30, 0), item("i2", "s1", 30, 30)],
    );
    s
}

async fn confirmed(s: &Setup, user: &str, when: (Timestamp, Timestamp)) -> Booking {
    let (b, _) = s.book(user, "i1", when).await.unwrap();
    assert_eq!(s.pay(&b.id).await, Outcome::Confirmed);
    s.stored(&b.id).await.0
}

#[tokio::test]
async fn book_pay_cancel_refund_through_the_use_cases() {
    let s = setup().await;
    let b = confirmed(
        &s,
        "u1",
        slot("2027-03-03T09:00:00Z", "2027-03-03T10:00:00Z"),
    )
    .await;
    assert_eq!(b.status, BookingStatus::Confirmed);
    let done = s.cancel(&b.id, &member("u1")).await.unwrap();
    assert_eq!(done.booking.status, BookingStatus::Cancelled);
    assert_eq!(done.refund.unwrap().amount, 2000);
    let p = done.payment.unwrap();
    assert_eq!(
        (p.refunded_amount, p.status),
        (2000, PaymentStatus::Refunded)
    );
    assert!(p.refund_due.is_none());
    assert_eq!(s.stripe.refunded(&p.stripe_payment_intent_id), 2000);
    let w = s.store.world.lock().unwrap();
    assert!(w.claims.is_empty() && w.markers.is_empty());
    assert!(
        w.marks.values().all(|m| m.is_empty()),
        "every mark withdrawn"
    );
    assert_eq!(w.holds["u1"], 0);
}

#[tokio::test]
async fn a_stale_cache_retry_stores_a_live_intent_and_cancels_only_the_unused_ones() {
    let s = setup().await;
    // The container caches the space and items.
    s.book(
        "u1",
        "i1",
        slot("2027-03-03T09:00:00Z", "2027-03-03T10:00:00Z"),
    )
    .await
    .unwrap();
    // The operator edits the item without changing the price (capacity), then the price.
    for (capacity, price) in [(9, 2000), (9, 2600)] {
        let (space, items) = s.store.get_space("s1").await.unwrap().unwrap();
        let old = items.iter().find(|i| i.id == "i1").unwrap().clone();
        let mut new = old.clone();
        new.capacity = capacity;
        new.price_per_hour.amount = price;
        new.version += 1;
        let audit = domain::audit::AuditEntry::system("t", "item.update", "i1".into(), s.now());
        s.store
            .update_item(&space, &old, &new, &audit)
            .await
            .unwrap();
        // Planned on the stale cache, refused, planned again on fresh reads.
        let start = ts("2027-03-04T09:00:00Z") + SignedDuration::from_hours(price / 100);
        let (b, p) = s
            .book("u2", "i1", (start, start + SignedDuration::from_hours(1)))
            .await
            .unwrap();
        let p = p.unwrap();
        assert_eq!(b.price.total, price);
        let stored = s.stripe.intent(&p.stripe_payment_intent_id).unwrap();
        assert_eq!(
            stored.status, "requires_payment_method",
            "the stored intent is payable"
        );
        assert_eq!(stored.amount, price);
        // Every other intent made for this booking is cancelled.
        let st = s.stripe.state.lock().unwrap();
        for (id, intent) in &st.intents {
            if intent.booking_id == b.id && *id != p.stripe_payment_intent_id {
                assert_eq!(intent.status, "canceled", "{id}");
            }
        }
    }
}

#[tokio::test]
async fn a_refused_request_leaves_no_payable_intent_and_its_retry_gets_a_live_one() {
    let s = setup().await;
    let when = slot("2027-03-03T09:00:00Z", "2027-03-03T10:00:00Z");
    let (first, _) = s.book("u1", "i1", when).await.unwrap();
    // Same key, the slot taken by another member meanwhile: 409, its intent cancelled.
    let cmd = CreateBookingCommand {
        user_id: "u2",
        idempotency_key: "key-0001",
        item_id: "i1",
        period: when.into(),
        promo_code: None,
    };
    let err = s.desk.create(&cmd, s.now()).await.unwrap_err();
    assert!(matches!(err, AppError::Conflict { .. }));
    // The first booking is cancelled; the same request with the same key now succeeds
    // with an intent that can be paid.
    s.cancel(&first.id, &member("u1")).await.unwrap();
    let (b, p) = s.desk.create(&cmd, s.now()).await.unwrap();
    let p = p.unwrap();
    assert_eq!(b.status, BookingStatus::Pending);
    assert_eq!(
        s.stripe.intent(&p.stripe_payment_intent_id).unwrap().status,
        "requires_payment_method"
    );
    assert!(s.stripe.pay(&p.stripe_payment_intent_id));
    // Stripe's news (amount from the intent): confirmed.
    let i = s.stripe.intent(&p.stripe_payment_intent_id).unwrap();
    assert_eq!(
        s.paid_news(&b.id, i.amount, &i.currency).await,
        Outcome::Confirmed
    );
    // And the same key again answers the stored booking.
    let (again, again_p) = s.desk.create(&cmd, s.now()).await.unwrap();
    assert_eq!(again.id, b.id);
    assert_eq!(
        again_p.unwrap().stripe_payment_intent_id,
        p.stripe_payment_intent_id
    );
}

#[tokio::test]
async fn news_of_another_amount_or_currency_never_confirms() {
    let s = setup().await;
    let (b, p) = s
        .book(
            "u1",
            "i1",
            slot("2027-03-03T09:00:00Z", "2027-03-03T10:00:00Z"),
        )
        .await
        .unwrap();
    let p = p.unwrap();
    assert_eq!(s.paid_news(&b.id, 1999, "eur").await, Outcome::Mismatch);
    assert_eq!(
        s.paid_news(&b.id, 2000, "usd").await,
        Outcome::Ignored("payment under review")
    );
    let (b, p2) = s.stored(&b.id).await;
    assert_eq!(b.status, BookingStatus::Pending);
    assert_eq!(p2.unwrap().status, PaymentStatus::UnderReview);
    {
        let w = s.store.world.lock().unwrap();
        assert!(w.audit.iter().any(|a| a.action == "payment.mismatch"));
        assert!(w.events.iter().any(|e| e.detail_type == "PaymentMismatch"));
    }
    // Expiry still releases it; no intent cancellation for money that arrived.
    s.advance(SignedDuration::from_mins(16));
    assert_eq!(s.scheduler().await.expired, 1);
    assert_eq!(s.stored(&b.id).await.0.status, BookingStatus::Expired);
    assert_eq!(
        s.stripe.intent(&p.stripe_payment_intent_id).unwrap().status,
        "requires_payment_method"
    );
}

/// Refund settlement under every order of: the cancel's own call to Stripe (up, down, or
/// made with its answer lost), Stripe's refund news, the scheduler's retries and a second
/// cancel. Stripe ends with exactly the refund decided, recorded once.
#[tokio::test]
async fn a_refund_is_made_and_recorded_once_whatever_the_interleaving() {
    // Steps after the cancel: 0 = news of refunds so far, 1 = scheduler run, 2 = cancel again.
    let orders: [&[u8]; 6] = [
        &[0, 1, 2],
        &[1, 0, 2],
        &[2, 0, 1],
        &[2, 1, 0],
        &[0, 2, 1],
        &[1, 2, 0],
    ];
    for fault in 0..3 {
        for order in orders {
            let s = setup().await;
            let b = confirmed(
                &s,
                "u1",
                slot("2027-03-03T09:00:00Z", "2027-03-03T10:00:00Z"),
            )
            .await;
            match fault {
                1 => s.stripe.refund_outages.store(1, Ordering::SeqCst),
                2 => s.stripe.lost_refund_replies.store(1, Ordering::SeqCst),
                _ => {}
            }
            let done = s.cancel(&b.id, &operator()).await.unwrap();
            assert_eq!(done.refund.unwrap().amount, 2000);
            for step in order {
                s.advance(SignedDuration::from_mins(3));
                match step {
                    0 => {
                        s.refund_news(&b.id).await;
                    }
                    1 => {
                        s.scheduler().await;
                    }
                    _ => {
                        let again = s.cancel(&b.id, &operator()).await.unwrap();
                        assert_eq!(again.booking.status, BookingStatus::Cancelled);
                    }
                }
            }
            // Whatever is still owed is settled by the next runs.
            s.advance(SignedDuration::from_mins(3));
            s.scheduler().await;
            s.refund_news(&b.id).await;
            let (_, p) = s.stored(&b.id).await;
            let p = p.unwrap();
            let at_stripe = s.stripe.refunds(&p.stripe_payment_intent_id);
            assert_eq!(
                at_stripe.len(),
                1,
                "fault {fault}, order {order:?}: {at_stripe:?}"
            );
            assert_eq!(at_stripe[0].amount, 2000);
            assert_eq!(p.refunded_amount, 2000, "fault {fault}, order {order:?}");
            assert_eq!(p.refunds.len(), 1);
            assert!(p.refund_due.is_none());
            assert!(
                s.store
                    .world
                    .lock()
                    .unwrap()
                    .due
                    .iter()
                    .all(|d| d.kind != domain::schedule::DueKind::Refund)
            );
        }
    }
}

#[tokio::test]
async fn a_dashboard_refund_is_matched_by_its_intent() {
    let s = setup().await;
    let b = confirmed(
        &s,
        "u1",
        slot("2027-03-03T09:00:00Z", "2027-03-03T10:00:00Z"),
    )
    .await;
    let (_, p) = s.stored(&b.id).await;
    let intent = p.unwrap().stripe_payment_intent_id;
    let refund = RefundObject {
        id: "re_dashboard".into(),
        amount: 500,
        payment_intent: Some(intent),
        status: Some("succeeded".into()),
        metadata: HashMap::new(),
    };
    let outcome =
        crate::usecase::payments::refund_updated(&s.store, &s.stripe, "evt_d", &refund, s.now())
            .await
            .unwrap();
    assert_eq!(outcome, Outcome::Recorded);
    let p = s.stored(&b.id).await.1.unwrap();
    assert_eq!(
        (p.refunded_amount, p.status),
        (500, PaymentStatus::PartiallyRefunded)
    );
    assert_eq!(p.refunds[0].reason, "stripe");
    // Replayed: a duplicate.
    let again =
        crate::usecase::payments::refund_updated(&s.store, &s.stripe, "evt_d", &refund, s.now())
            .await
            .unwrap();
    assert_eq!(again, Outcome::Duplicate);
}

#[tokio::test]
async fn paid_after_the_hold_ran_out_and_the_time_was_taken_is_refunded() {
    let s = setup().await;
    let when = slot("2027-03-03T09:00:00Z", "2027-03-03T10:00:00Z");
    let (late, _) = s.book("u1", "i1", when).await.unwrap();
    s.advance(SignedDuration::from_mins(16));
    let (taker, _) = s.book("u2", "i1", when).await.unwrap();
    assert_eq!(s.pay(&late.id).await, Outcome::Refunded);
    let (b, p) = s.stored(&late.id).await;
    assert_eq!(b.status, BookingStatus::Failed);
    let p = p.unwrap();
    assert_eq!(
        (p.refunded_amount, p.status),
        (2000, PaymentStatus::Refunded)
    );
    assert_eq!(s.stored(&taker.id).await.0.status, BookingStatus::Pending);
    assert_eq!(s.store.world.lock().unwrap().holds["u1"], 0);
}

#[tokio::test]
async fn deleting_an_item_races_no_booking() {
    let s = setup().await;
    let (space, items) = s.store.get_space("s1").await.unwrap().unwrap();
    let i1 = items.iter().find(|i| i.id == "i1").unwrap().clone();
    // Retiring: the catalog (cached before) plans against the old version and is refused
    // by the version check; fresh reads see the item retiring and answer 404.
    s.book(
        "u1",
        "i2",
        slot("2027-03-03T09:00:00Z", "2027-03-03T10:00:00Z"),
    )
    .await
    .unwrap();
    let retiring = s.store.set_item_retired(&i1, Some(s.now())).await.unwrap();
    let err = s
        .book(
            "u1",
            "i1",
            slot("2027-03-03T11:00:00Z", "2027-03-03T12:00:00Z"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    assert!(
        !s.store
            .has_upcoming_bookings("s1", Some("i1"), s.now())
            .await
            .unwrap()
    );
    let audit = domain::audit::AuditEntry::system("t", "item.delete", "i1".into(), s.now());
    s.store
        .delete_item(&space, &retiring, &audit)
        .await
        .unwrap();
    assert!(
        s.store
            .has_upcoming_bookings("s1", Some("i2"), s.now())
            .await
            .unwrap()
    );
    // A hold that ran out does not block deletion.
    s.advance(SignedDuration::from_mins(16));
    assert!(
        !s.store
            .has_upcoming_bookings("s1", None, s.now())
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn a_refund_owed_through_a_day_long_outage_is_still_made_once() {
    let s = setup().await;
    let b = confirmed(
        &s,
        "u1",
        slot("2027-03-05T09:00:00Z", "2027-03-05T10:00:00Z"),
    )
    .await;
    s.stripe.refund_outages.store(usize::MAX, Ordering::SeqCst);
    let done = s.cancel(&b.id, &operator()).await.unwrap();
    assert!(done.payment.unwrap().refund_due.is_some());
    // Thirty hours of runs while Stripe is away: past the scheduler's 24-hour look-back.
    for _ in 0..30 {
        s.advance(SignedDuration::from_hours(1));
        let report = s.scheduler().await;
        assert_eq!(report.failed, 0);
    }
    s.stripe.refund_outages.store(0, Ordering::SeqCst);
    s.advance(SignedDuration::from_hours(1));
    assert_eq!(s.scheduler().await.refunded, 1);
    let p = s.stored(&b.id).await.1.unwrap();
    assert_eq!((p.refunded_amount, p.refund_due.is_none()), (2000, true));
    assert_eq!(s.stripe.refunds(&p.stripe_payment_intent_id).len(), 1);
}

#[tokio::test]
async fn one_failing_action_does_not_stop_the_scheduler_run() {
    let s = setup().await;
    // A hold that will run out, and a confirmed booking due for its reminder.
    let (held, _) = s
        .book(
            "u1",
            "i2",
            slot("2027-03-01T12:00:00Z", "2027-03-01T13:00:00Z"),
        )
        .await
        .unwrap();
    // Its reminder is due an hour ahead: at 08:30.
    let paid = confirmed(
        &s,
        "u2",
        slot("2027-03-01T09:30:00Z", "2027-03-01T10:30:00Z"),
    )
    .await;
    s.advance(SignedDuration::from_mins(31));
    s.stripe.cancel_outages.store(1, Ordering::SeqCst);
    let report = s.scheduler().await;
    assert_eq!(
        (report.failed, report.reminded, report.expired),
        (1, 1, 0),
        "{report:?}"
    );
    assert_eq!(s.stored(&held.id).await.0.status, BookingStatus::Pending);
    let report = s.scheduler().await;
    assert_eq!(report.expired, 1, "{report:?}");
    assert_eq!(s.stored(&held.id).await.0.status, BookingStatus::Expired);
    assert_eq!(s.stored(&paid.id).await.0.status, BookingStatus::Confirmed);
}

#[tokio::test]
async fn a_late_payment_never_takes_time_on_a_retired_item_or_after_the_end() {
    let s = setup().await;
    let when = slot("2027-03-03T09:00:00Z", "2027-03-03T10:00:00Z");
    let (b, _) = s.book("u1", "i1", when).await.unwrap();
    s.advance(SignedDuration::from_mins(16));
    // The item is being deleted (its hold ran out, so nothing blocks that).
    let i1 = s.store.get_item("s1", "i1").await.unwrap().unwrap();
    s.store.set_item_retired(&i1, Some(s.now())).await.unwrap();
    assert_eq!(s.pay(&b.id).await, Outcome::Refunded);
    let (after, p) = s.stored(&b.id).await;
    assert_eq!(after.status, BookingStatus::Failed);
    assert_eq!(p.unwrap().refunded_amount, 2000);
    // Paid after the booking's end: refunded too.
    let (b2, _) = s
        .book(
            "u2",
            "i2",
            slot("2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z"),
        )
        .await
        .unwrap();
    s.advance(SignedDuration::from_hours(3));
    assert_eq!(s.pay(&b2.id).await, Outcome::Refunded);
    assert_eq!(
        s.stored(&b2.id).await.1.unwrap().refunds[0].reason,
        "ended_before_payment"
    );
}

#[tokio::test]
async fn news_of_a_refund_before_news_of_the_payment_still_confirms_and_keeps_the_rest() {
    let s = setup().await;
    let (b, p) = s
        .book(
            "u1",
            "i1",
            slot("2027-03-03T09:00:00Z", "2027-03-03T10:00:00Z"),
        )
        .await
        .unwrap();
    let intent = p.unwrap().stripe_payment_intent_id;
    assert!(s.stripe.pay(&intent));
    // A partial refund in the dashboard, whose news overtakes the payment's.
    let refund = RefundObject {
        id: "re_early".into(),
        amount: 500,
        payment_intent: Some(intent.clone()),
        status: Some("succeeded".into()),
        metadata: HashMap::new(),
    };
    crate::usecase::payments::refund_updated(&s.store, &s.stripe, "evt_r", &refund, s.now())
        .await
        .unwrap();
    assert_eq!(s.paid_news(&b.id, 2000, "eur").await, Outcome::Confirmed);
    let (after, p) = s.stored(&b.id).await;
    assert_eq!(after.status, BookingStatus::Confirmed);
    let p = p.unwrap();
    assert_eq!(
        (p.status, p.refunded_amount),
        (PaymentStatus::PartiallyRefunded, 500)
    );
    // A full refund by the operator gives back only what is left.
    let done = s.cancel(&b.id, &operator()).await.unwrap();
    assert_eq!(done.refund.unwrap().amount, 1500);
}

/// Stripe's news carries a one-second `created`: a subscription snapshot from the very
/// second of our own cancellation (a late `customer.subscription.created`, say) is not
/// trusted but checked with Stripe, so it cannot undo the cancellation; older news is
/// ignored; strictly newer news applies.
#[tokio::test]
async fn subscription_news_from_the_second_of_a_cancellation_cannot_undo_it() {
    use crate::ports::payments::{Payments, Subscription};
    use crate::usecase::memberships::sync_subscription;
    use domain::membership::{Membership, MembershipStatus};
    use domain::plan::PlanBenefits;

    let s = setup().await;
    let now = ts(NOW);
    let t = now.as_second();
    s.stripe
        .state
        .lock()
        .unwrap()
        .subscriptions
        .insert("sub_1".into(), ("u1".into(), "active".into()));
    let cancelled = s
        .stripe
        .cancel_subscription_at_period_end("sub_1")
        .await
        .unwrap();
    assert!(cancelled.cancel_at_period_end);
    s.store.put_membership(Membership {
        user_id: "u1".into(),
        plan_id: "p".into(),
        plan_name: "Flex".into(),
        benefits: PlanBenefits {
            discount_percent: 0,
            included_hours_per_month: 0,
            space_ids: vec![],
            quotas: Default::default(),
        },
        stripe_customer_id: "cus".into(),
        stripe_subscription_id: "sub_1".into(),
        monthly_price: None,
        status: MembershipStatus::Active,
        current_period_end: Some(now + SignedDuration::from_hours(24 * 20)),
        cancel_at_period_end: true,
        stripe_event_at: t,
        version: 2,
        created_at: now,
        updated_at: now,
    });
    let snapshot = |status: &str| Subscription {
        id: "sub_1".into(),
        status: status.into(),
        current_period_end: Some(t + 20 * 86_400),
        cancel_at_period_end: false,
        client_secret: None,
        user_id: Some("u1".into()),
        rental_id: None,
    };
    let cancel_flag = |s: &Setup| {
        let store = s.store.clone();
        async move {
            crate::ports::memberships::MembershipStore::member_state(&store, "u1")
                .await
                .unwrap()
                .membership
                .unwrap()
        }
    };
    // Same second: Stripe is asked (it says cancelling), whatever the snapshot says.
    sync_subscription(&s.store, &s.stripe, "evt_same", t, &snapshot("active"), now)
        .await
        .unwrap();
    assert!(cancel_flag(&s).await.cancel_at_period_end);
    // Older: ignored without asking.
    let outcome = sync_subscription(
        &s.store,
        &s.stripe,
        "evt_older",
        t - 5,
        &snapshot("active"),
        now,
    )
    .await
    .unwrap();
    assert!(matches!(outcome, Outcome::Ignored(_)), "{outcome:?}");
    assert!(cancel_flag(&s).await.cancel_at_period_end);
    // Strictly newer news is Stripe's word: it applies.
    let mut past_due = snapshot("past_due");
    past_due.cancel_at_period_end = true;
    let outcome = sync_subscription(&s.store, &s.stripe, "evt_newer", t + 1, &past_due, now)
        .await
        .unwrap();
    assert_eq!(outcome, Outcome::Recorded);
    let m = cancel_flag(&s).await;
    assert_eq!(m.status, MembershipStatus::PastDue);
    assert!(m.cancel_at_period_end);
}

/// The scheduler stopped for three days (a disabled rule, a broken deploy): its next run
/// still releases the hold that ran out meanwhile and asks again for the refund Stripe
/// refused, though both are due beyond a day's look-back.
#[tokio::test]
async fn a_scheduler_stopped_for_days_catches_up_on_everything_due_meanwhile() {
    let s = setup().await;
    s.scheduler().await; // a run before the outage: its time is the watermark
    let (hold, _) = s
        .book(
            "u2",
            "i2",
            slot("2027-03-09T09:00:00Z", "2027-03-09T10:00:00Z"),
        )
        .await
        .unwrap();
    let b = confirmed(
        &s,
        "u1",
        slot("2027-03-10T09:00:00Z", "2027-03-10T10:00:00Z"),
    )
    .await;
    s.stripe
        .refund_outages
        .store(1, std::sync::atomic::Ordering::SeqCst);
    let done = s.cancel(&b.id, &member("u1")).await.unwrap();
    assert!(
        done.payment.unwrap().refund_due.is_some(),
        "Stripe refused: owed"
    );
    s.advance(SignedDuration::from_hours(72));
    let report = s.scheduler().await;
    assert_eq!((report.expired, report.refunded), (1, 1), "{report:?}");
    assert_eq!(s.stored(&hold.id).await.0.status, BookingStatus::Expired);
    let p = s.stored(&b.id).await.1.unwrap();
    assert!(p.refund_due.is_none());
    assert_eq!(
        s.stripe.refunded(&p.stripe_payment_intent_id),
        p.refunded_amount
    );
}

#[tokio::test]
async fn a_hold_that_ran_out_is_expired_by_the_next_booking_its_marks_were_in_the_way_of() {
    let s = setup().await;
    // Half an hour held: two cells claimed, its hour and day marked.
    let (held, _) = s
        .book(
            "u1",
            "i1",
            slot("2027-03-03T09:00:00Z", "2027-03-03T09:30:00Z"),
        )
        .await
        .unwrap();
    // Still held: the whole hour is refused.
    let err = s
        .book(
            "u2",
            "i1",
            slot("2027-03-03T09:00:00Z", "2027-03-03T10:00:00Z"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict { .. }), "{err:?}");
    // Run out (no scheduler run since): the hour is booked at once, and the hold that was
    // in the way is expired in passing, its marks withdrawn.
    s.advance(domain::booking::HOLD + SignedDuration::from_secs(1));
    let (b, _) = s
        .book(
            "u2",
            "i1",
            slot("2027-03-03T09:00:00Z", "2027-03-03T10:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(b.slots.len(), 1, "one hour claimed whole");
    assert_eq!(s.stored(&held.id).await.0.status, BookingStatus::Expired);
    let w = s.store.world.lock().unwrap();
    assert!(w.marks.values().all(|m| !m.contains(&held.id)));
}
