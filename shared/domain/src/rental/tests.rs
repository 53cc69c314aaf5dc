use super::*;
use jiff::civil::date;

fn rental() -> Rental {
    let now: Timestamp = "2027-01-10T00:00:00Z".parse().unwrap();
    Rental {
        id: "r1".into(),
        user_id: "u".into(),
        space_id: "s".into(),
        item_id: "i".into(),
        start_date: date(2027, 1, 15),
        rent: Money {
            amount: 120_000,
            currency: "EUR".into(),
        },
        status: RentalStatus::Active,
        end_reason: None,
        stripe_customer_id: None,
        stripe_subscription_id: Some("sub".into()),
        paid_invoices: vec!["in_0".into()],
        last_month: 1,
        version: 3,
        created_at: now,
        updated_at: now,
    }
}

fn end_of(m: &StayRequest) -> Date {
    m.start_date.checked_add(Span::new().months(1)).unwrap()
}

#[test]
fn months_tile_without_gap_or_overlap_for_every_allowed_start_day() {
    // Every start day of four years (leap years and every month length), 40 months on.
    let mut start = date(2027, 1, 1);
    while start < date(2031, 1, 1) {
        if start.day() <= LAST_START_DAY {
            for k in 0..40 {
                let (this, next) = (
                    month_stay(start, k).unwrap(),
                    month_stay(start, k + 1).unwrap(),
                );
                assert_eq!(end_of(&this), next.start_date, "{start} month {k}");
                assert_eq!(this.unit, BookingUnit::Month);
                assert_eq!(this.quantity, 1);
            }
        }
        start = start.tomorrow().unwrap();
    }
}

#[test]
fn a_start_after_the_28th_would_leave_days_between_months() {
    // Why starts stop at the 28th: from 31 January, month 1 (28 Feb + 1 month = 28 Mar)
    // would end days before month 2 (31 March) begins.
    let start = date(2027, 1, 31);
    let one = month_stay(start, 1).unwrap();
    assert_ne!(end_of(&one), month_stay(start, 2).unwrap().start_date);
    assert!(check_start(start, date(2027, 1, 20)).is_err());
}

#[test]
fn a_start_is_checked_for_its_day_and_how_far_ahead() {
    let today = date(2027, 3, 10);
    assert!(check_start(date(2027, 3, 10), today).is_ok());
    assert!(check_start(date(2027, 4, 10), today).is_ok());
    let err = |d| format!("{:?}", check_start(d, today).unwrap_err());
    assert!(err(date(2027, 3, 9)).contains("range"));
    assert!(err(date(2027, 4, 11)).contains("range"));
    assert!(err(date(2027, 3, 29)).contains("day_of_month"));
    // Extreme dates are refused, never a panic.
    assert!(check_start(Date::MAX, today).is_err());
    assert!(month_stay(Date::MAX, 1).is_none());
}

#[test]
fn an_invoice_pays_the_next_month_only_with_the_rent_in_its_currency() {
    let r = rental();
    assert_eq!(r.invoice("in_1", 120_000, "eur"), InvoiceFit::Pays(1));
    assert_eq!(
        r.invoice("in_0", 120_000, "EUR"),
        InvoiceFit::AlreadyApplied
    );
    for (amount, currency) in [
        (119_999, "EUR"),
        (120_001, "EUR"),
        (120_000, "USD"),
        (0, "EUR"),
    ] {
        assert_eq!(
            r.invoice("in_1", amount, currency),
            InvoiceFit::WrongAmount,
            "{amount} {currency}"
        );
    }
    let mut ended = r.clone();
    ended.status = RentalStatus::Ended;
    assert_eq!(ended.invoice("in_1", 120_000, "EUR"), InvoiceFit::AfterEnd);
    assert_eq!(r.month_key(2), "rental#r1#2");
    assert_eq!(r.month(2).unwrap().start_date, date(2027, 3, 15));
}
