//! `GET /spaces` query parameters, checked: each bad one is named with its rule.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use app::error::AppError;
use domain::amenity::AMENITIES;

use app::usecase::search::Next;
use domain::search::text::{MAX_QUERY_WORDS, TextQuery};
use domain::search::walk::{PageKey, Resume};
use domain::search::{Area, Filters, MAX_RADIUS_KM, SearchSpec, SortBy, Start};
use domain::space::{GeoPoint, ItemKind};
use domain::validate::Violations;

pub const DEFAULT_RADIUS_KM: f64 = 5.0;
pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 50;
/// Longest free window a search may ask for (a week, like the availability page).
pub const MAX_WINDOW_HOURS: i64 = 24 * 7;

#[derive(Clone, Debug, PartialEq)]
pub struct SearchQuery {
    pub spec: SearchSpec,
    /// Identifies the query a cursor belongs to (everything but the cursor).
    pub fingerprint: String,
}

/// `GET /spaces`'s query string: what the handler reads and the document lists.
#[derive(Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Latitude of the centre (with `lng`; or search by `city`).
    #[param(value_type = Option<f64>)]
    lat: Option<String>,
    /// Longitude of the centre.
    #[param(value_type = Option<f64>)]
    lng: Option<String>,
    /// Radius in km, more than 0 and at most 50 (default 5).
    #[param(value_type = Option<f64>)]
    radius_km: Option<String>,
    /// A city, instead of a point.
    city: Option<String>,
    /// ISO country code narrowing a city search.
    country: Option<String>,
    /// desk, room or office.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    kind: Option<String>,
    /// Items with at least this many seats.
    #[param(value_type = Option<u32>)]
    min_capacity: Option<String>,
    /// Lowest hourly price in minor units.
    #[param(value_type = Option<u32>)]
    min_price: Option<String>,
    /// Highest hourly price in minor units.
    #[param(value_type = Option<u32>)]
    max_price: Option<String>,
    /// Comma-separated amenities, all required.
    amenities: Option<String>,
    /// Words, all to be found (stemmed) in the name, description, city, amenities or item
    /// identifiers; the best match comes first unless `sort` says otherwise.
    q: Option<String>,
    /// Lowest average rating, 1 to 5.
    #[param(value_type = Option<f64>)]
    min_rating: Option<String>,
    /// distance (default with a point), price, rating, or relevance (default with `q`).
    sort: Option<String>,
    /// With `available_to`: only items free for this whole window.
    #[param(value_type = Option<String>, format = DateTime)]
    available_from: Option<String>,
    /// End of the free window (at most a week after `available_from`).
    #[param(value_type = Option<String>, format = DateTime)]
    available_to: Option<String>,
    /// Page size.
    #[param(value_type = Option<u32>, minimum = 1)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// A page's cursor: the query it belongs to, and where the next page starts (after a hit,
/// for nearest-first pages, with the walk's resolution and density; else a position).
#[derive(Serialize, Deserialize)]
struct Cursor {
    f: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    o: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    a: Option<(u64, String, u8, f64)>,
}

pub fn encode_cursor(next: &Next, fingerprint: &str) -> String {
    let (o, a) = match next {
        Next::Offset(o) => (Some(*o), None),
        Next::After(r) => (
            None,
            Some((r.key.metres, r.key.space_id.clone(), r.res, r.density)),
        ),
    };
    B64.encode(
        serde_json::to_vec(&Cursor {
            f: fingerprint.to_string(),
            o,
            a,
        })
        .unwrap_or_default(),
    )
}

