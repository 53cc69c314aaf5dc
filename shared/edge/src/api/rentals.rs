//! Wire types of open-ended rentals (`POST /rentals`, `GET /rentals/{id}`,
//! `PUT /rentals/{id}/end`).

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::api::bookings::BookingView;
use app::usecase::rentals::RentalAnswer;
use domain::money::Money;
use domain::rental::RentalStatus;

/// `POST /rentals`: the office, its first day, and the card that pays the rent.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RentalRequest {
    pub bookable_item_id: String,
    /// The first local day (day 1 to 28 of a month, today to 31 days ahead).
    #[schema(value_type = String, format = Date)]
    pub start_date: Date,
    /// A Stripe PaymentMethod (made by Stripe.js on the client): it pays every month.
    pub payment_method_id: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RentalView<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub space_id: &'a str,
    pub bookable_item_id: &'a str,
    #[schema(value_type = String, format = Date)]
    pub start_date: Date,
    /// Charged every month by the subscription (fixed when the rental started).
    pub rent: &'a Money,
    pub status: RentalStatus,
    /// Why it ended: `ended_by_member`, `ended_by_operator`, `not_paid`, `next_month_unavailable`,
    /// `month_unavailable`, `payment_refused`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<&'a str>,
    pub months_paid: u32,
    /// The months' bookings (the latest 24): paid months `confirmed`, the month held
    /// for the next invoice `pending`.
    pub months: Vec<BookingView<'a>>,
    /// For Stripe.js: only to the member, while the first invoice waits for the card.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<&'a str>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl<'a> RentalView<'a> {
    pub fn new(a: &'a RentalAnswer, viewer: &str, now: Timestamp) -> Self {
        let r = &a.rental;
        Self {
            id: &r.id,
            user_id: &r.user_id,
            space_id: &r.space_id,
            bookable_item_id: &r.item_id,
            start_date: r.start_date,
            rent: &r.rent,
            status: r.status,
            end_reason: r.end_reason.as_deref(),
            months_paid: r.months_paid(),
            months: a
                .months
                .iter()
                .map(|(b, p)| BookingView::new(b, now).with_payment(p.as_ref(), viewer))
                .collect(),
            client_secret: a.client_secret.as_deref().filter(|_| viewer == r.user_id),
            created_at: r.created_at,
        }
    }
}
