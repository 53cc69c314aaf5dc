//! Every transition of the lifecycle, as pure decisions.

use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::booking::BookingStatus;
use crate::booking_rules::tests::weekdays;
use crate::claims::Level;
use crate::membership::{Membership, MembershipStatus};
use crate::payment::PaymentStatus;
use crate::plan::PlanBenefits;
use crate::samples::{sample_item, sample_space};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

const NOW: &str = "2027-01-04T08:00:00Z";
const HOLD: SignedDuration = SignedDuration::from_mins(15);

fn space() -> Space {
    let mut s = sample_space(); // Berlin
    s.opening_hours = weekdays("08:00", "20:00");
    s
}

fn member(hours: u32, discount: u8, paid_until: &str) -> MemberState {
    MemberState {
        membership: Some(Membership {
            user_id: "u1".into(),
            plan_id: "p".into(),
            plan_name: "Flex".into(),
            benefits: PlanBenefits {
                discount_percent: discount,
                included_hours_per_month: hours,
                space_ids: vec![],
                quotas: Default::default(),
            },
            stripe_customer_id: "cus".into(),
            stripe_subscription_id: "sub".into(),
            monthly_price: None,
            status: MembershipStatus::Active,
            current_period_end: Some(ts(paid_until)),
            cancel_at_period_end: false,
            stripe_event_at: 0,
            version: 7,
            created_at: ts(NOW),
            updated_at: ts(NOW),
        }),
        usage: Default::default(),
    }
}

/// A new booking of the sample room (30 EUR/h) `[start, end)` by u1 at NOW.
fn plan(state: &MemberState, start: &str, end: &str) -> Result<Creation, DomainError> {
    plan_for(&space(), &sample_item(), (ts(start), ts(end)).into(), state)
}

/// A new booking of `item` in `space` for `period` by u1 at NOW.
fn plan_for(
    space: &Space,
    item: &BookableItem,
    period: Period,
    state: &MemberState,
) -> Result<Creation, DomainError> {
    create(&NewBooking {
        id: "b1",
        user_id: "u1",
        space,
        item,
        period,
        member: state,
        hold: HOLD,
        hold_limit: 5,
        now: ts(NOW),
        promo: None,
    })
}

/// A pending booking (10:00-11:00 local on Tuesday 2027-01-05) with its payment due.
fn pending() -> (Booking, PaymentTransaction) {
    let mut c = plan(
        &MemberState::default(),
        "2027-01-05T09:00:00Z",
        "2027-01-05T10:00:00Z",
    )
    .unwrap();
    c.attach_intent("pi_1", "pi_1_secret", ts(NOW));
    (c.booking, c.payment.unwrap())
}

fn confirmed() -> (Booking, PaymentTransaction) {
    let (b, p) = pending();
    let e = apply(payment_succeeded(
        &b,
        Some(&p),
        (3000, "eur"),
        "evt_pay",
        ts(NOW),
    ));
    (e.after, e.payment.unwrap())
}

fn apply(d: Decision) -> Effects {
    match d {
        Decision::Apply(e) => *e,
        Decision::Ignore(why) => panic!("ignored: {why}"),
    }
}

fn ignored(d: Decision) -> &'static str {
    match d {
        Decision::Ignore(why) => why,
        Decision::Apply(e) => panic!("applied: {:?}", e.outcome),
    }
}

fn at(s: &str) -> Timestamp {
    ts(s)
}

#[test]
fn create_prices_holds_and_writes_its_bookkeeping() {
    let c = plan(
        &MemberState::default(),
        "2027-01-05T09:00:00Z",
        "2027-01-05T10:00:00Z",
    )
    .unwrap();
    let b = &c.booking;
    assert_eq!(b.status, BookingStatus::Pending);
    assert_eq!(b.price.total, 3000);
    assert_eq!(b.hold_expires_at, Some(at(NOW) + HOLD));
    let kinds: Vec<_> = b.slots.iter().map(|s| (s.level, s.kind)).collect();
    assert_eq!(
        kinds,
        [
            (Level::Hour, SlotKind::Booking),
            (Level::Cell, SlotKind::Buffer),
            (Level::Cell, SlotKind::Buffer)
        ],
        "an hour booked, two quarter hours of buffer"
    );
    assert_eq!(b.cancellation_policy, Some(space().cancellation_policy));
    assert_eq!(c.holds, 1);
    assert_eq!(c.membership_version, None);
    assert!(c.usage.is_none());
    assert_eq!(
        c.marker,
        MarkerChange::Put {
            hold_expires_at: b.hold_expires_at
        }
    );
    assert_eq!(c.due[0].kind, DueKind::Expire);
    assert_eq!(c.event.detail_type, "BookingCreated");
    assert!(c.needs_payment() && c.payment.is_none());
}

