//! "Similar spaces" on a space's page: nearby spaces scored by what a member comparing them
//! looks at. The score is a weighted sum of parts in [0, 1] (weights add up to 1):
//!
//! - amenities (0.35): the Jaccard index of the two amenity sets (both empty: 1);
//! - price (0.25): how close the cheapest hourly prices are, `1 - |ln(a / b)| / ln 4` (the
//!   same price: 1; four times dearer or cheaper: 0; another currency: 0);
//! - kinds (0.15): the share of the space's item kinds (desk, room, office) the other offers;
//! - distance (0.15): `exp(-d / 10 km)`;
//! - rating (0.10): the other's average out of 5 (unrated: 3 of 5, neither praised nor
//!   blamed).
//!
//! Ties go to the space id, so the list is stable.

use std::collections::BTreeSet;

use super::SearchHit;
use crate::space::{BookableItem, ItemKind, Space};

/// How many the space page shows, and the most a request may ask for.
pub const DEFAULT_SIMILAR: usize = 6;
pub const MAX_SIMILAR: usize = 20;
/// How far similar spaces may be (km).
pub const SIMILAR_RADIUS_KM: f64 = 25.0;

/// What the score compares a candidate with.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub space_id: String,
    pub amenities: BTreeSet<String>,
    pub kinds: BTreeSet<ItemKind>,
    /// Cheapest hourly price of a bookable item: `(amount, currency)`.
    pub cheapest: Option<(i64, String)>,
}

impl Profile {
    pub fn of(space: &Space, items: &[BookableItem]) -> Self {
        let live = || items.iter().filter(|i| i.retired_at.is_none());
        Profile {
            space_id: space.id.clone(),
            amenities: space.amenities.iter().cloned().collect(),
            kinds: live().map(|i| i.kind).collect(),
            cheapest: live()
                .map(|i| (i.price_per_hour.amount, i.price_per_hour.currency.clone()))
                .min(),
        }
    }
}

/// The score of `hit` as an alternative to the profiled space, in [0, 1].
pub fn similarity(base: &Profile, hit: &SearchHit) -> f64 {
    let amenities: BTreeSet<&String> = hit.amenities.iter().collect();
    let union = base
        .amenities
        .iter()
        .chain(hit.amenities.iter())
        .collect::<BTreeSet<_>>();
    let shared = base
        .amenities
        .iter()
        .filter(|a| amenities.contains(a))
        .count();
    let amenity = if union.is_empty() {
        1.0
    } else {
        shared as f64 / union.len() as f64
    };
    let cheapest = hit
        .items
        .iter()
        .map(|i| {
            (
                i.item.price_per_hour.amount,
                &i.item.price_per_hour.currency,
            )
        })
        .min();
    let price = match (&base.cheapest, cheapest) {
        (Some((a, ca)), Some((b, cb))) if ca == cb && *a > 0 && b > 0 => {
            (1.0 - (*a as f64 / b as f64).ln().abs() / 4f64.ln()).max(0.0)
        }
        (Some((0, ca)), Some((0, cb))) if ca == cb => 1.0,
        _ => 0.0,
    };
    let kinds: BTreeSet<ItemKind> = hit.items.iter().map(|i| i.item.kind).collect();
    let kind = if base.kinds.is_empty() {
        1.0
    } else {
        base.kinds.intersection(&kinds).count() as f64 / base.kinds.len() as f64
    };
    let distance = (-hit.distance_km.unwrap_or(0.0) / 10.0).exp();
    let rating = hit.rating.average.unwrap_or(3.0) / 5.0;
    0.35 * amenity + 0.25 * price + 0.15 * kind + 0.15 * distance + 0.10 * rating
}

/// The `limit` best alternatives to the profiled space among `hits` (never itself), best
/// first.
pub fn rank(base: &Profile, hits: Vec<SearchHit>, limit: usize) -> Vec<(f64, SearchHit)> {
    let mut scored: Vec<(f64, SearchHit)> = hits
        .into_iter()
        .filter(|h| h.space_id != base.space_id)
        .map(|h| (similarity(base, &h), h))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.space_id.cmp(&b.1.space_id)));
    scored.truncate(limit);
    scored
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::money::Money;
    use crate::search::tests::{Rng, row};
    use crate::search::{Filters, ItemSummary};
    use crate::space::GeoPoint;

    fn profile(amenities: &[&str], price: i64) -> Profile {
        Profile {
            space_id: "base".into(),
            amenities: amenities.iter().map(|a| a.to_string()).collect(),
            kinds: BTreeSet::from([ItemKind::Desk]),
            cheapest: Some((price, "EUR".into())),
        }
    }

    fn hit(id: &str, amenities: &[&str], price: i64, km: f64) -> SearchHit {
        let centre = GeoPoint {
            lat: 52.5,
            lng: 13.4,
        };
        let mut r = row(
            0,
            &GeoPoint {
                lat: 52.5 + km / 111.2,
                lng: 13.4,
            },
        );
        r.space_id = id.into();
        r.amenities = amenities.iter().map(|a| a.to_string()).collect();
        r.items = BTreeMap::from([(
            "i".to_string(),
            ItemSummary {
                kind: ItemKind::Desk,
                identifier: "D".into(),
                capacity: 1,
                price_per_hour: Money {
                    amount: price,
                    currency: "EUR".into(),
                },
            },
        )]);
        r.matches(&Filters::default(), Some((&centre, 100.0)))
            .unwrap()
    }

    #[test]
    fn the_same_kind_of_place_nearby_ranks_first_and_the_space_itself_never() {
        let base = profile(&["wifi", "coffee", "phone_booths"], 600);
        let ranked = rank(
            &base,
            vec![
                hit("base", &["wifi", "coffee", "phone_booths"], 600, 0.0),
                hit("twin", &["wifi", "coffee", "phone_booths"], 650, 1.0),
                hit("cheap-bare", &["wifi"], 150, 0.5),
                hit("far-twin", &["wifi", "coffee", "phone_booths"], 600, 24.0),
            ],
            10,
        );
        let ids: Vec<&str> = ranked.iter().map(|(_, h)| h.space_id.as_str()).collect();
        assert_eq!(ids, ["twin", "far-twin", "cheap-bare"]);
        assert_eq!(rank(&base, vec![hit("x", &[], 1, 1.0)], 0).len(), 0);
    }

    /// Every score lies in [0, 1], and more shared amenities never lower it.
    #[test]
    fn scores_are_bounded_and_amenities_only_help() {
        let mut rng = Rng(42);
        let all = [
            "wifi",
            "coffee",
            "phone_booths",
            "parking",
            "kitchen",
            "printer",
        ];
        for _ in 0..2_000 {
            let pick = |rng: &mut Rng| -> Vec<&str> {
                all.iter().copied().filter(|_| rng.next() < 0.5).collect()
            };
            let base = profile(&pick(&mut rng), (rng.range(0.0, 5_000.0)) as i64);
            let mut theirs = pick(&mut rng);
            let price = rng.range(0.0, 5_000.0) as i64;
            let km = rng.range(0.0, 25.0);
            let s = similarity(&base, &hit("h", &theirs, price, km));
            assert!((0.0..=1.0).contains(&s), "{s}");
            if let Some(missing) = base
                .amenities
                .iter()
                .find(|a| !theirs.contains(&a.as_str()))
            {
                theirs.push(missing);
                let more = similarity(&base, &hit("h", &theirs, price, km));
                assert!(more >= s - 1e-12, "{more} < {s}");
            }
        }
    }
}
