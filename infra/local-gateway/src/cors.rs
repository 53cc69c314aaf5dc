//! CORS as API Gateway's HttpApi `CorsConfiguration` answers it: a preflight (`OPTIONS` with
//! `Access-Control-Request-Method`) is answered by the API itself, never by a function, and
//! every answer to an allowed origin carries `Access-Control-Allow-Origin`. The methods,
//! headers and max age come from template.yaml; the origins are the stage parameter's
//! local counterpart: the web app's origin(s), from `COWORK_WEB_ORIGIN` (comma separated).

use http::{HeaderMap, HeaderValue, Method};

use crate::template::Cors;

#[derive(Clone, Debug, Default)]
pub struct CorsPolicy {
    origins: Vec<String>,
    methods: String,
    headers: String,
    expose: String,
    max_age: Option<u64>,
}

impl CorsPolicy {
    pub fn new(config: Option<&Cors>, origins: Vec<String>) -> Self {
        let Some(config) = config else {
            return Self::default();
        };
        Self {
            origins,
            methods: config.allow_methods.join(","),
            headers: config.allow_headers.join(","),
            expose: config.expose_headers.join(","),
            max_age: config.max_age,
        }
    }

    /// The origins listed in `COWORK_WEB_ORIGIN`.
    pub fn origins_from_env() -> Vec<String> {
        std::env::var("COWORK_WEB_ORIGIN")
            .unwrap_or_default()
            .split(',')
            .map(|o| o.trim().trim_end_matches('/').to_string())
            .filter(|o| !o.is_empty())
            .collect()
    }

    fn allowed<'a>(&self, headers: &'a HeaderMap) -> Option<&'a HeaderValue> {
        let origin = headers.get(http::header::ORIGIN)?;
        let text = origin.to_str().ok()?;
        self.origins.iter().any(|o| o == text).then_some(origin)
    }

    /// Whether this request is a preflight the API answers itself.
    pub fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
        method == Method::OPTIONS
            && headers.contains_key(http::header::ACCESS_CONTROL_REQUEST_METHOD)
    }

    /// The headers of a preflight's 204 (none for an origin that is not allowed, so the
    /// browser refuses, as with API Gateway).
    pub fn preflight_headers(&self, request: &HeaderMap) -> HeaderMap {
        let mut out = HeaderMap::new();
        let Some(origin) = self.allowed(request) else {
            return out;
        };
        out.insert(http::header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        if let Ok(v) = HeaderValue::from_str(&self.methods) {
            out.insert(http::header::ACCESS_CONTROL_ALLOW_METHODS, v);
        }
        if let Ok(v) = HeaderValue::from_str(&self.headers) {
            out.insert(http::header::ACCESS_CONTROL_ALLOW_HEADERS, v);
        }
        if let Some(age) = self.max_age {
            out.insert(http::header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from(age));
        }
        out.insert(http::header::VARY, HeaderValue::from_static("origin"));
        out
    }

    /// Adds `Access-Control-Allow-Origin` (and the exposed headers) to an answer for an
    /// allowed origin.
    pub fn decorate(&self, request: &HeaderMap, response: &mut HeaderMap) {
        if let Some(origin) = self.allowed(request) {
            response.insert(http::header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            if !self.expose.is_empty()
                && let Ok(v) = HeaderValue::from_str(&self.expose)
            {
                response.insert(http::header::ACCESS_CONTROL_EXPOSE_HEADERS, v);
            }
            response.append(http::header::VARY, HeaderValue::from_static("origin"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> CorsPolicy {
        CorsPolicy::new(
            Some(&Cors {
                allow_methods: vec!["GET".into(), "POST".into()],
                allow_headers: vec!["authorization".into(), "content-type".into()],
                expose_headers: vec!["x-request-id".into()],
                max_age: Some(600),
            }),
            vec!["http://127.0.0.1:3001".into()],
        )
    }

    fn with_origin(origin: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(http::header::ORIGIN, HeaderValue::from_str(origin).unwrap());
        h.insert(
            http::header::ACCESS_CONTROL_REQUEST_METHOD,
            HeaderValue::from_static("POST"),
        );
        h
    }

    #[test]
    fn only_the_listed_origin_is_allowed() {
        let p = policy();
        let ok = p.preflight_headers(&with_origin("http://127.0.0.1:3001"));
        assert_eq!(
            ok[http::header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "http://127.0.0.1:3001"
        );
        assert_eq!(
            ok[http::header::ACCESS_CONTROL_ALLOW_HEADERS],
            "authorization,content-type"
        );
        assert_eq!(ok[http::header::ACCESS_CONTROL_MAX_AGE], "600");
        assert!(
            p.preflight_headers(&with_origin("http://evil.test"))
                .is_empty()
        );
        let mut answer = HeaderMap::new();
        p.decorate(&with_origin("http://evil.test"), &mut answer);
        assert!(answer.is_empty());
        p.decorate(&with_origin("http://127.0.0.1:3001"), &mut answer);
        assert!(answer.contains_key(http::header::ACCESS_CONTROL_ALLOW_ORIGIN));
        assert_eq!(
            answer[http::header::ACCESS_CONTROL_EXPOSE_HEADERS],
            "x-request-id"
        );
    }
}