#[test]
fn included_hours_make_a_booking_free_and_confirmed_inside_the_paid_period() {
    let state = member(2, 10, "2027-02-01T00:00:00Z");
    let c = plan(&state, "2027-01-05T09:00:00Z", "2027-01-05T10:00:00Z").unwrap();
    assert_eq!(c.booking.status, BookingStatus::Confirmed);
    assert_eq!(c.booking.price.total, 0);
    assert_eq!(c.holds, 0);
    assert_eq!(c.membership_version, Some(7));
    let usage = c.usage.clone().unwrap();
    assert_eq!(
        (usage.month.as_str(), usage.minutes, usage.allowance),
        ("2027-01", 60, 120)
    );
    assert_eq!(c.event.detail_type, "BookingConfirmed");
    assert!(!c.needs_payment());
    // Past the paid period (a month ahead): the full price, nothing included.
    let c = plan(&state, "2027-02-02T09:00:00Z", "2027-02-02T10:00:00Z").unwrap();
    assert_eq!(c.booking.price.total, 3000);
    assert!(c.usage.is_none() && c.booking.included.is_none());
}

#[test]
fn payment_confirms_a_live_hold_and_books_its_claims() {
    let (b, p) = pending();
    let e = apply(payment_succeeded(
        &b,
        Some(&p),
        (3000, "eur"),
        "evt_1",
        at(NOW),
    ));
    assert_eq!(e.outcome, Outcome::Confirmed);
    assert_eq!(e.after.status, BookingStatus::Confirmed);
    assert_eq!(e.after.version, b.version + 1);
    assert!(e.require_live_hold);
    assert_eq!(e.claims, ClaimChange::Book);
    assert_eq!(e.holds, -1);
    assert_eq!(
        e.marker,
        MarkerChange::Put {
            hold_expires_at: None
        }
    );
    assert_eq!(e.payment.as_ref().unwrap().status, PaymentStatus::Succeeded);
    assert_eq!(e.stripe_event_id.as_deref(), Some("evt_1"));
    assert_eq!(e.due[0].kind, DueKind::Remind);
    let types: Vec<&str> = e.events.iter().map(|e| e.detail_type.as_str()).collect();
    assert_eq!(types, ["PaymentSucceeded", "BookingConfirmed"]);
}

#[test]
fn another_amount_or_currency_never_confirms() {
    let (b, p) = pending();
    for (amount, currency) in [(2999, "eur"), (3001, "eur"), (3000, "usd"), (0, "eur")] {
        let e = apply(payment_succeeded(
            &b,
            Some(&p),
            (amount, currency),
            "evt",
            at(NOW),
        ));
        assert_eq!(e.outcome, Outcome::Mismatch);
        assert_eq!(e.after.status, BookingStatus::Pending);
        assert_eq!(e.after.hold_expires_at, b.hold_expires_at);
        assert_eq!(e.claims, ClaimChange::Keep);
        let paid = e.payment.unwrap();
        assert_eq!(paid.status, PaymentStatus::UnderReview);
        assert_eq!(paid.mismatch.unwrap().amount, amount);
        assert_eq!(e.audit.unwrap().action, "payment.mismatch");
        assert_eq!(e.events[0].detail_type, "PaymentMismatch");
    }
    // The matching amount in upper case is the same currency.
    let e = apply(payment_succeeded(
        &b,
        Some(&p),
        (3000, "EUR"),
        "evt",
        at(NOW),
    ));
    assert_eq!(e.outcome, Outcome::Confirmed);
    // A payment under review is never confirmed later by the lifecycle.
    let mut review = p.clone();
    review.status = PaymentStatus::UnderReview;
    assert_eq!(
        ignored(payment_succeeded(
            &b,
            Some(&review),
            (3000, "eur"),
            "evt2",
            at(NOW)
        )),
        "payment under review"
    );
}

