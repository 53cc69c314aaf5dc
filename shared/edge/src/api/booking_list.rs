//! What the two booking lists share (`GET /users/{userId}/bookings` and
//! `GET /spaces/{spaceId}/bookings`): the query string they read and document, its
//! checks, and the page they answer.

use jiff::Timestamp;
use serde::Serialize;

use app::AppError;
use app::ports::bookings::{BookingQuery, BookingsOf, Page, When};
use domain::booking::{Booking, BookingStatus};

use super::bookings::BookingView;
use crate::http::params::limit_param;

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;
/// Longer than any cursor this API hands out.
const MAX_CURSOR: usize = 1024;

/// The query string of a booking list.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookingsQuery {
    /// upcoming (default), past or all.
    when: Option<String>,
    /// pending, confirmed, cancelled, expired or failed.
    status: Option<String>,
    /// Page size.
    #[param(value_type = Option<u32>, minimum = 1)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

impl BookingsQuery {
    /// The store's query for `of`, or a 400 naming the parameter.
    pub fn for_list<'a>(
        &'a self,
        of: BookingsOf<'a>,
        now: Timestamp,
    ) -> Result<BookingQuery<'a>, AppError> {
        let when = match self.when.as_deref() {
            None | Some("upcoming") => When::Upcoming,
            Some("past") => When::Past,
            Some("all") => When::All,
            Some(_) => {
                return Err(AppError::field(
                    "when",
                    "enum",
                    "must be upcoming, past or all",
                ));
            }
        };
        let status = match &self.status {
            None => None,
            Some(s) => Some(BookingStatus::parse(s).ok_or_else(|| {
                AppError::field(
                    "status",
                    "enum",
                    "must be pending, confirmed, cancelled, expired or failed",
                )
            })?),
        };
        if self.cursor.as_ref().is_some_and(|c| c.len() > MAX_CURSOR) {
            return Err(AppError::field(
                "cursor",
                "format",
                "not a cursor from a previous page of this list",
            ));
        }
        Ok(BookingQuery {
            of,
            when,
            status,
            cursor: self.cursor.as_deref(),
            limit: limit_param(self.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT)?,
            now,
        })
    }
}

/// A page of bookings as the API shows them.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BookingPage<'a> {
    items: Vec<BookingView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

impl<'a> BookingPage<'a> {
    pub fn new(page: &'a Page<Booking>, now: Timestamp) -> Self {
        Self {
            items: page
                .items
                .iter()
                .map(|b| BookingView::new(b, now))
                .collect(),
            next_cursor: page.next_cursor.clone(),
        }
    }
}
