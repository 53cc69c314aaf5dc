//! Model-based: generated mixes of bookings, payments (right and wrong amounts), declines,
//! cancellations by members and operators, hold expiry, check-ins and no-show releases
//! (half the seeds require check-in), scheduler runs, item grid edits and space time-zone
//! edits, day passes and week stays of the same items, over zones with 30- and 45-minute
//! offsets and shifts. After
//! every step the invariants are read from the whole state:
//! - no two bookings of an item that hold their time share an instant;
//! - a booking that holds its time has every block claimed by itself and its mark on
//!   every block above them;
//! - the unpaid-holds counter of each member is the number of their pending bookings;
//! - the included-minutes counter of each member and month is what their bookings kept;
//! - the upcoming markers are exactly the live bookings;
//! - money: nothing refunded beyond what was paid, Stripe and our records agree once
//!   owed refunds are settled, and a confirmed booking's payment matches its price;
//! - a series' one payment asks Stripe for exactly its booked occurrences' shares;
//! - a waitlist offer is a booking of its waiter for the time they waited for.
//!
//! Series (all-or-none or the free ones, paid right or wrong, cancelled whole or from an
//! occurrence) and waitlists (joined, offered freed time as the worker would) are mixed in.

use std::collections::HashMap;

use jiff::SignedDuration;

use super::*;
use crate::ports::spaces::SpaceStore;
use domain::booking::BookingStatus;
use domain::membership::{Membership, MembershipStatus};
use domain::payment::PaymentStatus;
use domain::plan::PlanBenefits;

const ZONES: [&str; 7] = [
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Australia/Eucla",
    "America/St_Johns",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "Europe/Berlin",
];
const USERS: [&str; 3] = ["u1", "u2", "u3"];

pub(super) struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