#[test]
fn payment_after_the_hold_ran_out_reclaims_or_is_refunded_in_full() {
    let (b, p) = pending();
    let late = b.hold_expires_at.unwrap() + SignedDuration::from_secs(1);
    let e = apply(payment_succeeded(&b, Some(&p), (3000, "eur"), "evt", late));
    assert_eq!(e.outcome, Outcome::Reclaimed);
    assert_eq!(e.claims, ClaimChange::Reclaim);
    assert!(!e.require_live_hold);
    assert_eq!(e.holds, -1, "the stored status was still pending");
    // The store refused (a cell is someone else's): everything goes back.
    let r = reclaim_refused(&e, late);
    assert_eq!(r.outcome, Outcome::Refunded);
    assert_eq!(r.after.status, BookingStatus::Failed);
    assert_eq!(r.claims, ClaimChange::Abandon);
    assert_eq!(r.holds, -1);
    assert_eq!(r.marker, MarkerChange::Delete);
    assert_eq!(r.stripe_event_id.as_deref(), Some("evt"));
    let due = r.refund.clone().unwrap();
    assert_eq!((due.amount, due.reason.as_str()), (3000, "slot_lost"));
    assert_eq!(r.payment.as_ref().unwrap().refund_due, Some(due));
    assert!(r.due.iter().any(|d| d.kind == DueKind::Refund));
}

#[test]
fn reclaiming_after_expiry_takes_the_included_minutes_again() {
    let state = member(1, 0, "2027-02-01T00:00:00Z");
    // Two hours, one included: 30 EUR still due, so it is held.
    let mut c = plan(&state, "2027-01-05T09:00:00Z", "2027-01-05T11:00:00Z").unwrap();
    c.attach_intent("pi", "s", at(NOW));
    let (b, p) = (c.booking, c.payment.unwrap());
    assert_eq!(b.included.as_ref().unwrap().minutes, 60);
    let late = b.hold_expires_at.unwrap() + SignedDuration::from_secs(1);
    let expired = apply(expire(&b, Some(&p), late));
    assert_eq!(expired.usage.as_ref().unwrap().minutes, -60);
    assert_eq!(expired.after.included.as_ref().unwrap().returned, 60);
    assert_eq!(expired.cancel_intent.as_deref(), Some("pi"));
    let amount = (p.amount, p.currency.as_str());
    let reclaim = apply(payment_succeeded(
        &expired.after,
        expired.payment.as_ref(),
        amount,
        "evt",
        late,
    ));
    assert_eq!(reclaim.outcome, Outcome::Reclaimed);
    assert_eq!(reclaim.holds, 0, "expiry already gave the hold back");
    let u = reclaim.usage.unwrap();
    assert_eq!((u.minutes, u.allowance), (60, 60));
    assert_eq!(reclaim.after.included.unwrap().returned, 0);
    assert_eq!(
        reclaim.marker,
        MarkerChange::Put {
            hold_expires_at: None
        }
    );
}

#[test]
fn paid_after_cancellation_is_refunded_in_full_and_stays_cancelled() {
    let (b, p) = pending();
    let c = apply(
        cancel(
            &b,
            Some(&p),
            Actor::Booker,
            &Default::default(),
            None,
            at(NOW),
        )
        .unwrap(),
    );
    assert_eq!(c.cancel_intent.as_deref(), Some("pi_1"));
    let e = apply(payment_succeeded(
        &c.after,
        c.payment.as_ref(),
        (3000, "eur"),
        "evt",
        at(NOW),
    ));
    assert_eq!(e.outcome, Outcome::Refunded);
    assert_eq!(e.after.status, BookingStatus::Cancelled);
    assert_eq!(e.refund.unwrap().reason, "cancelled_before_payment");
    assert_eq!(e.holds, 0);
    assert!(e.events.iter().all(|e| e.detail_type != "BookingFailed"));
}

