//! Wire types of recurring series (`POST /series`, `GET /series/{id}`,
//! `POST /series/{id}/cancel`).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::api::bookings::BookingView;
use app::usecase::series::SeriesAnswer;
use domain::series::OnConflict;

/// `POST /series`: the first occurrence, the rule, and what to do when some occurrences
/// are taken.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesRequest {
    pub bookable_item_id: String,
    /// The first occurrence's start; the others keep its local time in the space's zone.
    #[schema(value_type = String, format = DateTime)]
    pub start_time: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub end_time: Timestamp,
    /// An RFC 5545 RRULE subset: `FREQ=DAILY|WEEKLY`, `INTERVAL`, `BYDAY`, and one of
    /// `COUNT` or `UNTIL`; e.g. `FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10`.
    pub rrule: String,
    /// `refuse` (default): book all or nothing (409 lists the conflicts); `skip`: book
    /// the free occurrences and list the others.
    #[serde(default)]
    pub on_conflict: OnConflict,
}

/// `POST /series/{id}/cancel`.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelSeriesRequest {
    /// Cancel the occurrences starting at or after this instant (absent: every one not
    /// yet over). An unpaid series is only cancelled whole.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub from: Option<Timestamp>,
}

/// One occurrence: its booking, or why it was not booked.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OccurrenceView<'a> {
    pub index: u32,
    #[schema(value_type = String, format = DateTime)]
    pub start_time: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub end_time: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booking: Option<BookingView<'a>>,
    /// Why it was not booked (as the single booking's answer would say).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub conflict: Option<&'a serde_json::Value>,
}

/// The series' one payment.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SeriesPaymentView<'a> {
    pub amount: i64,
    pub currency: &'a str,
    pub stripe_payment_intent_id: &'a str,
    /// For Stripe.js: only to the member, and only while an occurrence waits for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<&'a str>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SeriesView<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub space_id: &'a str,
    pub bookable_item_id: &'a str,
    pub time_zone: &'a str,
    pub rrule: &'a str,
    pub on_conflict: OnConflict,
    /// How many occurrences were booked, and how many were not.
    pub booked: usize,
    pub not_booked: usize,
    pub occurrences: Vec<OccurrenceView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<SeriesPaymentView<'a>>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl<'a> SeriesView<'a> {
    pub fn new(a: &'a SeriesAnswer, viewer: &str, now: Timestamp) -> Self {
        let s = &a.series;
        let occurrences: Vec<OccurrenceView<'a>> = s
            .occurrences
            .iter()
            .map(|o| OccurrenceView {
                index: o.index,
                start_time: o.start_time,
                end_time: o.end_time,
                booking: o.booking_id.as_deref().and_then(|id| {
                    a.bookings
                        .iter()
                        .find(|(b, _)| b.id == id)
                        .map(|(b, p)| BookingView::new(b, now).with_payment(p.as_ref(), viewer))
                }),
                conflict: o.conflict.as_ref(),
            })
            .collect();
        let waiting = a
            .bookings
            .iter()
            .any(|(b, _)| b.status_at(now) == domain::booking::BookingStatus::Pending);
        Self {
            id: &s.id,
            user_id: &s.user_id,
            space_id: &s.space_id,
            bookable_item_id: &s.bookable_item_id,
            time_zone: &s.time_zone,
            rrule: &s.rrule,
            on_conflict: s.on_conflict,
            booked: s
                .occurrences
                .iter()
                .filter(|o| o.booking_id.is_some())
                .count(),
            not_booked: s
                .occurrences
                .iter()
                .filter(|o| o.booking_id.is_none())
                .count(),
            occurrences,
            payment: s.payment.as_ref().map(|p| SeriesPaymentView {
                amount: p.amount,
                currency: &p.currency,
                stripe_payment_intent_id: &p.stripe_payment_intent_id,
                client_secret: (viewer == s.user_id && waiting).then_some(p.client_secret.as_str()),
            }),
            created_at: s.created_at,
        }
    }
}