fn membership(now: Timestamp) -> Membership {
    Membership {
        user_id: "u3".into(),
        plan_id: "p".into(),
        plan_name: "Flex".into(),
        benefits: PlanBenefits {
            discount_percent: 10,
            included_hours_per_month: 3,
            space_ids: vec![],
            // The plan's own limit, beside the space's.
            quotas: domain::quota::Quotas {
                bookings_per_day: Some(2),
                ..Default::default()
            },
        },
        stripe_customer_id: "cus".into(),
        stripe_subscription_id: "sub".into(),
        monthly_price: None,
        status: MembershipStatus::Active,
        current_period_end: Some(now + SignedDuration::from_hours(24 * 4)),
        cancel_at_period_end: false,
        stripe_event_at: 0,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

async fn edit_item(s: &Setup, rng: &mut Rng, id: &str) {
    let (space, items) = s.store.get_space("s1").await.unwrap().unwrap();
    let old = items.iter().find(|i| i.id == id).unwrap().clone();
    let mut new = old.clone();
    let slot = *rng.pick(&[15, 30, 60]);
    new.slot_minutes = slot;
    new.min_booking_minutes = slot;
    new.max_booking_minutes = slot * (4 + rng.below(4) as u32);
    new.buffer_minutes = slot * rng.below(2) as u32;
    new.version += 1;
    domain::space_rules::validate_item(&new).unwrap();
    let audit = domain::audit::AuditEntry::system("t", "item.update", id.into(), s.now());
    s.store
        .update_item(&space, &old, &new, &audit)
        .await
        .unwrap();
}

async fn edit_zone(s: &Setup, rng: &mut Rng) {
    let old = s.store.get_space_profile("s1").await.unwrap().unwrap();
    let mut new = old.clone();
    new.time_zone = rng.pick(&ZONES).to_string();
    new.version += 1;
    let audit = domain::audit::AuditEntry::system("t", "space.update", "s1".into(), s.now());
    s.store.update_space(&old, &new, &audit).await.unwrap();
}

/// A day pass (1 to 3 days) or a week, starting today or in the next three local days.
async fn stay_request(s: &Setup, rng: &mut Rng) -> Period {
    let space = s.store.get_space_profile("s1").await.unwrap().unwrap();
    let tz = jiff::tz::TimeZone::get(&space.time_zone).unwrap();
    let day = s.now().to_zoned_datetime(tz).date() + jiff::Span::new().days(rng.below(4) as i64);
    let (unit, quantity) = if rng.below(4) == 0 {
        (domain::stay::BookingUnit::Week, 1)
    } else {
        (domain::stay::BookingUnit::Day, 1 + rng.below(3) as u32)
    };
    Period::Stay(domain::stay::StayRequest {
        unit,
        start_date: day,
        quantity,
    })
}

/// A request on the item's current local grid (sometimes off it, or too long), in the
/// space's current zone, within the next three days.
async fn request(s: &Setup, rng: &mut Rng, item_id: &str) -> (Timestamp, Timestamp) {
    let (space, items) = s.store.get_space("s1").await.unwrap().unwrap();
    let item = items.iter().find(|i| i.id == item_id).unwrap();
    let tz = jiff::tz::TimeZone::get(&space.time_zone).unwrap();
    let slot = item.slot_minutes as i64;
    let day = s.now().to_zoned_datetime(tz.clone()).date()
        + jiff::Span::new().days(1 + rng.below(3) as i64);
    let minute =
        slot * rng.below(24 * 60 / slot as u64) as i64 + if rng.below(20) == 0 { 5 } else { 0 };
    let local = day.to_datetime(jiff::civil::Time::midnight()) + SignedDuration::from_mins(minute);
    let start = tz.to_ambiguous_timestamp(local).compatible().unwrap();
    let slots = 1 + rng.below(6) as i64;
    let end_local = local + SignedDuration::from_mins(slot * slots);
    let end = tz.to_ambiguous_timestamp(end_local).compatible().unwrap();
    (start, end)
}

fn check_invariants(s: &Setup, settle_money: bool, step: usize) {
    let now = s.now();
    let w = s.store.world.lock().unwrap();
    let ctx = |what: &str| format!("step {step}: {what}");
    // No overlap between bookings that hold their time.
    let mut by_item: HashMap<&str, Vec<&Booking>> = HashMap::new();
    for b in w.bookings.values().filter(|b| b.holds_slots(now)) {
        by_item.entry(&b.bookable_item_id).or_default().push(b);
    }
    for bookings in by_item.values() {
        for (i, a) in bookings.iter().enumerate() {
            for b in &bookings[i + 1..] {
                assert!(
                    a.end_time <= b.start_time || b.end_time <= a.start_time,
                    "{}",
                    ctx(&format!(
                        "overlap {}..{} and {}..{}",
                        a.start_time, a.end_time, b.start_time, b.end_time
                    ))
                );
            }
            let k = |block| (a.space_id.clone(), a.bookable_item_id.clone(), block);
            for slot in &a.slots {
                let claim = w.claims.get(&k(slot.block()));
                assert_eq!(
                    claim.map(|c| c.booking_id.as_str()),
                    Some(a.id.as_str()),
                    "{}",
                    ctx("claim")
                );
            }
            for block in a.intents() {
                assert!(
                    w.marks.get(&k(block)).is_some_and(|m| m.contains(&a.id)),
                    "{}",
                    ctx("mark")
                );
            }
        }
    }
    for user in USERS {
        // A series takes one place, whatever its length.
        let pending = w
            .bookings
            .values()
            .filter(|b| {
                b.user_id == user
                    && b.status == BookingStatus::Pending
                    && b.series.as_ref().is_none_or(|l| l.counts_hold)
            })
            .count() as i64;
        assert_eq!(
            *w.holds.get(user).unwrap_or(&0),
            pending,
            "{}",
            ctx("holds counter")
        );
    }
    let mut kept: HashMap<(String, String), i64> = HashMap::new();
    for b in w.bookings.values() {
        if let Some(inc) = &b.included {
            *kept
                .entry((b.user_id.clone(), inc.month.clone()))
                .or_default() += inc.minutes as i64 - inc.returned as i64;
        }
    }
    for (key, minutes) in &w.usage {
        assert_eq!(
            *minutes,
            *kept.get(key).unwrap_or(&0),
            "{}",
            ctx("usage counter")
        );
        assert!(*minutes <= 180, "{}", ctx("allowance"));
    }
    // Quota counters: what the live bookings (by stored status) take, never past a limit.
    let mut taken: HashMap<(String, String), (i64, i64)> = HashMap::new();
    for b in w.bookings.values().filter(|b| b.status.is_live()) {
        for q in &b.quotas {
            let e = taken
                .entry((b.user_id.clone(), q.counter.clone()))
                .or_insert((0, q.limit));
            e.0 += q.amount;
        }
    }
    for (key, used) in &w.quotas {
        let (expected, _) = taken.get(key).copied().unwrap_or((0, 0));
        assert_eq!(*used, expected, "{}", ctx("quota counter"));
    }
    for (key, (used, limit)) in &taken {
        assert_eq!(w.quotas.get(key), Some(used), "{}", ctx("quota counter"));
        assert!(used <= limit, "{}", ctx(&format!("quota {key:?} passed")));
    }
    let live: std::collections::HashSet<&str> = w
        .bookings
        .values()
        .filter(|b| b.status.is_live())
        .map(|b| b.id.as_str())
        .collect();
    let marked: std::collections::HashSet<&str> =
        w.markers.keys().map(|(_, _, b)| b.as_str()).collect();
    assert_eq!(live, marked, "{}", ctx("markers"));
    for series in w.series.values() {
        let Some(pay) = &series.payment else { continue };
        let shares: i64 = series
            .occurrences
            .iter()
            .filter_map(|o| w.payments.get(o.booking_id.as_deref()?))
            .filter(|p| p.stripe_payment_intent_id == pay.stripe_payment_intent_id)
            .map(|p| p.amount)
            .sum();
        assert_eq!(shares, pay.amount, "{}", ctx("series total"));
        let intent = s.stripe.intent(&pay.stripe_payment_intent_id).unwrap();
        assert_eq!(
            intent.amount,
            pay.amount,
            "{}",
            ctx("series intent at Stripe")
        );
    }
    for e in &w.waitlist {
        if let Some(id) = &e.offer_booking_id {
            let b = &w.bookings[id];
            assert_eq!(
                (b.user_id.as_str(), b.start_time, b.end_time),
                (e.user_id.as_str(), e.start_time, e.end_time),
                "{}",
                ctx("waitlist offer")
            );
        }
    }
    for b in w.bookings.values() {
        let Some(p) = w.payments.get(&b.id) else {
            assert_eq!(b.price.total, 0, "{}", ctx("a paid booking has a payment"));
            continue;
        };
        assert!(p.refunded_amount <= p.amount, "{}", ctx("over-refunded"));
        // An intent pays one booking, or every occurrence of a series: Stripe's refunds of
        // it are compared with the records of everything it pays.
        let paid_by_it: Vec<&domain::payment::PaymentTransaction> = w
            .payments
            .values()
            .filter(|q| q.stripe_payment_intent_id == p.stripe_payment_intent_id)
            .collect();
        let recorded: i64 = paid_by_it.iter().map(|q| q.refunded_amount).sum();
        let amount: i64 = paid_by_it.iter().map(|q| q.amount).sum();
        let at_stripe = s.stripe.refunded(&p.stripe_payment_intent_id);
        if b.status == BookingStatus::Confirmed {
            assert!(p.status.was_paid(), "{}", ctx("confirmed unpaid"));
            assert_eq!(p.amount, b.price.total, "{}", ctx("amount"));
        }
        if p.status == PaymentStatus::UnderReview {
            assert_ne!(
                b.status,
                BookingStatus::Confirmed,
                "{}",
                ctx("confirmed under review")
            );
        }
        if settle_money {
            assert!(
                p.refund_due.is_none(),
                "{}: {:?} {:?} due={:?} at_stripe={} refunds={:?}",
                ctx("refund still owed"),
                b.status,
                p,
                w.due
                    .iter()
                    .filter(|d| d.booking_id == b.id)
                    .collect::<Vec<_>>(),
                at_stripe,
                s.stripe.refunds(&p.stripe_payment_intent_id)
            );
            assert_eq!(at_stripe, recorded, "{}", ctx("Stripe and our record"));
        } else {
            assert!(
                at_stripe <= amount,
                "{}",
                ctx("refunded at Stripe beyond the amount")
            );
        }
    }
    check_documents(&w, settle_money, &ctx);
}

/// Invoices and credit notes: a paid booking that is kept has one invoice of what was
/// charged; each refund of an invoiced payment one credit note of what went back; every
/// issuer's numbers of each kind run 1..n without a gap or repeat.
fn check_documents(
    w: &crate::fakes::bookings::World,
    settle_money: bool,
    ctx: &dyn Fn(&str) -> String,
) {
    use domain::invoice::DocumentKind;
    let docs = &w.invoices.documents;
    let doc = |id: &str| {
        let found: Vec<_> = docs.iter().filter(|d| d.id() == id).collect();
        assert_eq!(found.len(), 1, "{}", ctx("one document per id"));
        found[0]
    };
    for (id, p) in &w.payments {
        let b = &w.bookings[id];
        if b.status == BookingStatus::Confirmed && p.status.was_paid() && p.amount > 0 {
            assert!(p.invoice.is_some(), "{}", ctx("a kept payment is invoiced"));
        }
        let Some(inv) = &p.invoice else {
            assert!(
                p.refunds.iter().all(|r| r.credit_note.is_none()),
                "{}",
                ctx("credit note without invoice")
            );
            continue;
        };
        let inv = doc(inv);
        assert_eq!(inv.kind, DocumentKind::Invoice, "{}", ctx("invoice kind"));
        assert_eq!(inv.totals.gross, p.amount, "{}", ctx("invoice = charge"));
        assert_eq!(
            inv.lines.iter().map(|l| l.net + l.tax).sum::<i64>(),
            p.amount,
            "{}",
            ctx("invoice lines add up")
        );
        assert_eq!(inv.buyer_id, b.user_id, "{}", ctx("invoice buyer"));
        let mut credited = 0;
        for r in &p.refunds {
            match &r.credit_note {
                Some(cn) => {
                    let cn = doc(cn);
                    assert_eq!(cn.totals.gross, -r.amount, "{}", ctx("credit = refund"));
                    assert_eq!(
                        cn.credits.as_deref(),
                        Some(inv.written_number().as_str()),
                        "{}",
                        ctx("credit note names its invoice")
                    );
                    credited += r.amount;
                }
                None => assert!(!settle_money, "{}", ctx("a refund without credit note")),
            }
        }
        assert!(
            credited <= inv.totals.gross,
            "{}",
            ctx("credited beyond invoice")
        );
    }
    let mut numbers: HashMap<(&str, DocumentKind), Vec<u64>> = HashMap::new();
    for d in docs {
        numbers
            .entry((&d.issuer, d.kind))
            .or_default()
            .push(d.number);
    }
    for ((issuer, kind), mut ns) in numbers {
        ns.sort_unstable();
        let expected: Vec<u64> = (1..=ns.len() as u64).collect();
        assert_eq!(ns, expected, "{}", ctx("gapless numbers"));
        assert_eq!(
            w.invoices.sequences.get(&(issuer.to_string(), kind)),
            Some(&(ns.len() as u64)),
            "{}",
            ctx("sequence")
        );
    }
}

#[tokio::test]
async fn generated_lifecycles_never_overlap_and_keep_every_count_and_amount() {
    let mut operations = 0;
    // (created, refused as invalid, refused as conflicting)
    let mut outcomes = (0, 0, 0);
    let (mut checked_in, mut no_shows, mut stays, mut quota_refusals) = (0, 0, 0, 0);
    let (mut series_made, mut series_paid, mut offers) = (0, 0, 0);
    let mut documents = [0; 2];
    for seed in 1..=12u64 {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
        let s = Setup::new("2027-03-28T00:00:00Z");
        let mut place = space("s1", ZONES[rng.below(ZONES.len() as u64) as usize]);
        // Some seeds limit each member's hours per week and bookings per day.
        if seed % 3 != 0 {
            place.quotas = domain::quota::Quotas {
                hours_per_week: Some(4 + rng.below(8) as u32),
                bookings_per_day: Some(1 + rng.below(3) as u32),
                days_ahead: None,
            };
        }
        // Half the seeds require check-in: no-shows are released by scheduler runs.
        if seed % 2 == 0 {
            place.check_in = Some(domain::space::CheckInPolicy {
                window_minutes: rng.below(61) as u32,
                grace_minutes: 5 + rng.below(26) as u32,
                no_show_refund_percent: rng.below(101) as u8,
            });
        }
        // Both items are also sold by the day and the week: day passes and stays race
        // hourly bookings of the same item.
        let items = [item("i1", "s1", 60, 0), item("i2", "s1", 30, 30)].map(|mut i| {
            i.stay_rates = domain::stay::StayRates {
                day: Some(2_000),
                week: Some(9_000),
                month: None,
                open_ended: false,
            };
            i
        });
        s.store.put_space(place, items.to_vec());
        s.store.put_membership(membership(s.now()));
        let mut ids: Vec<String> = Vec::new();
        let mut series_ids: Vec<String> = Vec::new();
        // Bookings whose freeing the waitlist worker has seen.
        let mut seen_freed: std::collections::HashSet<String> = Default::default();
        for step in 0..200 {
            operations += 1;
            let pick_booking = |rng: &mut Rng, ids: &[String]| {
                (!ids.is_empty()).then(|| ids[rng.below(ids.len() as u64) as usize].clone())
            };
            match rng.below(112) {
                0..=39 => {
                    let item = *rng.pick(&["i1", "i2"]);
                    let user = *rng.pick(&USERS);
                    let when = if rng.below(5) == 0 {
                        stay_request(&s, &mut rng).await
                    } else {
                        request(&s, &mut rng, item).await.into()
                    };
                    match s.book(user, item, when).await {
                        Ok((b, _)) => {
                            outcomes.0 += 1;
                            stays += usize::from(!b.unit.is_hour());
                            ids.push(b.id)
                        }
                        Err(AppError::Validation(_)) => outcomes.1 += 1,
                        Err(AppError::Conflict { conflict, .. }) => {
                            outcomes.2 += 1;
                            quota_refusals +=
                                usize::from(conflict.is_some_and(|c| c.get("quota").is_some()));
                        }
                        Err(e) => panic!("step {step}: {e:?}"),
                    }
                }
                40..=54 => {
                    if let Some(id) = pick_booking(&mut rng, &ids)
                        && s.stored(&id).await.1.is_some()
                    {
                        s.pay(&id).await;
                    }
                }
                55..=57 => {
                    if let Some(id) = pick_booking(&mut rng, &ids)
                        && s.stored(&id).await.1.is_some()
                    {
                        s.paid_news(&id, 1 + rng.below(5000) as i64, "eur").await;
                    }
                }
                58..=60 => {
                    if let Some(id) = pick_booking(&mut rng, &ids)
                        && let (_, Some(p)) = s.stored(&id).await
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
                            &format!("evt_f{step}"),
                            &pi,
                            s.now(),
                        )
                        .await
                        .unwrap();
                    }
                }
                61..=72 => {
                    if let Some(id) = pick_booking(&mut rng, &ids) {
                        let owner = s.stored(&id).await.0.user_id;
                        let by = if rng.below(3) == 0 {
                            operator()
                        } else {
                            member(&owner)
                        };
                        if rng.below(4) == 0 {
                            s.stripe
                                .refund_outages
                                .store(1, std::sync::atomic::Ordering::SeqCst);
                        }
                        match s.cancel(&id, &by).await {
                            Ok(_) | Err(AppError::Conflict { .. }) => {}
                            Err(e) => panic!("step {step}: {e:?}"),
                        }
                    }
                }
                // Minutes mostly; now and then hours, so bookings' times come and pass
                // (check-in windows, grace periods, ends). The scheduler runs every
                // minute in production: here at least every hour while time jumps.
                73..=79 => {
                    if rng.below(3) == 0 {
                        for _ in 0..1 + rng.below(24) {
                            s.advance(SignedDuration::from_hours(1));
                            no_shows += s.scheduler().await.no_shows;
                        }
                    } else {
                        s.advance(SignedDuration::from_mins(1 + rng.below(20) as i64));
                    }
                }
                80..=82 => {
                    // Mostly a booking whose check-in may be open now, else any.
                    let mut open = Vec::new();
                    for id in &ids {
                        let b = s.stored(id).await.0;
                        if b.status == BookingStatus::Confirmed
                            && b.start_time - SignedDuration::from_hours(1) <= s.now()
                            && s.now() < b.end_time
                        {
                            open.push(id.clone());
                        }
                    }
                    let target = if open.is_empty() || rng.below(4) == 0 {
                        pick_booking(&mut rng, &ids)
                    } else {
                        Some(open[rng.below(open.len() as u64) as usize].clone())
                    };
                    if let Some(id) = target {
                        let owner = s.stored(&id).await.0.user_id;
                        let checked = crate::usecase::check_in::check_in_booking(
                            &s.store,
                            &s.stripe,
                            &member(&owner),
                            &id,
                            s.now(),
                        )
                        .await;
                        match checked {
                            Ok(_) => checked_in += 1,
                            Err(AppError::Conflict { .. }) => {}
                            Err(e) => panic!("step {step}: {e:?}"),
                        }
                    }
                }
                83..=88 => {
                    no_shows += s.scheduler().await.no_shows;
                }
                89..=93 => {
                    let id = *rng.pick(&["i1", "i2"]);
                    edit_item(&s, &mut rng, id).await;
                }
                94..=96 => edit_zone(&s, &mut rng).await,
                97..=99 => {
                    if let Some(id) = pick_booking(&mut rng, &ids)
                        && s.stored(&id).await.1.is_some()
                    {
                        s.refund_news(&id).await;
                    }
                }
                100..=103 => {
                    let item = *rng.pick(&["i1", "i2"]);
                    let user = *rng.pick(&USERS);
                    let (start, end) = request(&s, &mut rng, item).await;
                    let rule = *rng.pick(&[
                        "FREQ=DAILY;COUNT=3",
                        "FREQ=WEEKLY;COUNT=2",
                        "FREQ=DAILY;INTERVAL=2;COUNT=4",
                    ]);
                    let key = format!("series-{seed}-{step}");
                    let cmd = crate::usecase::series::SeriesCommand {
                        user_id: user,
                        idempotency_key: &key,
                        item_id: item,
                        start,
                        end,
                        rrule: rule,
                        on_conflict: if rng.below(2) == 0 {
                            domain::series::OnConflict::Skip
                        } else {
                            domain::series::OnConflict::Refuse
                        },
                    };
                    match s.desk.create_series(&cmd, s.now()).await {
                        Ok(a) => {
                            series_made += 1;
                            ids.extend(a.bookings.iter().map(|(b, _)| b.id.clone()));
                            series_ids.push(a.series.id);
                        }
                        Err(AppError::Validation(_) | AppError::Conflict { .. }) => {}
                        Err(e) => panic!("step {step}: {e:?}"),
                    }
                }
                104..=106 => {
                    if !series_ids.is_empty() {
                        let id = series_ids[rng.below(series_ids.len() as u64) as usize].clone();
                        let series = crate::ports::series::SeriesStore::get_series(&s.store, &id)
                            .await
                            .unwrap()
                            .unwrap();
                        if let Some(pay) = series.payment {
                            let amount = if rng.below(5) == 0 {
                                pay.amount - 1 - rng.below(100) as i64
                            } else {
                                pay.amount
                            };
                            s.stripe.pay(&pay.stripe_payment_intent_id);
                            let pi = PaymentIntentObject {
                                id: pay.stripe_payment_intent_id,
                                amount,
                                currency: "eur".into(),
                                metadata: HashMap::from([("series_id".to_string(), id)]),
                            };
                            let out = crate::usecase::payments::payment_succeeded(
                                &s.store,
                                &s.stripe,
                                &format!("evt_s{step}"),
                                &pi,
                                s.now(),
                            )
                            .await
                            .unwrap();
                            series_paid += usize::from(out == Outcome::Confirmed);
                        }
                    }
                }
                107 => {
                    if !series_ids.is_empty() {
                        let id = series_ids[rng.below(series_ids.len() as u64) as usize].clone();
                        let series = crate::ports::series::SeriesStore::get_series(&s.store, &id)
                            .await
                            .unwrap()
                            .unwrap();
                        let from = (rng.below(2) == 0)
                            .then(|| series.occurrences.last().map(|o| o.start_time))
                            .flatten();
                        let cancelled = crate::usecase::series_manage::cancel_series(
                            &s.store,
                            &s.stripe,
                            &member(&series.user_id),
                            &id,
                            from,
                            s.now(),
                        )
                        .await;
                        match cancelled {
                            Ok(_) | Err(AppError::Conflict { .. }) => {}
                            Err(e) => panic!("step {step}: {e:?}"),
                        }
                    }
                }
                _ => {
                    let user = *rng.pick(&USERS);
                    // Mostly the time of a booking (taken while it lasts), else any.
                    let (item, when) = match pick_booking(&mut rng, &ids) {
                        Some(id) if rng.below(4) != 0 => {
                            let b = s.stored(&id).await.0;
                            (b.bookable_item_id, (b.start_time, b.end_time))
                        }
                        _ => {
                            let item = rng.pick(&["i1", "i2"]).to_string();
                            let when = request(&s, &mut rng, &item).await;
                            (item, when)
                        }
                    };
                    let item = item.as_str();
                    match s
                        .desk
                        .join_waitlist(&member(user), item, when, s.now())
                        .await
                    {
                        Ok(_) | Err(AppError::Validation(_) | AppError::Conflict { .. }) => {}
                        Err(e) => panic!("step {step}: {e:?}"),
                    }
                }
            }
            // The waitlist worker: every booking that let its time go is news once.
            let freed: Vec<Booking> = s
                .store
                .world
                .lock()
                .unwrap()
                .bookings
                .values()
                .filter(|b| !b.holds_slots(s.now()) && !seen_freed.contains(&b.id))
                .cloned()
                .collect();
            for b in freed {
                seen_freed.insert(b.id.clone());
                let news = crate::usecase::waitlist::Freed {
                    booking_id: &b.id,
                    item_id: &b.bookable_item_id,
                    start: b.start_time,
                    end: b.end_time,
                };
                for offer in s.desk.offer_freed(&news, s.now()).await.unwrap() {
                    offers += 1;
                    ids.extend(offer.offer_booking_id);
                }
            }
            check_invariants(&s, false, step);
        }
        // Stripe comes back for good: every refund owed is settled.
        s.stripe
            .refund_outages
            .store(0, std::sync::atomic::Ordering::SeqCst);
        s.advance(crate::usecase::scheduler::REFUND_RETRY_LATER + SignedDuration::from_mins(1));
        assert_eq!(s.scheduler().await.failed, 0);
        check_invariants(&s, true, 10_000);
        let w = s.store.world.lock().unwrap();
        assert!(
            w.bookings
                .values()
                .any(|b| b.status == BookingStatus::Confirmed)
                && w.bookings
                    .values()
                    .any(|b| b.status == BookingStatus::Cancelled),
            "seed {seed} exercised confirmations and cancellations"
        );
        for d in &w.invoices.documents {
            documents[usize::from(d.kind == domain::invoice::DocumentKind::CreditNote)] += 1;
        }
    }
    assert!(
        documents[0] > 50 && documents[1] > 10,
        "invoices and credit notes were issued: {documents:?}"
    );
    assert!(operations >= 2000);
    let (created, invalid, conflicting) = outcomes;
    assert!(
        created > 200 && invalid > 20 && conflicting > 20,
        "the run exercised every outcome: {outcomes:?}"
    );
    assert!(stays > 20, "day passes and stays were made: {stays}");
    assert!(
        quota_refusals > 10,
        "quotas refused bookings: {quota_refusals}"
    );
    assert!(
        series_made > 10 && series_paid > 3 && offers > 3,
        "series ({series_made}, paid {series_paid}) and waitlist offers ({offers}) were made"
    );
    assert!(
        checked_in > 0 && no_shows > 0,
        "check-ins ({checked_in}) and no-show releases ({no_shows}) were exercised"
    );
}