#[test]
fn news_about_a_settled_payment_changes_nothing() {
    let (b, p) = confirmed();
    assert_eq!(
        ignored(payment_succeeded(
            &b,
            Some(&p),
            (3000, "eur"),
            "evt2",
            at(NOW)
        )),
        "payment already recorded"
    );
    assert_eq!(
        ignored(payment_failed(&b, Some(&p), "evt3", at(NOW))),
        "booking no longer waits for payment"
    );
    assert_eq!(
        ignored(payment_succeeded(&b, None, (3000, "eur"), "evt4", at(NOW))),
        "booking without a payment"
    );
}

#[test]
fn a_declined_payment_releases_a_live_hold_and_keeps_an_expired_ones_claims() {
    let (b, p) = pending();
    let e = apply(payment_failed(&b, Some(&p), "evt", at(NOW)));
    assert_eq!(e.outcome, Outcome::Released);
    assert_eq!(e.after.status, BookingStatus::Failed);
    assert_eq!(e.claims, ClaimChange::Release);
    assert_eq!((e.holds, e.marker), (-1, MarkerChange::Delete));
    assert_eq!(e.payment.unwrap().status, PaymentStatus::Failed);
    let late = b.hold_expires_at.unwrap() + SignedDuration::from_secs(1);
    let e = apply(payment_failed(&b, Some(&p), "evt", late));
    assert_eq!(
        e.claims,
        ClaimChange::Abandon,
        "others may own them by now: only its marks are withdrawn"
    );
}

#[test]
fn the_booker_gets_what_the_policy_copied_onto_the_booking_gives_back() {
    let (mut b, p) = confirmed();
    // The operator made the policy stingier after the booking: it does not apply.
    let stingy = CancellationPolicy {
        full_refund_hours: 8760,
        partial_refund_hours: 8760,
        partial_refund_percent: 0,
    };
    // Default policy: 24 h full, 2 h 50 %. The booking starts 2027-01-05T09:00Z.
    for (now, percent, amount) in [
        ("2027-01-04T08:00:00Z", 100, 3000),
        ("2027-01-05T06:00:00Z", 50, 1500),
        ("2027-01-05T08:00:00Z", 0, 0),
    ] {
        let e = apply(cancel(&b, Some(&p), Actor::Booker, &stingy, None, at(now)).unwrap());
        assert_eq!(
            e.refund_decision,
            Some(RefundDecision { percent, amount }),
            "{now}"
        );
        assert_eq!(
            e.refund.as_ref().map(|r| r.amount),
            (amount > 0).then_some(amount)
        );
        assert_eq!(e.claims, ClaimChange::Release);
        assert_eq!((e.holds, e.marker), (0, MarkerChange::Delete));
        assert_eq!(e.events[0].detail["previous_status"], "confirmed");
        assert_eq!(e.events[0].detail["refund_amount"], amount);
    }
    // Without a copied policy (older bookings) the space's current one applies.
    b.cancellation_policy = None;
    let e = apply(cancel(&b, Some(&p), Actor::Booker, &stingy, None, at(NOW)).unwrap());
    assert_eq!(e.refund_decision.unwrap().amount, 0);
}

/// The preview a member sees before confirming is what the cancellation then decides, at
/// every notice (sampled every 7 minutes across the tiers and past the end), for both
/// kinds of canceller, paid or not.
#[test]
fn the_cancellation_preview_is_what_cancelling_decides() {
    let (b, paid) = confirmed();
    let (held, due) = pending();
    let start = ts("2027-01-03T00:00:00Z");
    for step in 0..((60 * 60) / 7) {
        let now = start + SignedDuration::from_mins(7 * step);
        for (booking, payment) in [(&b, &paid), (&held, &due)] {
            for actor in [Actor::Booker, Actor::Manager] {
                let preview = cancellation_preview(booking, Some(payment), actor, None, now);
                let decided = match cancel(
                    booking,
                    Some(payment),
                    actor,
                    &CancellationPolicy::default(),
                    None,
                    now,
                ) {
                    Ok(Decision::Apply(e)) => e.refund_decision,
                    _ => None,
                };
                assert_eq!(preview, decided, "{now} {actor:?}");
            }
        }
    }
    // Paid bookings do get a preview before their end, and never after it.
    assert!(cancellation_preview(&b, Some(&paid), Actor::Booker, None, at(NOW)).is_some());
    assert!(cancellation_preview(&b, Some(&paid), Actor::Booker, None, b.end_time).is_none());
}