impl SearchQuery {
    pub fn parse(p: &SearchParams) -> Result<Self, AppError> {
        let mut v = Violations::new();
        let num = |v: &mut Violations, name: &str, raw: &Option<String>| -> Option<f64> {
            let raw = raw.as_ref()?;
            match raw.trim().parse::<f64>() {
                Ok(x) if x.is_finite() => Some(x),
                _ => {
                    v.add(name, "type", "must be a number");
                    None
                }
            }
        };
        let int = |v: &mut Violations, name: &str, raw: &Option<String>, max: i64| -> Option<i64> {
            let raw = raw.as_ref()?;
            // 1308.0 is accepted as 1308 (clients and fuzzers send integral floats).
            match raw.trim().parse::<f64>() {
                Ok(x) if x.fract() == 0.0 && (0.0..=max as f64).contains(&x) => Some(x as i64),
                _ => {
                    v.add(
                        name,
                        "range",
                        format!("must be a whole number from 0 to {max}"),
                    );
                    None
                }
            }
        };
        let (lat, lng) = (num(&mut v, "lat", &p.lat), num(&mut v, "lng", &p.lng));
        let radius = num(&mut v, "radius_km", &p.radius_km);
        let city = p
            .city
            .as_ref()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty());
        let area = match (lat, lng, &city) {
            (Some(lat), Some(lng), _) => {
                let center = GeoPoint { lat, lng };
                v.check(
                    (-90.0..=90.0).contains(&lat),
                    "lat",
                    "range",
                    "from -90 to 90",
                );
                v.check(
                    (-180.0..=180.0).contains(&lng),
                    "lng",
                    "range",
                    "from -180 to 180",
                );
                let radius_km = radius.unwrap_or(DEFAULT_RADIUS_KM);
                v.check(
                    radius_km > 0.0 && radius_km <= MAX_RADIUS_KM,
                    "radius_km",
                    "range",
                    format!("must be more than 0 and at most {MAX_RADIUS_KM}"),
                );
                Some(Area::Circle { center, radius_km })
            }
            (None, None, Some(city)) => {
                v.text("city", city, 1, 100);
                Some(Area::City {
                    city: city.clone(),
                    country: p.country.as_ref().map(|c| c.trim().to_uppercase()),
                })
            }
            (Some(_), None, _) => {
                v.add("lng", "required", "lat needs lng");
                None
            }
            (None, Some(_), _) => {
                v.add("lat", "required", "lng needs lat");
                None
            }
            (None, None, None) => {
                v.add(
                    "lat",
                    "required",
                    "search needs lat and lng (with radius_km up to 50), or a city",
                );
                None
            }
        };
        let amenities: Vec<String> = p
            .amenities
            .as_ref()
            .map(|a| {
                a.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        v.check(
            amenities.len() <= 20,
            "amenities",
            "max_items",
            "at most 20",
        );
        for (i, a) in amenities.iter().enumerate() {
            v.check(
                AMENITIES.contains(&a.as_str()),
                format!("amenities[{i}]"),
                "enum",
                "not a known amenity",
            );
        }
        let kind = match p.kind.as_deref() {
            None => None,
            Some("desk") => Some(ItemKind::Desk),
            Some("room") => Some(ItemKind::Room),
            Some("office") => Some(ItemKind::Office),
            Some(_) => {
                v.add("type", "enum", "one of desk, room, office");
                None
            }
        };
        let min_capacity = int(&mut v, "min_capacity", &p.min_capacity, 10_000).map(|c| c as u32);
        let min_price = int(&mut v, "min_price", &p.min_price, 100_000_000);
        let max_price = int(&mut v, "max_price", &p.max_price, 100_000_000);
        if let (Some(lo), Some(hi)) = (min_price, max_price) {
            v.check(
                lo <= hi,
                "max_price",
                "order",
                "must not be below min_price",
            );
        }
        let min_rating = num(&mut v, "min_rating", &p.min_rating);
        if let Some(r) = min_rating {
            v.check(
                (1.0..=5.0).contains(&r),
                "min_rating",
                "range",
                "must be from 1 to 5",
            );
        }
        let text = match p.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            None => None,
            Some(q) => {
                v.text("q", q, 1, 100);
                let parsed = TextQuery::parse(q);
                v.check(parsed.is_some(), "q", "words", "must hold a word");
                if let Some(t) = &parsed {
                    v.check(
                        t.terms.len() <= MAX_QUERY_WORDS,
                        "q",
                        "max_items",
                        format!("at most {MAX_QUERY_WORDS} different words"),
                    );
                }
                parsed
            }
        };
        let instant = |v: &mut Violations, name: &str, raw: &Option<String>| -> Option<Timestamp> {
            let raw = raw.as_ref()?;
            match raw.parse() {
                Ok(t) => Some(t),
                Err(_) => {
                    v.add(name, "format", "must be an RFC 3339 instant");
                    None
                }
            }
        };
        let (from, to) = (
            instant(&mut v, "available_from", &p.available_from),
            instant(&mut v, "available_to", &p.available_to),
        );
        let available = match (from, to) {
            (Some(a), Some(b)) => {
                v.check(
                    b > a,
                    "available_to",
                    "order",
                    "must be after available_from",
                );
                v.check(
                    b.duration_since(a).as_hours() <= MAX_WINDOW_HOURS,
                    "available_to",
                    "range",
                    format!("at most {MAX_WINDOW_HOURS} hours after available_from"),
                );
                Some((a, b))
            }
            (None, None) => None,
            (Some(_), None) => {
                v.add(
                    "available_to",
                    "required",
                    "give both available_from and available_to",
                );
                None
            }
            (None, Some(_)) => {
                v.add(
                    "available_from",
                    "required",
                    "give both available_from and available_to",
                );
                None
            }
        };
        let sort = match p.sort.as_deref() {
            // Words ask for the best match first, unless an order is given.
            None if text.is_some() => SortBy::Relevance,
            None | Some("distance") => SortBy::Distance,
            Some("price") => SortBy::Price,
            Some("rating") => SortBy::Rating,
            Some("relevance") => {
                v.check(
                    text.is_some(),
                    "sort",
                    "requires",
                    "relevance needs words in q",
                );
                SortBy::Relevance
            }
            Some(_) => {
                v.add("sort", "enum", "one of distance, price, rating, relevance");
                SortBy::Distance
            }
        };
        let limit = int(&mut v, "limit", &p.limit, MAX_LIMIT as i64)
            .map(|l| l as usize)
            .unwrap_or(DEFAULT_LIMIT);
        v.check(
            limit >= 1,
            "limit",
            "range",
            format!("from 1 to {MAX_LIMIT}"),
        );
        // Everything but the cursor: a cursor is only valid for the query it came from.
        let given = [
            ("amenities", &p.amenities),
            ("available_from", &p.available_from),
            ("available_to", &p.available_to),
            ("city", &p.city),
            ("country", &p.country),
            ("lat", &p.lat),
            ("limit", &p.limit),
            ("lng", &p.lng),
            ("max_price", &p.max_price),
            ("min_capacity", &p.min_capacity),
            ("min_price", &p.min_price),
            ("min_rating", &p.min_rating),
            ("q", &p.q),
            ("radius_km", &p.radius_km),
            ("sort", &p.sort),
            ("type", &p.kind),
        ];
        let fingerprint = given
            .iter()
            .map(|(n, value)| format!("{n}={}", value.as_deref().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("&");
        let fingerprint = app::ports::payments::idempotency_key("q", "", &fingerprint);
        let start = match p.cursor.as_ref() {
            None => Start::First,
            Some(c) => match B64
                .decode(c.trim())
                .ok()
                .and_then(|b| serde_json::from_slice::<Cursor>(&b).ok())
            {
                Some(Cursor {
                    f,
                    o: Some(o),
                    a: None,
                }) if f == fingerprint => Start::Offset(o),
                Some(Cursor {
                    f,
                    o: None,
                    a: Some((metres, space_id, res, density)),
                }) if f == fingerprint => Start::After(Resume {
                    key: PageKey { metres, space_id },
                    res,
                    density,
                }),
                _ => {
                    v.add(
                        "cursor",
                        "format",
                        "not a cursor from a previous page of this search",
                    );
                    Start::First
                }
            },
        };
        v.into_result()?;
        Ok(Self {
            spec: SearchSpec {
                area: area.expect("validated"),
                filters: Filters {
                    amenities,
                    kind,
                    min_capacity,
                    min_price,
                    max_price,
                    min_rating,
                    text,
                    open_at: None,
                },
                available,
                // Distance needs a point: a city search defaults to the best rated first.
                sort: if lat.is_none() && sort == SortBy::Distance {
                    SortBy::Rating
                } else {
                    sort
                },
                limit,
                start,
            },
            fingerprint,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<SearchQuery, AppError> {
        let m: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::from(*v)))
            .collect();
        let params: SearchParams = serde_json::from_value(m.into()).unwrap();
        SearchQuery::parse(&params)
    }

    fn fields(r: Result<SearchQuery, AppError>) -> Vec<(String, String)> {
        match r {
            Err(AppError::Validation(errs)) => {
                errs.into_iter().map(|e| (e.field, e.rule)).collect()
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn names_each_bad_parameter_and_its_rule() {
        assert_eq!(
            fields(parse(&[])),
            vec![("lat".to_string(), "required".to_string())]
        );
        let f = fields(parse(&[
            ("lat", "91"),
            ("lng", "x"),
            ("radius_km", "80"),
            ("type", "sofa"),
            ("limit", "0"),
            ("cursor", "zzz"),
        ]));
        for want in [
            ("lng", "type"),
            ("type", "enum"),
            ("limit", "range"),
            ("cursor", "format"),
        ] {
            assert!(
                f.contains(&(want.0.to_string(), want.1.to_string())),
                "{want:?} in {f:?}"
            );
        }
        let f = fields(parse(&[("lat", "52"), ("lng", "13"), ("radius_km", "51")]));
        assert_eq!(f, vec![("radius_km".to_string(), "range".to_string())]);
        let f = fields(parse(&[
            ("city", "Berlin"),
            ("available_from", "2027-01-01T00:00:00Z"),
        ]));
        assert_eq!(
            f,
            vec![("available_to".to_string(), "required".to_string())]
        );
    }

    #[test]
    fn accepts_integral_floats_and_round_trips_cursors() {
        let q = parse(&[
            ("lat", "52.5"),
            ("lng", "13.4"),
            ("min_capacity", "4.0"),
            ("limit", "10"),
        ])
        .unwrap();
        assert_eq!(q.spec.filters.min_capacity, Some(4));
        let resume = Resume {
            key: PageKey {
                metres: 1234,
                space_id: "s1".into(),
            },
            res: 9,
            density: 12.5,
        };
        let cursor = encode_cursor(&Next::After(resume.clone()), &q.fingerprint);
        let next = parse(&[
            ("lat", "52.5"),
            ("lng", "13.4"),
            ("min_capacity", "4.0"),
            ("limit", "10"),
            ("cursor", &cursor),
        ])
        .unwrap();
        assert_eq!(next.spec.start, Start::After(resume));
        let by_price = parse(&[("lat", "52.5"), ("lng", "13.4"), ("sort", "price")]).unwrap();
        let cursor_by_price = encode_cursor(&Next::Offset(20), &by_price.fingerprint);
        let next = parse(&[
            ("lat", "52.5"),
            ("lng", "13.4"),
            ("sort", "price"),
            ("cursor", &cursor_by_price),
        ])
        .unwrap();
        assert_eq!(next.spec.start, Start::Offset(20));
        // The same cursor on another query is refused.
        let other = parse(&[("lat", "52.5"), ("lng", "13.5"), ("cursor", &cursor)]);
        assert!(fields(other).contains(&("cursor".to_string(), "format".to_string())));
    }
}
