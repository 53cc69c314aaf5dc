//! Builds the API Gateway HTTP API (payload format 2.0) event for a request and turns it
//! into a `lambda_http::Request` with the same parser the Lambda runtime uses. Handlers
//! therefore see exactly what they would see behind API Gateway.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;

use base64::Engine;
use http::HeaderMap;
use serde_json::{Value, json};

pub struct EventInput<'a> {
    pub method: &'a str,
    pub raw_path: &'a str,
    pub raw_query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub route_key: String,
    pub path_params: &'a HashMap<String, String>,
    pub claims: Option<HashMap<String, String>>,
    pub source: SocketAddr,
    pub host: &'a str,
}

pub fn api_gateway_v2_event(input: &EventInput<'_>) -> Value {
    // Header names lower-cased; repeated headers joined with commas; cookies apart.
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    let mut cookies = Vec::new();
    for (name, value) in input.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == http::header::COOKIE {
            cookies.extend(
                value
                    .split(';')
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty()),
            );
            continue;
        }
        headers
            .entry(name.as_str().to_string())
            .and_modify(|v| {
                v.push(',');
                v.push_str(&value);
            })
            .or_insert(value);
    }
    let mut query: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in url_pairs(input.raw_query) {
        query
            .entry(k)
            .and_modify(|existing| {
                existing.push(',');
                existing.push_str(&v);
            })
            .or_insert(v);
    }
    let (body, is_base64) = match std::str::from_utf8(input.body) {
        Ok(text) => (text.to_string(), false),
        Err(_) => (
            base64::engine::general_purpose::STANDARD.encode(input.body),
            true,
        ),
    };
    let now = jiff::Timestamp::now();
    let user_agent = headers.get("user-agent").cloned().unwrap_or_default();
    let mut event = json!({
        "version": "2.0",
        "routeKey": input.route_key,
        "rawPath": input.raw_path,
        "rawQueryString": input.raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": input.host,
            "domainPrefix": input.host.split('.').next().unwrap_or_default(),
            "http": {
                "method": input.method,
                "path": input.raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": input.source.ip().to_string(),
                "userAgent": user_agent,
            },
            "requestId": uuid::Uuid::new_v4().to_string(),
            "routeKey": input.route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "timeEpoch": now.as_millisecond(),
        },
        "isBase64Encoded": is_base64,
    });
    if !cookies.is_empty() {
        event["cookies"] = json!(cookies);
    }
    if !query.is_empty() {
        event["queryStringParameters"] = json!(query);
    }
    if !input.path_params.is_empty() {
        event["pathParameters"] = json!(input.path_params);
    }
    if !input.body.is_empty() {
        event["body"] = Value::String(body);
    }
    if let Some(claims) = &input.claims {
        event["requestContext"]["authorizer"] =
            json!({ "jwt": { "claims": claims, "scopes": null } });
    }
    event
}

/// Decoded `k=v` pairs of a query string (`+` is a space, `%XX` escapes), as API Gateway
/// presents them in `queryStringParameters`.
fn url_pairs(raw: &str) -> impl Iterator<Item = (String, String)> + '_ {
    raw.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k), decode(v))
    })
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::RequestExt;

    #[test]
    fn event_parses_as_lambda_request_with_everything_in_place() {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.append("x-multi", "a".parse().unwrap());
        headers.append("x-multi", "b".parse().unwrap());
        headers.insert("cookie", "a=1; b=2".parse().unwrap());
        let params = HashMap::from([("spaceId".to_string(), "s-1".to_string())]);
        let claims = HashMap::from([("sub".to_string(), "u-1".to_string())]);
        let event = api_gateway_v2_event(&EventInput {
            method: "POST",
            raw_path: "/spaces/s-1/reviews",
            raw_query: "q=caf%C3%A9+bar&tag=a&tag=b",
            headers: &headers,
            body: br#"{"rating":5}"#,
            route_key: "POST /spaces/{spaceId}/reviews".into(),
            path_params: &params,
            claims: Some(claims),
            source: "127.0.0.1:5000".parse().unwrap(),
            host: "127.0.0.1:3000",
        });
        let req = lambda_http::request::from_str(&event.to_string()).unwrap();
        assert_eq!(req.method(), "POST");
        assert_eq!(req.uri().path(), "/spaces/s-1/reviews");
        assert_eq!(
            req.path_parameters_ref().unwrap().first("spaceId"),
            Some("s-1")
        );
        let q = req.query_string_parameters_ref().unwrap();
        assert_eq!(q.first("q"), Some("café bar"));
        assert_eq!(q.all("tag").unwrap(), vec!["a", "b"]);
        assert_eq!(req.headers()["x-multi"], "a,b");
        assert_eq!(req.body().as_ref(), br#"{"rating":5}"#);
        let caller = edge::http::caller_of(&req).unwrap();
        assert_eq!(caller.user_id, "u-1");
    }
}
