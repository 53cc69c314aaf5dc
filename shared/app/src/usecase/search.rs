//! `GET /spaces`: a page of spaces for a validated search.
//!
//! Nearest-first pages in a circle walk H3 cells outward and stop once the page is provably
//! complete (`domain::search::walk`), so they read about a page of rows whatever the density.
//! Price, rating and relevance orders, and city searches, read every candidate (the best
//! may be the last one read): at most [`domain::search::MAX_PARTITIONS`] partitions, or one city.
//! The free-window filter checks candidates in page order, only as many as the page needs.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;

use crate::AppError;
use crate::ports::bookings::BookingStore;
use crate::ports::search::{SearchPartition, SearchRead, SearchStore};
use crate::ports::spaces::SpaceStore;
use crate::usecase::catalog::Catalog;
use domain::booking_rules::plan_claims;
use domain::claims::cell_interval;
use domain::search::similar::{self, Profile, SIMILAR_RADIUS_KM};
use domain::search::text;
use domain::search::walk::{NearestWalk, Resume};
use domain::search::{Area, Filters, SearchHit, SearchSpec, SortBy, Start, plan_cells, sort_hits};

/// Where the next page starts, if there is one.
#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    After(Resume),
    Offset(usize),
}

/// What reading a page cost.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchCost {
    pub partitions: usize,
    pub queries: usize,
    pub rows_read: usize,
    pub capacity_units: f64,
    /// Rounds of parallel reads (each waits for the one before).
    pub rounds: usize,
}