#[test]
fn an_operator_or_admin_cancellation_refunds_in_full_and_is_audited() {
    let (b, p) = confirmed();
    let audit = crate::audit::AuditEntry::system("t", "booking.cancel", "b".into(), at(NOW));
    let late = at("2027-01-05T08:59:00Z");
    let e = apply(
        cancel(
            &b,
            Some(&p),
            Actor::Manager,
            &Default::default(),
            Some(audit),
            late,
        )
        .unwrap(),
    );
    assert_eq!(
        e.refund_decision.unwrap(),
        RefundDecision {
            percent: 100,
            amount: 3000
        }
    );
    assert_eq!(e.refund.unwrap().idempotency_key, "refund-b1-cancellation");
    assert!(e.audit.is_some());
    assert_eq!(e.events[0].detail["cancelled_by"], "manager");
}

#[test]
fn cancelling_an_unpaid_hold_makes_its_intent_unpayable_and_gives_everything_back() {
    let state = member(1, 0, "2027-02-01T00:00:00Z");
    // Starting an hour after it is made: cancelled while held, it is late by the policy.
    let mut c = plan(&state, "2027-01-04T09:00:00Z", "2027-01-04T11:00:00Z").unwrap();
    c.attach_intent("pi", "s", at(NOW));
    let (b, p) = (c.booking, c.payment.unwrap());
    // But nothing was paid: all included minutes go back.
    let e = apply(
        cancel(
            &b,
            Some(&p),
            Actor::Booker,
            &Default::default(),
            None,
            at("2027-01-04T08:05:00Z"),
        )
        .unwrap(),
    );
    assert_eq!(e.cancel_intent.as_deref(), Some("pi"));
    assert_eq!(e.payment.unwrap().status, PaymentStatus::Canceled);
    assert_eq!(e.usage.unwrap().minutes, -60);
    assert_eq!((e.holds, e.claims), (-1, ClaimChange::Release));
    assert!(e.refund.is_none());
}

#[test]
fn a_late_cancellation_of_a_free_booking_keeps_the_minutes_the_policy_keeps() {
    let state = member(2, 0, "2027-02-01T00:00:00Z");
    let c = plan(&state, "2027-01-05T09:00:00Z", "2027-01-05T10:00:00Z").unwrap();
    let b = c.booking;
    assert_eq!(b.status, BookingStatus::Confirmed);
    // 2 h before: the 50 % tier.
    let e = apply(
        cancel(
            &b,
            None,
            Actor::Booker,
            &Default::default(),
            None,
            at("2027-01-05T07:00:00Z"),
        )
        .unwrap(),
    );
    assert_eq!(e.usage.unwrap().minutes, -30);
    assert_eq!(e.after.included.unwrap().returned, 30);
    // By its operator: all of them.
    let e = apply(
        cancel(
            &b,
            None,
            Actor::Manager,
            &Default::default(),
            None,
            at("2027-01-05T07:00:00Z"),
        )
        .unwrap(),
    );
    assert_eq!(e.usage.unwrap().minutes, -60);
}

#[test]
fn cancelling_twice_or_after_the_end_is_refused_or_harmless() {
    let (b, p) = confirmed();
    let e = apply(
        cancel(
            &b,
            Some(&p),
            Actor::Booker,
            &Default::default(),
            None,
            at(NOW),
        )
        .unwrap(),
    );
    assert_eq!(
        ignored(
            cancel(
                &e.after,
                e.payment.as_ref(),
                Actor::Booker,
                &Default::default(),
                None,
                at(NOW)
            )
            .unwrap()
        ),
        "already cancelled"
    );
    let err = cancel(
        &b,
        Some(&p),
        Actor::Booker,
        &Default::default(),
        None,
        b.end_time,
    )
    .unwrap_err();
    assert!(matches!(err, DomainError::Conflict { .. }));
}

