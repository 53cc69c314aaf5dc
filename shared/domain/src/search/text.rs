//! Full-text search over the read model: a space's name, description, city, amenities and
//! item identifiers, with English stemming (Snowball) and relevance ranking.
//!
//! A query matches a space when every one of its words (stemmed) appears in one of those
//! fields. Relevance is BM25-like over the candidates read: each query word adds
//! `weight(field) * tf / (tf + 1.2) * idf`, where `idf = ln(1 + (N - n + 0.5) / (n + 0.5))`
//! over the `N` candidates of which `n` hold the word, and the fields weigh name 3, city 2,
//! amenities and item identifiers 1.5, description 1. A name equal to the query (ignoring
//! case and punctuation) ranks above everything else, and one starting with it next.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

use super::SearchRow;

/// Words a query may hold.
pub const MAX_QUERY_WORDS: usize = 10;
/// Characters of a description the read model keeps (and search reads).
pub const DESCRIPTION_CHARS: usize = 1000;

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// The words of `text`, lower-cased, split on anything not a letter or digit.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
}

/// The stemmed words of `text`.
pub fn terms(text: &str) -> Vec<String> {
    words(text)
        .map(|w| stemmer().stem(&w).into_owned())
        .collect()
}

fn normalised(text: &str) -> String {
    words(text).collect::<Vec<_>>().join(" ")
}

/// A parsed query: its distinct stemmed words, and its words as typed for name matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextQuery {
    pub terms: Vec<String>,
    plain: String,
}

impl TextQuery {
    /// None if `q` holds no word.
    pub fn parse(q: &str) -> Option<Self> {
        let mut seen = BTreeSet::new();
        let terms: Vec<String> = terms(q)
            .into_iter()
            .filter(|t| seen.insert(t.clone()))
            .collect();
        (!terms.is_empty()).then(|| TextQuery {
            terms,
            plain: normalised(q),
        })
    }
}

/// A row's searchable fields, stemmed, each with its weight.
type Fields = [(f64, Vec<String>); 5];

fn fields(row: &SearchRow) -> Fields {
    let identifiers: Vec<String> = row
        .items
        .values()
        .flat_map(|i| terms(&i.identifier))
        .collect();
    let amenities: Vec<String> = row
        .amenities
        .iter()
        .flat_map(|a| terms(&a.replace('_', " ")))
        .collect();
    [
        (3.0, terms(&row.name)),
        (2.0, terms(&row.city)),
        (1.5, amenities),
        (1.5, identifiers),
        (1.0, terms(&row.description)),
    ]
}

/// True if every word of the query appears in one of the row's fields.
pub fn matches(row: &SearchRow, q: &TextQuery) -> bool {
    let fields = fields(row);
    q.terms
        .iter()
        .all(|t| fields.iter().any(|(_, words)| words.contains(t)))
}

/// Relevance of each row (by space id) among `rows`, the candidates the query matched.
pub fn scores<'a>(
    rows: impl IntoIterator<Item = &'a SearchRow>,
    q: &TextQuery,
) -> HashMap<String, f64> {
    let rows: Vec<(&SearchRow, Fields)> = rows.into_iter().map(|r| (r, fields(r))).collect();
    let n = rows.len() as f64;
    let idf: Vec<f64> = q
        .terms
        .iter()
        .map(|t| {
            let holding = rows
                .iter()
                .filter(|(_, f)| f.iter().any(|(_, w)| w.contains(t)))
                .count() as f64;
            (1.0 + (n - holding + 0.5) / (holding + 0.5)).ln()
        })
        .collect();
    rows.iter()
        .map(|(row, fields)| {
            let mut score = 0.0;
            for (t, idf) in q.terms.iter().zip(&idf) {
                for (weight, words) in fields {
                    let tf = words.iter().filter(|w| *w == t).count() as f64;
                    score += weight * tf / (tf + 1.2) * idf;
                }
            }
            let name = normalised(&row.name);
            if name == q.plain {
                score += 1000.0;
            } else if name.starts_with(&q.plain) {
                score += 100.0;
            }
            (row.space_id.clone(), score)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::tests::row;
    use crate::space::GeoPoint;

    fn space(id: usize, name: &str, description: &str) -> SearchRow {
        let mut r = row(
            id,
            &GeoPoint {
                lat: 52.5,
                lng: 13.4,
            },
        );
        r.name = name.into();
        r.description = description.into();
        r
    }

    #[test]
    fn stemmed_words_match_and_an_exact_name_ranks_first() {
        let rows = [
            space(
                1,
                "Quiet Meeting Rooms Mitte",
                "Rooms for meetings of 4 to 12.",
            ),
            space(2, "Meeting Point", "A meeting room and desks."),
            space(
                3,
                "Desk Club",
                "Hot desks; meetings on request, printing included.",
            ),
            space(4, "Garden Loft", "Plants and light."),
        ];
        let q = TextQuery::parse("meeting room").unwrap();
        let hits: Vec<&SearchRow> = rows.iter().filter(|r| matches(r, &q)).collect();
        let ids: Vec<&str> = hits.iter().map(|r| r.space_id.as_str()).collect();
        // "rooms"/"room" and "meetings"/"meeting" share their stems; Desk Club has no room.
        assert_eq!(ids, ["s00001", "s00002"]);
        let printing = TextQuery::parse("prints").unwrap();
        assert!(matches(&rows[2], &printing));

        let q = TextQuery::parse("meeting point").unwrap();
        let all: Vec<&SearchRow> = rows.iter().filter(|r| matches(r, &q)).collect();
        let s = scores(all.iter().copied(), &q);
        let mut ranked: Vec<(&String, &f64)> = s.iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(a.1).then(a.0.cmp(b.0)));
        assert_eq!(ranked[0].0, "s00002", "{ranked:?}");

        // Item identifiers and amenities are searchable too.
        let mut with_booth = space(5, "Booth House", "");
        with_booth.amenities = vec!["phone_booths".into()];
        assert!(matches(
            &with_booth,
            &TextQuery::parse("phone booth").unwrap()
        ));
        let mut with_desk = space(6, "Plain", "");
        with_desk.items.get_mut("i").unwrap().identifier = "Window Desk 7".into();
        assert!(matches(&with_desk, &TextQuery::parse("desk 7").unwrap()));
        assert!(TextQuery::parse(" ,;- ").is_none());
    }

    /// An exact name beats any amount of repetition elsewhere, for generated names.
    #[test]
    fn an_exact_name_match_is_first_for_generated_names() {
        let words = [
            "loft", "hub", "garden", "studio", "works", "base", "desk", "room",
        ];
        let mut seed = 0x9E37_79B9u64;
        let mut pick = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            words[(seed % words.len() as u64) as usize]
        };
        for case in 0..300 {
            let name = format!("{} {}", pick(), pick());
            let exact = space(0, &name.to_uppercase(), "");
            let mut rows = vec![exact];
            for i in 1..8 {
                let (a, b) = (pick(), pick());
                rows.push(space(
                    i,
                    &format!("{a} {b} {name}"),
                    &format!("{name} {name} {name}"),
                ));
            }
            let q = TextQuery::parse(&name).unwrap();
            let matching: Vec<&SearchRow> = rows.iter().filter(|r| matches(r, &q)).collect();
            let s = scores(matching.iter().copied(), &q);
            let best = s
                .iter()
                .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
                .unwrap();
            assert_eq!(best.0, "s00000", "case {case}: {name} {s:?}");
        }
    }
}