impl SearchCost {
    fn add(&mut self, read: &SearchRead) {
        self.partitions += read.partitions;
        self.queries += read.queries;
        self.rows_read += read.rows.len();
        self.capacity_units += read.capacity_units;
        self.rounds += 1;
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SearchPage {
    pub items: Vec<SearchHit>,
    pub next: Option<Next>,
    pub cost: SearchCost,
}

/// The page `spec` asks for.
pub async fn search<S: SearchStore + SpaceStore + BookingStore>(
    store: &S,
    catalog: &Catalog,
    spec: &SearchSpec,
    now: Timestamp,
) -> Result<SearchPage, AppError> {
    let mut free = FreeWindow::new(spec.available, now);
    match (&spec.area, spec.sort) {
        (Area::Circle { center, radius_km }, SortBy::Distance) => {
            let resume = match &spec.start {
                Start::First => None,
                Start::After(r) => Some(r.clone()),
                Start::Offset(_) => return Err(not_this_searchs_cursor()),
            };
            nearest(
                store,
                catalog,
                &mut free,
                spec,
                (center, *radius_km),
                resume,
            )
            .await
        }
        _ => {
            let offset = match &spec.start {
                Start::First => 0,
                Start::Offset(o) => *o,
                Start::After(_) => return Err(not_this_searchs_cursor()),
            };
            every_candidate(store, catalog, &mut free, spec, offset).await
        }
    }
}

fn not_this_searchs_cursor() -> AppError {
    AppError::field(
        "cursor",
        "format",
        "not a cursor from a previous page of this search",
    )
}

async fn nearest<S: SearchStore + SpaceStore + BookingStore>(
    store: &S,
    catalog: &Catalog,
    free: &mut FreeWindow,
    spec: &SearchSpec,
    (center, radius_km): (&domain::space::GeoPoint, f64),
    resume: Option<Resume>,
) -> Result<SearchPage, AppError> {
    let wanted = spec.limit + 1;
    let mut walk = NearestWalk::new(center, radius_km, &spec.filters, wanted, resume)
        .ok_or_else(|| AppError::internal("no walk for a validated point"))?;
    let mut cost = SearchCost::default();
    let kept = loop {
        let settled: Vec<SearchHit> = walk.settled().into_iter().cloned().collect();
        let kept = free.keep(store, catalog, settled, wanted).await?;
        if kept.len() >= wanted || walk.exhausted() {
            break kept;
        }
        if !read_next(store, &mut walk, &mut cost).await? {
            // Everything left was before the cursor: what is settled now is all there is.
            let settled: Vec<SearchHit> = walk.settled().into_iter().cloned().collect();
            break free.keep(store, catalog, settled, wanted).await?;
        }
    };
    let more = kept.len() > spec.limit;
    let items: Vec<SearchHit> = kept.into_iter().take(spec.limit).collect();
    let next = more
        .then(|| items.last().map(|h| Next::After(walk.resume_after(h))))
        .flatten();
    Ok(SearchPage { items, next, cost })
}

/// Reads the next round of cells the walk names; false once there is nothing left to read.
async fn read_next<S: SearchStore>(
    store: &S,
    walk: &mut NearestWalk,
    cost: &mut SearchCost,
) -> Result<bool, AppError> {
    let cells = walk.next_cells();
    if cells.is_empty() {
        return Ok(false);
    }
    let partitions: Vec<SearchPartition> = cells
        .into_iter()
        .map(|(resolution, cell)| SearchPartition::Cell { resolution, cell })
        .collect();
    let read = store.search_partitions(&partitions).await?;
    cost.add(&read);
    walk.absorb(&read.rows);
    Ok(true)
}

/// Spaces like `space_id` near it, open today, best first (`domain::search::similar`): the
/// walk reads the nearest few times `limit` candidates, then they are scored. None if the
/// space does not exist (or is deleted).
pub async fn similar<S: SearchStore + SpaceStore>(
    store: &S,
    catalog: &Catalog,
    space_id: &str,
    limit: usize,
    now: Timestamp,
) -> Result<Option<(Vec<(f64, SearchHit)>, SearchCost)>, AppError> {
    let Some(entry) = catalog.space(store, space_id, false).await? else {
        return Ok(None);
    };
    let base = Profile::of(&entry.space, &entry.items);
    let filters = Filters {
        open_at: Some(now),
        ..Filters::default()
    };
    // Candidates to score: the nearest few times the list, and the space itself.
    let wanted = 4 * limit.max(3) + 1;
    let mut walk = NearestWalk::new(
        &entry.space.location,
        SIMILAR_RADIUS_KM,
        &filters,
        wanted,
        None,
    )
    .ok_or_else(|| AppError::internal("no walk for a stored location"))?;
    let mut cost = SearchCost::default();
    while walk.settled().len() < wanted
        && !walk.exhausted()
        && read_next(store, &mut walk, &mut cost).await?
    {}
    let candidates: Vec<SearchHit> = walk.settled().into_iter().cloned().collect();
    Ok(Some((similar::rank(&base, candidates, limit), cost)))
}

async fn every_candidate<S: SearchStore + SpaceStore + BookingStore>(
    store: &S,
    catalog: &Catalog,
    free: &mut FreeWindow,
    spec: &SearchSpec,
    offset: usize,
) -> Result<SearchPage, AppError> {
    let (partitions, circle, country) = match &spec.area {
        Area::Circle { center, radius_km } => {
            let plan = plan_cells(center, *radius_km)
                .ok_or_else(|| AppError::internal("no cell plan for a valid circle"))?;
            let parts = plan
                .cells
                .into_iter()
                .map(|cell| SearchPartition::Cell {
                    resolution: plan.resolution,
                    cell,
                })
                .collect::<Vec<_>>();
            (parts, Some((center, *radius_km)), None)
        }
        Area::City { city, country } => (
            vec![SearchPartition::City { city: city.clone() }],
            None,
            country.as_deref(),
        ),
    };
    let read = store.search_partitions(&partitions).await?;
    let mut cost = SearchCost::default();
    cost.add(&read);
    let mut hits: Vec<SearchHit> = read
        .rows
        .iter()
        .filter(|r| country.is_none_or(|c| r.country.eq_ignore_ascii_case(c)))
        .filter_map(|r| r.matches(&spec.filters, circle))
        .collect();
    sort_hits(&mut hits, spec.sort);
    if let (SortBy::Relevance, Some(q)) = (spec.sort, &spec.filters.text) {
        let matched: HashSet<&str> = hits.iter().map(|h| h.space_id.as_str()).collect();
        let rows = read
            .rows
            .iter()
            .filter(|r| matched.contains(r.space_id.as_str()));
        let scores = text::scores(rows, q);
        let score = |h: &SearchHit| scores.get(&h.space_id).copied().unwrap_or(0.0);
        // Stable: equal scores keep the nearest (or, in a city, the id) order.
        hits.sort_by(|a, b| score(b).total_cmp(&score(a)));
    }
    let kept = free
        .keep(store, catalog, hits, offset + spec.limit + 1)
        .await?;
    let more = kept.len() > offset + spec.limit;
    let items: Vec<SearchHit> = kept.into_iter().skip(offset).take(spec.limit).collect();
    Ok(SearchPage {
        items,
        next: more.then_some(Next::Offset(offset + spec.limit)),
        cost,
    })
}

/// The free-window filter: each candidate checked once, in page order, only as far as the
/// page needs (each check reads the space and its slot claims).
struct FreeWindow {
    window: Option<(Timestamp, Timestamp)>,
    now: Timestamp,
    checked: HashMap<String, Option<SearchHit>>,
}

impl FreeWindow {
    fn new(window: Option<(Timestamp, Timestamp)>, now: Timestamp) -> Self {
        FreeWindow {
            window,
            now,
            checked: HashMap::new(),
        }
    }

    /// The first `wanted` of `hits` (in their order) with an item free for the window,
    /// keeping only such items.
    async fn keep<S: SpaceStore + BookingStore>(
        &mut self,
        store: &S,
        catalog: &Catalog,
        hits: Vec<SearchHit>,
        wanted: usize,
    ) -> Result<Vec<SearchHit>, AppError> {
        let Some(window) = self.window else {
            return Ok(hits.into_iter().take(wanted).collect());
        };
        let mut kept = Vec::with_capacity(wanted);
        for hit in hits {
            if kept.len() >= wanted {
                break;
            }
            let verdict = match self.checked.get(&hit.space_id) {
                Some(known) => known.clone(),
                None => {
                    let id = hit.space_id.clone();
                    let verdict = free_in(store, catalog, hit, window, self.now).await?;
                    self.checked.insert(id, verdict.clone());
                    verdict
                }
            };
            kept.extend(verdict);
        }
        Ok(kept)
    }
}

/// The hit with only the items bookable and unclaimed for the whole window; None if none.
async fn free_in<S: SpaceStore + BookingStore>(
    store: &S,
    catalog: &Catalog,
    mut hit: SearchHit,
    (from, to): (Timestamp, Timestamp),
    now: Timestamp,
) -> Result<Option<SearchHit>, AppError> {
    let Some(entry) = catalog.space(store, &hit.space_id, false).await? else {
        return Ok(None);
    };
    let claims = store.slot_claims(&hit.space_id, from, to).await?;
    hit.items.retain(|m| {
        let Some(item) = entry.item(&m.id) else {
            return false;
        };
        let Ok(cells) = plan_claims(&entry.space, item, from, to, now) else {
            return false;
        };
        !claims.iter().any(|c| {
            c.item_id == m.id
                && c.active_at(now)
                && cells.iter().any(|s| {
                    let (a, b) = cell_interval(s.start);
                    c.start < b && a < c.end
                })
        })
    });
    Ok((!hit.items.is_empty()).then_some(hit))
}