#[test]
fn an_expired_booking_can_be_cancelled_without_touching_its_claims() {
    let (b, p) = pending();
    let late = b.hold_expires_at.unwrap() + SignedDuration::from_secs(1);
    let e = apply(cancel(&b, Some(&p), Actor::Booker, &Default::default(), None, late).unwrap());
    assert_eq!(e.claims, ClaimChange::Abandon);
    assert_eq!(e.holds, -1);
    assert_eq!(e.events[0].detail["previous_status"], "expired");
}

#[test]
fn expiry_releases_only_holds_that_ran_out() {
    let (b, p) = pending();
    assert_eq!(
        ignored(expire(&b, Some(&p), at(NOW))),
        "not a hold that ran out"
    );
    let late = b.hold_expires_at.unwrap();
    let e = apply(expire(&b, Some(&p), late));
    assert_eq!(e.outcome, Outcome::Expired);
    assert_eq!(e.after.status, BookingStatus::Expired);
    assert_eq!(e.claims, ClaimChange::Abandon);
    assert_eq!((e.holds, e.marker), (-1, MarkerChange::Delete));
    assert_eq!(e.payment.unwrap().status, PaymentStatus::Canceled);
    assert_eq!(e.events[0].detail_type, "BookingExpired");
    let (c, cp) = confirmed();
    assert!(matches!(expire(&c, Some(&cp), late), Decision::Ignore(_)));
}

#[test]
fn refunds_are_recorded_once_and_settle_what_was_owed() {
    let (b, p) = confirmed();
    let c = apply(
        cancel(
            &b,
            Some(&p),
            Actor::Manager,
            &Default::default(),
            None,
            at(NOW),
        )
        .unwrap(),
    );
    let owed = c.refund.clone().unwrap();
    let record = |id: &str, key: Option<&str>| RefundRecord {
        stripe_refund_id: id.into(),
        amount: owed.amount,
        reason: owed.reason.clone(),
        idempotency_key: key.map(str::to_string),
        created_at: at(NOW),
        credit_note: None,
    };
    let e = apply(refund_settled(
        &c.after,
        c.payment.as_ref(),
        record("re_1", Some(&owed.idempotency_key)),
        Some("evt_r"),
        at(NOW),
    ));
    let paid = e.payment.clone().unwrap();
    assert_eq!(paid.refund_due, None, "settled");
    assert_eq!(
        (paid.refunded_amount, paid.status),
        (3000, PaymentStatus::Refunded)
    );
    assert_eq!(e.after.status, BookingStatus::Cancelled);
    // The same refund again (its webhook after our own recording): nothing.
    assert_eq!(
        ignored(refund_settled(
            &e.after,
            Some(&paid),
            record("re_1", None),
            None,
            at(NOW)
        )),
        "refund already recorded"
    );
    // A refund made in Stripe's dashboard does not settle ours.
    let e = apply(refund_settled(
        &c.after,
        c.payment.as_ref(),
        record("re_9", None),
        None,
        at(NOW),
    ));
    assert!(e.payment.unwrap().refund_due.is_some());
}

#[test]
fn a_refused_refund_closes_the_debt_for_an_admin() {
    let (b, p) = confirmed();
    let c = apply(
        cancel(
            &b,
            Some(&p),
            Actor::Manager,
            &Default::default(),
            None,
            at(NOW),
        )
        .unwrap(),
    );
    let e = apply(refund_refused(
        &c.after,
        c.payment.as_ref(),
        "charge_already_refunded",
        at(NOW),
    ));
    assert_eq!(e.outcome, Outcome::RefundRefused);
    assert!(e.payment.unwrap().refund_due.is_none());
    assert_eq!(e.audit.unwrap().action, "payment.refund-refused");
    assert_eq!(
        ignored(refund_refused(&b, Some(&p), "x", at(NOW))),
        "no refund owed"
    );
}

