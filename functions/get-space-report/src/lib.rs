//! `GET /spaces/{spaceId}/reports?from=YYYY-MM-DD&to=YYYY-MM-DD`: per local day and item,
//! open and booked minutes (utilization), revenue, bookings, cancellations and no-shows. For the
//! space's operator and admins. Counters come from the analytics worker; open minutes
//! from the space's opening hours.

use app::AppError;
use app::ports::analytics::AnalyticsStore;
use app::ports::spaces::SpaceStore;
use app::usecase::spaces::managed_space;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::analytics::{Counters, open_minutes};
use domain::hours::{parse_date, time_zone};
use edge::http::params::{path_param, query};
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;

pub const MAX_DAYS: i64 = 92;

pub struct GetSpaceReport<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> GetSpaceReport<DynamoStore> {
    GetSpaceReport {
        store: DynamoStore::from_context(ctx),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct Line {
    open_minutes: i64,
    booked_minutes: i64,
    /// booked / open, 0..1 with 4 decimals (null when nothing was open).
    utilization: Option<f64>,
    /// Minor units per currency (items of one space may be priced in several).
    revenue: std::collections::BTreeMap<String, i64>,
    bookings: i64,
    cancellations: i64,
    /// Of the cancellations: released because nobody checked in.
    no_shows: i64,
    /// Of the bookings: day passes, and week or month stays.
    day_passes: i64,
    long_stays: i64,
}

impl Line {
    fn new(open: i64, c: &Counters) -> Self {
        Self {
            open_minutes: open,
            booked_minutes: c.booked_minutes,
            utilization: (open > 0)
                .then(|| (c.booked_minutes as f64 / open as f64 * 10_000.0).round() / 10_000.0),
            revenue: c.revenue.clone(),
            bookings: c.bookings,
            cancellations: c.cancellations,
            no_shows: c.no_shows,
            day_passes: c.day_passes,
            long_stays: c.long_stays,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct ItemLine {
    item_id: String,
    identifier: String,
    #[serde(flatten)]
    line: Line,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Day {
    date: String,
    #[serde(flatten)]
    total: Line,
    items: Vec<ItemLine>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Report {
    space_id: String,
    time_zone: String,
    from: String,
    to: String,
    totals: Line,
    days: Vec<Day>,
}

/// The query string this route reads (and documents).
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ReportQuery {
    /// First local date of the report (the space's time zone).
    #[param(required = true, value_type = String, format = Date)]
    from: Option<String>,
    /// Last local date of the report, included.
    #[param(required = true, value_type = String, format = Date)]
    to: Option<String>,
}

fn date_param(raw: Option<&str>, name: &str) -> Result<Date, AppError> {
    let raw = raw.ok_or_else(|| AppError::field(name, "required", "a local date YYYY-MM-DD"))?;
    parse_date(raw).ok_or_else(|| AppError::field(name, "format", "a local date YYYY-MM-DD"))
}

impl<S: SpaceStore + AnalyticsStore> HttpFunction for GetSpaceReport<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let space_id = path_param(&req, "spaceId")?;
        let q: ReportQuery = query(&req)?;
        let (from, to) = (
            date_param(q.from.as_deref(), "from")?,
            date_param(q.to.as_deref(), "to")?,
        );
        if to < from {
            return Err(AppError::field("to", "order", "must not be before from"));
        }
        if (to - from).get_days() as i64 >= MAX_DAYS {
            return Err(AppError::field(
                "to",
                "range",
                format!("at most {MAX_DAYS} days"),
            ));
        }
        managed_space(&self.store, &caller, &space_id).await?;
        let (space, items) = self
            .store
            .get_space(&space_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no space {space_id}")))?;
        let tz = time_zone(&space.time_zone).ok_or_else(|| AppError::internal("bad time zone"))?;
        let counters = self
            .store
            .day_counters(&space_id, &from.to_string(), &to.to_string())
            .await?;
        let (mut days, mut total, mut total_open) = (Vec::new(), Counters::default(), 0);
        let mut date = from;
        while date <= to {
            let key = date.to_string();
            let day = counters.get(&key).cloned().unwrap_or_default();
            let mut day_open = 0;
            let lines = items
                .iter()
                .map(|item| {
                    let open = open_minutes(&space, item, date, &tz);
                    day_open += open;
                    let c = day.items.get(&item.id).cloned().unwrap_or_default();
                    ItemLine {
                        item_id: item.id.clone(),
                        identifier: item.identifier.clone(),
                        line: Line::new(open, &c),
                    }
                })
                .collect();
            total.add(&day.total);
            total_open += day_open;
            days.push(Day {
                date: key,
                total: Line::new(day_open, &day.total),
                items: lines,
            });
            date = date
                .checked_add(1.day())
                .map_err(|e| AppError::internal(e.to_string()))?;
        }
        json(
            StatusCode::OK,
            &Report {
                space_id: space.id.clone(),
                time_zone: space.time_zone.clone(),
                from: from.to_string(),
                to: to.to_string(),
                totals: Line::new(total_open, &total),
                days,
            },
        )
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/spaces/{spaceId}/reports",
    tag = "reports",
    params(
        ("spaceId" = String, Path),
        ReportQuery,
    ),
    responses(
        (status = 200, description = "per day and item", body = Report),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
