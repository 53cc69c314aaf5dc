//! Geo search without I/O: which H3 cell partitions a radius query must read, and the
//! exact filters, order and paging applied to what they hold.
//!
//! Every space has one search row per resolution in [`SEARCH_RESOLUTIONS`] under its
//! cell. Nearest-first pages walk cells outward and stop once the page is provably complete
//! ([`walk`]). Price and rating orders cannot stop early (the cheapest space may be in the
//! last cell), so they read every cell that can touch the circle: [`plan_cells`] picks the
//! finest resolution whose such cells number at most [`MAX_PARTITIONS`], a cell being read
//! when its centre lies within `radius + its own circumradius` of the query point. Results
//! are then filtered by great-circle distance, so either way the answer equals a
//! brute-force filter over all spaces.

use std::collections::BTreeMap;

use h3o::{CellIndex, LatLng, Resolution};
use serde::{Deserialize, Serialize};

use crate::geo::distance_km;
use crate::money::Money;
use crate::space::{GeoPoint, ItemKind};

pub mod similar;
pub mod text;
pub mod walk;

/// Resolutions a space is listed at: 9 (~0.1 km² cells) lets a dense city's nearest page read
/// a few dozen rows, 4 (~1,800 km²) lets an empty region's 50 km circle read a handful of
/// partitions; the walk picks between them by the density it meets (`walk.rs`).
pub const SEARCH_RESOLUTIONS: [Resolution; 6] = [
    Resolution::Four,
    Resolution::Five,
    Resolution::Six,
    Resolution::Seven,
    Resolution::Eight,
    Resolution::Nine,
];
pub const MAX_PARTITIONS: usize = 20;
pub const MAX_RADIUS_KM: f64 = 50.0;

/// The cells (one per search resolution) a space at `p` is listed under.
pub fn listing_cells(p: &GeoPoint) -> Vec<(u8, String)> {
    let Ok(ll) = LatLng::new(p.lat, p.lng) else {
        return Vec::new();
    };
    SEARCH_RESOLUTIONS
        .iter()
        .map(|r| (u8::from(*r), ll.to_cell(*r).to_string()))
        .collect()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellPlan {
    pub resolution: u8,
    pub cells: Vec<String>,
}

fn point_of(ll: LatLng) -> GeoPoint {
    GeoPoint {
        lat: ll.lat(),
        lng: ll.lng(),
    }
}

/// The cells to read for the circle (`center`, `radius_km`), at most [`MAX_PARTITIONS`].
pub fn plan_cells(center: &GeoPoint, radius_km: f64) -> Option<CellPlan> {
    let ll = LatLng::new(center.lat, center.lng).ok()?;
    // Finest first: smaller cells hold fewer spaces outside the circle.
    for res in SEARCH_RESOLUTIONS.iter().rev() {
        let edge = res.edge_length_km();
        let estimate = std::f64::consts::PI * (radius_km + edge).powi(2) / res.area_km2();
        if estimate > MAX_PARTITIONS as f64 {
            continue;
        }
        // Neighbouring centres are ~sqrt(3) edges apart; halving that spacing covers H3's
        // size distortion, so the disk surely holds every cell that can touch the circle.
        let reach = radius_km + 2.0 * edge;
        let k = (reach / (edge * 3f64.sqrt() / 2.0)).ceil() as u32 + 1;
        let origin = ll.to_cell(*res);
        let mut cells: Vec<CellIndex> = origin
            .grid_disk::<Vec<_>>(k)
            .into_iter()
            .filter(|c| {
                let centre = point_of(LatLng::from(*c));
                let circumradius = c
                    .boundary()
                    .iter()
                    .map(|v| distance_km(&centre, &point_of(*v)))
                    .fold(0.0, f64::max);
                distance_km(center, &centre) <= radius_km + circumradius + 1e-9
            })
            .collect();
        if cells.len() <= MAX_PARTITIONS {
            cells.sort();
            return Some(CellPlan {
                resolution: u8::from(*res),
                cells: cells.into_iter().map(|c| c.to_string()).collect(),
            });
        }
    }
    None
}

/// What a search row holds about one bookable item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemSummary {
    pub kind: ItemKind,
    pub identifier: String,
    pub capacity: u32,
    pub price_per_hour: Money,
}

