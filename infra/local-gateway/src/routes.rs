//! Matching a request against the template's routes, the way HTTP API does: the most
//! specific route wins (literal segments before `{param}`, `{proxy+}` last).

use std::collections::HashMap;

use crate::template::Route;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
    Greedy(String),
}

#[derive(Debug, Clone)]
pub struct Pattern {
    segments: Vec<Segment>,
}

impl Pattern {
    pub fn parse(path: &str) -> Self {
        let segments = split(path)
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => match name.strip_suffix('+') {
                        Some(greedy) => Segment::Greedy(greedy.to_string()),
                        None => Segment::Param(name.to_string()),
                    },
                    None => Segment::Literal(s.to_string()),
                },
            )
            .collect();
        Self { segments }
    }

    /// Higher is more specific.
    fn specificity(&self) -> (usize, usize) {
        let literals = self
            .segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count();
        let greedy = self
            .segments
            .iter()
            .any(|s| matches!(s, Segment::Greedy(_)));
        (usize::from(!greedy), literals)
    }

    pub fn matches(&self, path: &str) -> Option<HashMap<String, String>> {
        let parts: Vec<&str> = split(path).collect();
        let mut params = HashMap::new();
        for (i, seg) in self.segments.iter().enumerate() {
            match seg {
                Segment::Literal(l) => {
                    if parts.get(i) != Some(&l.as_str()) {
                        return None;
                    }
                }
                Segment::Param(name) => {
                    let value = parts.get(i).filter(|v| !v.is_empty())?;
                    params.insert(name.clone(), (*value).to_string());
                }
                Segment::Greedy(name) => {
                    if i >= parts.len() {
                        return None;
                    }
                    params.insert(name.clone(), parts[i..].join("/"));
                    return Some(params);
                }
            }
        }
        (parts.len() == self.segments.len()).then_some(params)
    }
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.trim_matches('/').split('/').filter(|s| !s.is_empty())
}

pub struct RouteTable<H> {
    entries: Vec<(Route, Pattern, H)>,
}

pub struct Matched<'a, H> {
    pub route: &'a Route,
    pub params: HashMap<String, String>,
    pub handler: &'a H,
}

impl<H> RouteTable<H> {
    pub fn new(mut entries: Vec<(Route, H)>) -> Self {
        let mut entries: Vec<(Route, Pattern, H)> = entries
            .drain(..)
            .map(|(r, h)| {
                let p = Pattern::parse(&r.path);
                (r, p, h)
            })
            .collect();
        entries.sort_by_key(|(_, p, _)| std::cmp::Reverse(p.specificity()));
        Self { entries }
    }

    pub fn find(&self, method: &str, path: &str) -> Option<Matched<'_, H>> {
        self.entries.iter().find_map(|(route, pattern, handler)| {
            if route.method != method && route.method != "ANY" {
                return None;
            }
            pattern.matches(path).map(|params| Matched {
                route,
                params,
                handler,
            })
        })
    }

    pub fn routes(&self) -> impl Iterator<Item = &Route> {
        self.entries.iter().map(|(r, _, _)| r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: &str, path: &str) -> (Route, &'static str) {
        let name: &'static str = Box::leak(format!("{method} {path}").into_boxed_str());
        (
            Route {
                method: method.into(),
                path: path.into(),
                function: name.into(),
                crate_name: name.into(),
                authorized: true,
            },
            name,
        )
    }

    #[test]
    fn most_specific_route_wins_and_params_are_filled() {
        let table = RouteTable::new(vec![
            route("GET", "/spaces/{spaceId}"),
            route("GET", "/spaces/{spaceId}/availability"),
            route("GET", "/users/me"),
            route("GET", "/users/{userId}"),
            route("GET", "/files/{proxy+}"),
        ]);
        let m = table.find("GET", "/users/me").unwrap();
        assert_eq!(*m.handler, "GET /users/me");
        let m = table.find("GET", "/users/u-1").unwrap();
        assert_eq!(m.params["userId"], "u-1");
        let m = table.find("GET", "/spaces/s-1/availability").unwrap();
        assert_eq!(m.params["spaceId"], "s-1");
        let m = table.find("GET", "/files/a/b/c").unwrap();
        assert_eq!(m.params["proxy"], "a/b/c");
        assert!(table.find("POST", "/users/me").is_none());
        assert!(table.find("GET", "/spaces").is_none());
        assert!(table.find("GET", "/spaces/s-1/other").is_none());
    }
}
