//! Path and query parameters, as API Gateway fills them.
//!
//! A route's query string is declared once, as a struct deriving `Deserialize` and
//! `utoipa::IntoParams`: the handler reads its fields ([`query`]) and the route's OpenAPI
//! entry lists it (`params(ThatStruct)`), so the document cannot name a parameter the
//! handler does not read, nor the handler read one the document lacks. A parameter the
//! route does not declare is refused with 400 naming it, never silently ignored.

use lambda_http::{Request, RequestExt};
use serde::de::DeserializeOwned;
use utoipa::IntoParams;
use utoipa::openapi::path::ParameterIn;

use app::error::AppError;
use domain::validate::Violations;

/// A path parameter the route template guarantees (`/spaces/{spaceId}`). Missing means the
/// function is wired to the wrong route: a bug, hence 500 rather than 400.
pub fn path_param(req: &Request, name: &str) -> Result<String, AppError> {
    req.path_parameters_ref()
        .and_then(|p| p.first(name))
        .map(str::to_owned)
        .ok_or_else(|| AppError::internal(format!("route has no path parameter {name}")))
}

/// The names a query declaration holds, in declaration order.
pub fn query_names<T: IntoParams>() -> Vec<String> {
    T::into_params(|| Some(ParameterIn::Query))
        .into_iter()
        .map(|p| p.name)
        .collect()
}

/// The request's query string as the route's declaration `T` (first value of a repeated
/// parameter). Fields are raw strings: the handler checks them and names each bad one.
pub fn query<T: IntoParams + DeserializeOwned>(req: &Request) -> Result<T, AppError> {
    let names = query_names::<T>();
    let mut v = Violations::new();
    let mut given = serde_json::Map::new();
    if let Some(q) = req.query_string_parameters_ref() {
        for (key, value) in q.iter() {
            if names.iter().any(|n| n == key) {
                given.entry(key.to_string()).or_insert_with(|| value.into());
            } else {
                v.add(
                    key,
                    "unknown",
                    format!(
                        "not a parameter of this route; it takes {}",
                        if names.is_empty() {
                            "none".to_string()
                        } else {
                            names.join(", ")
                        }
                    ),
                );
            }
        }
    }
    v.into_result()?;
    serde_json::from_value(given.into())
        .map_err(|e| AppError::internal(format!("query declaration does not deserialize: {e}")))
}

/// `limit`: a whole number from 1 to `max` (an integral float such as `20.0` counts);
/// `default` when absent.
pub fn limit_param(raw: Option<&str>, default: usize, max: usize) -> Result<usize, AppError> {
    match raw {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|l| l.fract() == 0.0 && (1.0..=max as f64).contains(l))
            .map(|l| l as usize)
            .ok_or_else(|| {
                AppError::field("limit", "range", format!("a whole number from 1 to {max}"))
            }),
    }
}

/// The query of a route that pages: `limit` and `cursor`, nothing else.
#[derive(serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size.
    #[param(value_type = Option<u32>, minimum = 1)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The `Idempotency-Key` header of a request that creates something (a booking, a
/// series): required, 8 to 64 safe characters.
pub fn idempotency_key(req: &Request) -> Result<String, AppError> {
    let key = req
        .headers()
        .get("idempotency-key")
        .ok_or_else(|| {
            AppError::field(
                "Idempotency-Key",
                "required",
                "send a unique key per booking attempt (e.g. a UUID)",
            )
        })?
        .to_str()
        .unwrap_or_default()
        .trim()
        .to_string();
    let ok = (8..=64).contains(&key.len())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
    if !ok {
        return Err(AppError::field(
            "Idempotency-Key",
            "format",
            "8 to 64 characters of letters, digits, '-', '_', '.', ':'",
        ));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    use lambda_http::aws_lambda_events::query_map::QueryMap;

    fn request(pairs: &[(&str, &str)]) -> Request {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Request::default().with_query_string_parameters(QueryMap::from(map))
    }

    #[test]
    fn reads_declared_parameters_and_names_any_other() {
        let q: PageQuery = query(&request(&[("limit", "5")])).unwrap();
        assert_eq!(q.limit.as_deref(), Some("5"));
        assert!(q.cursor.is_none());
        match query::<PageQuery>(&request(&[("limit", "5"), ("from", "x")])) {
            Err(AppError::Validation(errs)) => {
                assert_eq!(errs.len(), 1);
                assert_eq!(
                    (errs[0].field.as_str(), errs[0].rule.as_str()),
                    ("from", "unknown")
                );
                assert!(
                    errs[0].message.contains("limit, cursor"),
                    "{}",
                    errs[0].message
                );
            }
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("an undeclared parameter was accepted"),
        }
    }

    #[test]
    fn limit_is_a_whole_number_in_range() {
        assert_eq!(limit_param(None, 20, 50).unwrap(), 20);
        assert_eq!(limit_param(Some("20.0"), 20, 50).unwrap(), 20);
        assert!(limit_param(Some("0"), 20, 50).is_err());
        assert!(limit_param(Some("51"), 20, 50).is_err());
        assert!(limit_param(Some("x"), 20, 50).is_err());
    }
}