#[test]
fn every_decision_moves_the_version_by_one_and_keeps_identity() {
    let (b, p) = pending();
    let late = b.hold_expires_at.unwrap() + SignedDuration::from_secs(1);
    let decisions = [
        payment_succeeded(&b, Some(&p), (3000, "eur"), "e", at(NOW)),
        payment_succeeded(&b, Some(&p), (1, "eur"), "e", at(NOW)),
        payment_succeeded(&b, Some(&p), (3000, "eur"), "e", late),
        payment_failed(&b, Some(&p), "e", at(NOW)),
        cancel(
            &b,
            Some(&p),
            Actor::Booker,
            &Default::default(),
            None,
            at(NOW),
        )
        .unwrap(),
        expire(&b, Some(&p), late),
    ];
    for d in decisions {
        let e = apply(d);
        assert_eq!(e.after.version, e.before.version + 1);
        assert_eq!(
            (e.after.id.as_str(), e.after.slots.len()),
            (b.id.as_str(), b.slots.len())
        );
        assert_eq!(e.before, b);
    }
}

/// A paid booking (09:00-10:00 UTC on 2027-01-05) of a space that requires check-in: the
/// window opens 30 minutes ahead, a no-show is released 15 minutes in with 25 % back.
fn confirmed_with_check_in() -> (Booking, PaymentTransaction, Effects) {
    let mut s = space();
    s.check_in = Some(crate::space::CheckInPolicy {
        window_minutes: 30,
        grace_minutes: 15,
        no_show_refund_percent: 25,
    });
    let mut c = create(&NewBooking {
        id: "b1",
        user_id: "u1",
        space: &s,
        item: &sample_item(),
        period: Period::Hours {
            start: ts("2027-01-05T09:00:00Z"),
            end: ts("2027-01-05T10:00:00Z"),
        },
        member: &MemberState::default(),
        hold: HOLD,
        hold_limit: 5,
        now: ts(NOW),
        promo: None,
    })
    .unwrap();
    c.attach_intent("pi_1", "pi_1_secret", ts(NOW));
    let (b, p) = (c.booking, c.payment.unwrap());
    let e = apply(payment_succeeded(
        &b,
        Some(&p),
        (3000, "eur"),
        "evt_pay",
        ts(NOW),
    ));
    (e.after.clone(), e.payment.clone().unwrap(), e)
}

#[test]
fn confirming_a_booking_that_needs_check_in_schedules_its_no_show_release() {
    let (b, _, e) = confirmed_with_check_in();
    assert_eq!(b.check_in.unwrap().grace_minutes, 15);
    assert!(e.due.contains(&DueAt {
        kind: DueKind::NoShow,
        at: ts("2027-01-05T09:15:00Z"),
    }));
    // Without a rule: nothing of the kind.
    let (b, _) = confirmed();
    assert!(b.check_in.is_none());
}

#[test]
fn check_in_is_open_from_the_window_until_the_end_and_only_once() {
    let (b, _, _) = confirmed_with_check_in();
    assert!(check_in(&b, ts("2027-01-05T08:29:59Z")).is_err());
    assert!(check_in(&b, ts("2027-01-05T10:00:00Z")).is_err());
    let e = apply(check_in(&b, ts("2027-01-05T08:30:00Z")).unwrap());
    assert_eq!(e.after.checked_in_at, Some(ts("2027-01-05T08:30:00Z")));
    assert_eq!(e.after.status, BookingStatus::Confirmed);
    assert_eq!(e.claims, ClaimChange::Keep);
    assert_eq!(e.events[0].detail_type, "BookingCheckedIn");
    assert_eq!(
        ignored(check_in(&e.after, ts("2027-01-05T09:00:00Z")).unwrap()),
        "already checked in"
    );
    // An unpaid hold cannot be checked in to.
    let (p, _) = pending();
    assert!(check_in(&p, ts("2027-01-05T09:05:00Z")).is_err());
}