/// A space as search sees it (one row per listing cell, plus one per city).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SearchRow {
    pub space_id: String,
    pub name: String,
    pub city: String,
    pub country: String,
    pub lat: f64,
    pub lng: f64,
    /// The start of the description (`text::DESCRIPTION_CHARS`), for full-text search.
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub amenities: Vec<String>,
    /// Keyed by item id (a map, so an item write touches only its own entry).
    #[serde(default)]
    pub items: BTreeMap<String, ItemSummary>,
    #[serde(default)]
    pub rating_sum: u64,
    #[serde(default)]
    pub rating_count: u64,
    /// The space's IANA zone and the local dates it is closed on (recommendations leave out
    /// a space closed today). Rows written before these existed read as always open.
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub closed_dates: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    Distance,
    Price,
    Rating,
    /// Best full-text match first (needs `q`).
    Relevance,
}

/// A validated query (see `api::search` for how the HTTP parameters become one).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filters {
    pub amenities: Vec<String>,
    pub kind: Option<ItemKind>,
    pub min_capacity: Option<u32>,
    /// Per hour, minor units; only items in this range match.
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    pub min_rating: Option<f64>,
    /// Every word (stemmed) in the name, description, city, amenities or item identifiers.
    pub text: Option<text::TextQuery>,
    /// Only spaces not closed on this instant's local date.
    pub open_at: Option<jiff::Timestamp>,
}

/// Where to search: a circle, or a city's partition.
#[derive(Clone, Debug, PartialEq)]
pub enum Area {
    Circle {
        center: GeoPoint,
        radius_km: f64,
    },
    City {
        city: String,
        country: Option<String>,
    },
}

/// Where a page starts: nearest-first pages resume after the last hit returned (the walk
/// skips what precedes it); other orders by position.
#[derive(Clone, Debug, PartialEq)]
pub enum Start {
    First,
    After(walk::Resume),
    Offset(usize),
}

/// A validated search (see `api::search` for how the HTTP parameters become one).
#[derive(Clone, Debug, PartialEq)]
pub struct SearchSpec {
    pub area: Area,
    pub filters: Filters,
    /// Only items free for this whole window.
    pub available: Option<(jiff::Timestamp, jiff::Timestamp)>,
    pub sort: SortBy,
    pub limit: usize,
    pub start: Start,
}

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RatingSummary {
    pub average: Option<f64>,
    pub count: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MatchedItem {
    pub id: String,
    #[serde(flatten)]
    pub item: ItemSummary,
}

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    pub space_id: String,
    pub name: String,
    pub city: String,
    pub country: String,
    pub location: GeoPoint,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    pub amenities: Vec<String>,
    pub rating: RatingSummary,
    pub items: Vec<MatchedItem>,
}

impl SearchRow {
    pub fn rating(&self) -> RatingSummary {
        RatingSummary {
            average: (self.rating_count > 0).then(|| {
                // One decimal, computed from integers (no drift from repeated updates).
                (self.rating_sum as f64 * 10.0 / self.rating_count as f64).round() / 10.0
            }),
            count: self.rating_count,
        }
    }

    /// Closed for the local date of `at` (an unknown zone reads as open: the row predates it).
    pub fn closed_on(&self, at: jiff::Timestamp) -> bool {
        let Ok(tz) = jiff::tz::TimeZone::get(&self.time_zone) else {
            return false;
        };
        let today = at.to_zoned_datetime(tz).date().to_string();
        self.closed_dates.contains(&today)
    }

    /// The hit if the space matches every filter (and lies within `circle`).
    pub fn matches(&self, f: &Filters, circle: Option<(&GeoPoint, f64)>) -> Option<SearchHit> {
        let location = GeoPoint {
            lat: self.lat,
            lng: self.lng,
        };
        let distance = circle.map(|(c, _)| distance_km(c, &location));
        if let (Some(d), Some((_, r))) = (distance, circle)
            && d > r
        {
            return None;
        }
        if !f.amenities.iter().all(|a| self.amenities.contains(a)) {
            return None;
        }
        let rating = self.rating();
        if let Some(min) = f.min_rating
            && rating.average.is_none_or(|avg| avg < min)
        {
            return None;
        }
        if let Some(at) = f.open_at
            && self.closed_on(at)
        {
            return None;
        }
        if let Some(q) = &f.text
            && !text::matches(self, q)
        {
            return None;
        }
        let items: Vec<MatchedItem> = self
            .items
            .iter()
            .filter(|(_, i)| {
                f.kind.is_none_or(|k| i.kind == k)
                    && f.min_capacity.is_none_or(|c| i.capacity >= c)
                    && f.min_price.is_none_or(|p| i.price_per_hour.amount >= p)
                    && f.max_price.is_none_or(|p| i.price_per_hour.amount <= p)
            })
            .map(|(id, i)| MatchedItem {
                id: id.clone(),
                item: i.clone(),
            })
            .collect();
        if items.is_empty() {
            return None;
        }
        Some(SearchHit {
            space_id: self.space_id.clone(),
            name: self.name.clone(),
            city: self.city.clone(),
            country: self.country.clone(),
            location,
            distance_km: distance.map(|d| (d * 1000.0).round() / 1000.0),
            amenities: self.amenities.clone(),
            rating,
            items,
        })
    }
}

