//! Reading JSON request bodies with answers that name the offending field.

use http::header::CONTENT_TYPE;
use lambda_http::Request;
use serde::de::DeserializeOwned;

use app::error::AppError;

/// Largest body any route accepts. API Gateway allows 10 MB; nothing here needs more than
/// a few KB, and a small cap bounds parsing work and memory per request.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Parses the body as JSON into `T`.
///
/// - a non-JSON `Content-Type` is 415; an empty or oversized body is 400/413;
/// - a type error or missing field is a 400 naming the field path (via serde_path_to_error);
/// - unknown fields are rejected where `T` says `deny_unknown_fields`.
pub fn parse_json<T: DeserializeOwned>(req: &Request) -> Result<T, AppError> {
    if let Some(ct) = req.headers().get(CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or_default().to_ascii_lowercase();
        let essence = ct.split(';').next().unwrap_or_default().trim();
        if essence != "application/json" && !essence.ends_with("+json") {
            return Err(AppError::UnsupportedMediaType);
        }
    }
    let bytes: &[u8] = req.body().as_ref();
    if bytes.len() > MAX_BODY_BYTES {
        return Err(AppError::PayloadTooLarge {
            limit: MAX_BODY_BYTES,
        });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::field(
            "body",
            "required",
            "a JSON object is required",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let message = inner.to_string();
        // serde reports a missing field at its parent's path; name the field itself.
        let (field, rule) = match missing_field(&message) {
            Some(name) if path == "." => (name.to_string(), "required"),
            Some(name) => (format!("{path}.{name}"), "required"),
            None if message.starts_with("unknown field `") => (path, "unknown"),
            None if inner.is_syntax() || inner.is_eof() => ("body".to_string(), "json"),
            None if path == "." => ("body".to_string(), "type"),
            None => (path, "type"),
        };
        AppError::field(field, rule, strip_position(&message))
    })
}

fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

/// serde_json appends " at line 1 column 12"; the field path already says where.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::error::FieldError;
    use lambda_http::Body;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Input {
        name: String,
        seats: u32,
        nested: Option<Nested>,
    }
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Nested {
        open: String,
    }

    fn request(body: &str, ct: Option<&str>) -> Request {
        let mut builder = http::Request::builder();
        if let Some(ct) = ct {
            builder = builder.header(CONTENT_TYPE, ct);
        }
        builder.body(Body::from(body)).unwrap()
    }

    fn first_error(body: &str) -> FieldError {
        match parse_json::<Input>(&request(body, Some("application/json"))).unwrap_err() {
            AppError::Validation(errors) => errors[0].clone(),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn parses_valid_json() {
        let input: Input = parse_json(&request(r#"{"name":"a","seats":2}"#, None)).unwrap();
        assert_eq!(input.seats, 2);
    }

    #[test]
    fn names_wrong_typed_field() {
        let e = first_error(r#"{"name":"a","seats":"two"}"#);
        assert_eq!((e.field.as_str(), e.rule.as_str()), ("seats", "type"));
    }

    #[test]
    fn names_missing_field_including_nested() {
        let e = first_error(r#"{"name":"a"}"#);
        assert_eq!((e.field.as_str(), e.rule.as_str()), ("seats", "required"));
        let e = first_error(r#"{"name":"a","seats":1,"nested":{}}"#);
        assert_eq!(
            (e.field.as_str(), e.rule.as_str()),
            ("nested.open", "required")
        );
    }

    #[test]
    fn malformed_json_and_unknown_fields() {
        let e = first_error(r#"{"name":"#);
        assert_eq!((e.field.as_str(), e.rule.as_str()), ("body", "json"));
        assert!(!e.message.contains("line"));
        let e = first_error(r#"{"name":"a","seats":1,"extra":true}"#);
        assert_eq!((e.field.as_str(), e.rule.as_str()), ("extra", "unknown"));
        assert!(e.message.contains("unknown field `extra`"), "{}", e.message);
    }

    #[test]
    fn rejects_other_media_types_empty_and_oversized_bodies() {
        let err = parse_json::<Input>(&request("{}", Some("text/plain"))).unwrap_err();
        assert!(matches!(err, AppError::UnsupportedMediaType));
        let err = parse_json::<Input>(&request("  ", None)).unwrap_err();
        assert!(matches!(err, AppError::Validation(_)));
        let big = format!(r#"{{"name":"{}","seats":1}}"#, "x".repeat(MAX_BODY_BYTES));
        let err = parse_json::<Input>(&request(&big, None)).unwrap_err();
        assert!(matches!(err, AppError::PayloadTooLarge { .. }));
    }
}