#[test]
fn a_no_show_is_released_after_the_grace_period_with_the_rules_refund() {
    let (b, p, _) = confirmed_with_check_in();
    assert_eq!(
        ignored(release_no_show(&b, Some(&p), ts("2027-01-05T09:14:59Z")).unwrap()),
        "still within the grace period"
    );
    let e = apply(release_no_show(&b, Some(&p), ts("2027-01-05T09:15:00Z")).unwrap());
    assert_eq!(e.outcome, Outcome::NoShow);
    assert_eq!(e.after.status, BookingStatus::Cancelled);
    assert!(e.after.no_show);
    // Every cell goes back (the past ones can no longer be booked anyway).
    assert_eq!(e.claims, ClaimChange::Release);
    assert_eq!(e.marker, MarkerChange::Delete);
    let refund = e.refund_decision.unwrap();
    assert_eq!((refund.percent, refund.amount), (25, 750));
    let cancelled = &e.events[0];
    assert_eq!(cancelled.detail_type, "BookingCancelled");
    assert_eq!(cancelled.detail["cancelled_by"], "no_show");
    // Checked in, over, cancelled, or without a rule: nothing to release.
    let checked = apply(check_in(&b, ts("2027-01-05T09:01:00Z")).unwrap()).after;
    assert_eq!(
        ignored(release_no_show(&checked, Some(&p), ts("2027-01-05T09:20:00Z")).unwrap()),
        "checked in"
    );
    assert_eq!(
        ignored(release_no_show(&b, Some(&p), ts("2027-01-05T10:00:00Z")).unwrap()),
        "already over"
    );
    assert_eq!(
        ignored(release_no_show(&e.after, Some(&p), ts("2027-01-05T09:20:00Z")).unwrap()),
        "not a confirmed booking"
    );
    let (plain, pp) = confirmed();
    assert_eq!(
        ignored(release_no_show(&plain, Some(&pp), ts("2027-01-05T09:20:00Z")).unwrap()),
        "no check-in required"
    );
}

#[test]
fn check_in_rules_are_validated_on_the_space() {
    let mut s = space();
    s.check_in = Some(crate::space::CheckInPolicy {
        window_minutes: 241,
        grace_minutes: 4,
        no_show_refund_percent: 101,
    });
    let err = crate::space_rules::validate_space(&s)
        .unwrap_err()
        .to_string();
    for field in [
        "check_in.window_minutes",
        "check_in.grace_minutes",
        "check_in.no_show_refund_percent",
    ] {
        assert!(err.contains(field), "{field}: {err}");
    }
}

#[test]
fn a_stay_is_priced_by_its_unit_needs_no_check_in_and_items_may_refuse_hours() {
    let mut s = space();
    s.check_in = Some(crate::space::CheckInPolicy {
        window_minutes: 15,
        grace_minutes: 15,
        no_show_refund_percent: 0,
    });
    let mut item = sample_item();
    item.stay_rates.week = Some(20_000);
    let state = member(10, 20, "2027-02-01T00:00:00Z");
    let new = |item: &BookableItem, period: Period| plan_for(&s, item, period, &state);
    let week = Period::Stay(crate::stay::StayRequest {
        unit: crate::stay::BookingUnit::Week,
        start_date: "2027-01-11".parse().unwrap(),
        quantity: 2,
    });
    let c = new(&item, week).unwrap();
    let b = &c.booking;
    assert_eq!((b.unit, b.quantity), (crate::stay::BookingUnit::Week, 2));
    // Two weeks from local midnight (Berlin, +01:00), 20 % off for the member, no
    // included hours taken, no check-in (and so no no-show release).
    assert_eq!(b.start_time, ts("2027-01-10T23:00:00Z"));
    assert_eq!(b.end_time, ts("2027-01-24T23:00:00Z"));
    assert_eq!((b.price.subtotal, b.price.total), (40_000, 32_000));
    assert!(c.usage.is_none() && b.included.is_none() && b.check_in.is_none());
    assert!(b.slots.iter().any(|s| s.level == Level::Day));
    // An item let only by the day or longer refuses hours, naming the field.
    item.hourly = false;
    let hours = Period::Hours {
        start: ts("2027-01-05T09:00:00Z"),
        end: ts("2027-01-05T10:00:00Z"),
    };
    assert_eq!(new(&item, hours).unwrap_err().rules(), ["unit:not_offered"]);
}

#[test]
fn a_booking_larger_than_a_whole_quota_is_refused_before_any_write() {
    let mut s = space();
    s.quotas.hours_per_week = Some(2);
    let period = (ts("2027-01-05T09:00:00Z"), ts("2027-01-05T12:00:00Z")).into();
    let err = plan_for(&s, &sample_item(), period, &MemberState::default()).unwrap_err();
    assert!(
        format!("{err:?}").contains("space.hours_per_week"),
        "{err:?}"
    );
}