fn cheapest(h: &SearchHit) -> i64 {
    h.items
        .iter()
        .map(|i| i.item.price_per_hour.amount)
        .min()
        .unwrap_or(i64::MAX)
}

/// Orders hits; ties broken by space id, so pages are stable.
pub fn sort_hits(hits: &mut [SearchHit], by: SortBy) {
    hits.sort_by(|a, b| {
        let primary = match by {
            // Relevance is ordered by the caller (it needs the scores); nearest first here.
            SortBy::Distance | SortBy::Relevance => a
                .distance_km
                .unwrap_or(0.0)
                .total_cmp(&b.distance_km.unwrap_or(0.0)),
            SortBy::Price => cheapest(a).cmp(&cheapest(b)),
            SortBy::Rating => b
                .rating
                .average
                .unwrap_or(-1.0)
                .total_cmp(&a.rating.average.unwrap_or(-1.0))
                .then(b.rating.count.cmp(&a.rating.count)),
        };
        primary.then_with(|| a.space_id.cmp(&b.space_id))
    });
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// xorshift64*: deterministic, no dependency.
    pub(crate) struct Rng(pub(crate) u64);
    impl Rng {
        pub(crate) fn next(&mut self) -> f64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
        }
        pub(crate) fn range(&mut self, lo: f64, hi: f64) -> f64 {
            lo + (hi - lo) * self.next()
        }
    }

    pub(crate) fn around(rng: &mut Rng, c: &GeoPoint, spread_deg: f64) -> GeoPoint {
        let lat = (c.lat + rng.range(-spread_deg, spread_deg)).clamp(-89.9, 89.9);
        let mut lng = c.lng + rng.range(-spread_deg, spread_deg) / lat.to_radians().cos().max(0.05);
        if lng > 180.0 {
            lng -= 360.0;
        }
        if lng < -180.0 {
            lng += 360.0;
        }
        GeoPoint { lat, lng }
    }

    pub(crate) fn row(id: usize, p: &GeoPoint) -> SearchRow {
        SearchRow {
            space_id: format!("s{id:05}"),
            name: format!("Space {id}"),
            city: "C".into(),
            country: "XX".into(),
            lat: p.lat,
            lng: p.lng,
            amenities: vec![],
            items: BTreeMap::from([(
                "i".to_string(),
                ItemSummary {
                    kind: ItemKind::Desk,
                    identifier: "D".into(),
                    capacity: 1,
                    price_per_hour: Money {
                        amount: 100,
                        currency: "EUR".into(),
                    },
                },
            )]),
            rating_sum: 0,
            rating_count: 0,
            time_zone: "Europe/Berlin".into(),
            closed_dates: vec![],
            description: String::new(),
        }
    }

    /// The property the search rests on: reading only the planned cells and filtering by
    /// distance gives exactly the brute-force answer, in the same order, for random
    /// spaces and queries around cities, across the antimeridian and near the poles.
    #[test]
    fn planned_cells_give_the_brute_force_answer() {
        let cities = [
            GeoPoint {
                lat: 52.52,
                lng: 13.405,
            }, // Berlin
            GeoPoint {
                lat: 40.7128,
                lng: -74.006,
            }, // New York
            GeoPoint {
                lat: -33.8688,
                lng: 151.2093,
            }, // Sydney
            GeoPoint {
                lat: -17.7134,
                lng: 178.065,
            }, // Fiji, near the antimeridian
            GeoPoint {
                lat: 65.8,
                lng: -179.9,
            }, // Chukotka / Bering, across it
            GeoPoint {
                lat: 78.2232,
                lng: 15.6267,
            }, // Longyearbyen, high latitude
            GeoPoint {
                lat: -77.85,
                lng: 166.67,
            }, // McMurdo
        ];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for city in &cities {
            let spaces: Vec<SearchRow> = (0..600)
                .map(|i| row(i, &around(&mut rng, city, 0.8)))
                .collect();
            for _ in 0..25 {
                let q = around(&mut rng, city, 0.5);
                let radius = match rng.next() {
                    x if x < 0.3 => rng.range(0.2, 3.0),
                    x if x < 0.6 => rng.range(3.0, 15.0),
                    _ => rng.range(15.0, MAX_RADIUS_KM),
                };
                let plan = plan_cells(&q, radius).expect("a plan");
                assert!(
                    plan.cells.len() <= MAX_PARTITIONS,
                    "{} cells",
                    plan.cells.len()
                );
                let res = Resolution::try_from(plan.resolution).unwrap();
                let f = Filters::default();
                let mut via_cells: Vec<SearchHit> = spaces
                    .iter()
                    .filter(|s| {
                        let cell = LatLng::new(s.lat, s.lng).unwrap().to_cell(res).to_string();
                        plan.cells.contains(&cell)
                    })
                    .filter_map(|s| s.matches(&f, Some((&q, radius))))
                    .collect();
                let mut brute: Vec<SearchHit> = spaces
                    .iter()
                    .filter(|s| {
                        distance_km(
                            &q,
                            &GeoPoint {
                                lat: s.lat,
                                lng: s.lng,
                            },
                        ) <= radius
                    })
                    .filter_map(|s| s.matches(&f, Some((&q, radius))))
                    .collect();
                sort_hits(&mut via_cells, SortBy::Distance);
                sort_hits(&mut brute, SortBy::Distance);
                assert_eq!(
                    via_cells.iter().map(|h| &h.space_id).collect::<Vec<_>>(),
                    brute.iter().map(|h| &h.space_id).collect::<Vec<_>>(),
                    "query {q:?} radius {radius}"
                );
            }
        }
    }

    #[test]
    fn the_largest_radius_fits_the_partition_budget_everywhere() {
        for p in [
            GeoPoint { lat: 0.0, lng: 0.0 },
            GeoPoint {
                lat: 89.0,
                lng: 45.0,
            },
            GeoPoint {
                lat: -60.0,
                lng: 180.0,
            },
            GeoPoint {
                lat: 35.0,
                lng: 139.7,
            },
        ] {
            for r in [0.05, 1.0, 5.0, 20.0, 50.0] {
                let plan = plan_cells(&p, r).unwrap();
                assert!(
                    plan.cells.len() <= MAX_PARTITIONS,
                    "{p:?} {r}: {}",
                    plan.cells.len()
                );
            }
        }
    }

    #[test]
    fn filters_and_order() {
        let c = GeoPoint {
            lat: 52.5,
            lng: 13.4,
        };
        let mut a = row(
            1,
            &GeoPoint {
                lat: 52.51,
                lng: 13.4,
            },
        );
        a.amenities = vec!["wifi".into(), "coffee".into()];
        a.rating_sum = 9;
        a.rating_count = 2; // 4.5
        let mut b = row(
            2,
            &GeoPoint {
                lat: 52.52,
                lng: 13.4,
            },
        );
        b.amenities = vec!["wifi".into()];
        b.items.get_mut("i").unwrap().price_per_hour.amount = 50;
        let f = Filters {
            amenities: vec!["wifi".into()],
            ..Filters::default()
        };
        let mut hits: Vec<SearchHit> = [&a, &b]
            .iter()
            .filter_map(|r| r.matches(&f, Some((&c, 5.0))))
            .collect();
        sort_hits(&mut hits, SortBy::Distance);
        assert_eq!(hits[0].space_id, "s00001");
        sort_hits(&mut hits, SortBy::Price);
        assert_eq!(hits[0].space_id, "s00002");
        sort_hits(&mut hits, SortBy::Rating);
        assert_eq!(hits[0].space_id, "s00001");
        assert_eq!(hits[0].rating.average, Some(4.5));
        let coffee = Filters {
            amenities: vec!["coffee".into()],
            min_rating: Some(4.0),
            ..Filters::default()
        };
        assert!(b.matches(&coffee, None).is_none());
        assert!(a.matches(&coffee, None).is_some());
        let room = Filters {
            kind: Some(ItemKind::Room),
            ..Filters::default()
        };
        assert!(a.matches(&room, None).is_none(), "no room: no match");
        let far = Filters::default();
        assert!(a.matches(&far, Some((&c, 0.5))).is_none());
        let text = Filters {
            text: text::TextQuery::parse("space 2"),
            ..Filters::default()
        };
        assert!(b.matches(&text, None).is_some());
        assert!(a.matches(&text, None).is_none());
    }
}
