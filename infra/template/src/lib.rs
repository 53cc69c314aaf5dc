//! Reads template.yaml: the one list of functions. The local gateway serves exactly the
//! HttpApi routes that would be deployed, and its handler registry and the OpenAPI
//! document are generated from the same list by build scripts. CloudFormation tags (`!Ref`, `!Sub`, ...) are read as opaque values; routes
//! only need plain strings.

use std::path::Path;

use serde_yaml::Value;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TemplateError {
    #[error("cannot read template: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot parse template: {0}")]
    Yaml(#[from] serde_yaml::Error),
    #[error("{0}")]
    Invalid(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub method: String,
    pub path: String,
    /// Logical id of the function in template.yaml.
    pub function: String,
    /// The function's crate: the last segment of its `CodeUri` (`functions/<crate>`).
    pub crate_name: String,
    /// Whether the HttpApi's default JWT authorizer protects the route.
    pub authorized: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    pub logical_id: String,
    pub code_uri: String,
}

/// What invokes an event-driven function (an event source mapping or a schedule).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TriggerSource {
    /// The stream of this table (logical id).
    Stream {
        table: String,
    },
    /// This queue (logical id).
    Queue {
        queue: String,
    },
    Schedule {
        expression: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trigger {
    pub crate_name: String,
    pub source: TriggerSource,
    pub batch_size: usize,
    /// Stream sources: retries of a failing record before it is given up (`None`: until
    /// the record expires, which blocks its shard).
    pub max_retries: Option<u32>,
    /// Stream sources: where a record given up is reported (a queue's logical id).
    pub on_failure: Option<String>,
}

/// A route of the WebSocket API (`$connect`, `$disconnect` or an `action` value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SocketRoute {
    pub route_key: String,
    pub crate_name: String,
}

/// The HttpApi's `CorsConfiguration` (its origins are a stage parameter; the local gateway
/// takes the local web app's origin instead).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cors {
    pub allow_methods: Vec<String>,
    pub allow_headers: Vec<String>,
    /// Response headers a page may read (`X-Request-Id`).
    pub expose_headers: Vec<String>,
    pub max_age: Option<u64>,
}

#[derive(Debug)]
pub struct Template {
    pub routes: Vec<Route>,
    pub cors: Option<Cors>,
    pub functions: Vec<Function>,
    pub triggers: Vec<Trigger>,
    pub socket_routes: Vec<SocketRoute>,
}

/// The resources a `!Sub` names: `${Name}` and `${Name.Attr}` (not `${AWS::...}`).
fn sub_references(v: Option<&Value>) -> Vec<String> {
    let Some(Value::Tagged(t)) = v else {
        return Vec::new();
    };
    let Value::String(text) = &t.value else {
        return Vec::new();
    };
    text.split("${")
        .skip(1)
        .filter_map(|rest| rest.split('}').next())
        .filter(|name| !name.starts_with("AWS::"))
        .map(|name| name.split('.').next().unwrap_or(name).to_string())
        .collect()
}

/// The logical id in `!GetAtt Id.Attr` (or `!Ref Id`).
fn referenced(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Tagged(t) => match &t.value {
            Value::String(s) => Some(s.split('.').next().unwrap_or(s).to_string()),
            Value::Sequence(seq) => seq.first()?.as_str().map(str::to_owned),
            _ => None,
        },
        _ => None,
    }
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

impl Template {
    pub fn load(path: &Path) -> Result<Self, TemplateError> {
        Self::parse(&std::fs::read_to_string(path)?)
    }

    pub fn parse(yaml: &str) -> Result<Self, TemplateError> {
        let doc: Value = serde_yaml::from_str(yaml)?;
        let resources = doc
            .get("Resources")
            .and_then(Value::as_mapping)
            .ok_or_else(|| TemplateError::Invalid("template has no Resources".into()))?;
        let mut routes = Vec::new();
        let mut functions = Vec::new();
        let mut triggers = Vec::new();
        let mut api_has_default_authorizer = false;
        let mut cors = None;
        // WebSocket routes -> integration -> function, resolved once all are read.
        let mut socket_targets: Vec<(String, String)> = Vec::new();
        let mut integrations: std::collections::HashMap<String, String> = Default::default();
        let mut crates: std::collections::HashMap<String, String> = Default::default();
        for (id, res) in resources {
            let id = id.as_str().unwrap_or_default().to_string();
            let props = res.get("Properties").cloned().unwrap_or(Value::Null);
            match text(res, "Type") {
                Some("AWS::Serverless::HttpApi") => {
                    cors = props.get("CorsConfiguration").map(|c| {
                        let list = |key: &str| -> Vec<String> {
                            c.get(key)
                                .and_then(Value::as_sequence)
                                .into_iter()
                                .flatten()
                                .filter_map(Value::as_str)
                                .map(str::to_owned)
                                .collect()
                        };
                        Cors {
                            allow_methods: list("AllowMethods"),
                            allow_headers: list("AllowHeaders"),
                            expose_headers: list("ExposeHeaders"),
                            max_age: c.get("MaxAge").and_then(Value::as_u64),
                        }
                    });
                    api_has_default_authorizer = props
                        .get("Auth")
                        .and_then(|a| a.get("DefaultAuthorizer"))
                        .is_some();
                }
                Some("AWS::ApiGatewayV2::Route") => {
                    let key = text(&props, "RouteKey").unwrap_or_default().to_string();
                    let integration = sub_references(props.get("Target")).pop();
                    let integration = integration.ok_or_else(|| {
                        TemplateError::Invalid(format!(
                            "{id}: Target must be !Sub integrations/${{...}}"
                        ))
                    })?;
                    socket_targets.push((key, integration));
                }
                Some("AWS::ApiGatewayV2::Integration") => {
                    if let Some(function) = sub_references(props.get("IntegrationUri")).pop() {
                        integrations.insert(id.clone(), function);
                    }
                }
                Some("AWS::Serverless::Function") => {
                    let code_uri = text(&props, "CodeUri")
                        .ok_or_else(|| {
                            TemplateError::Invalid(format!("{id}: CodeUri must be a path"))
                        })?
                        .trim_end_matches('/')
                        .to_string();
                    let crate_name = code_uri.rsplit('/').next().unwrap_or_default().to_string();
                    if let Some(events) = props.get("Events").and_then(Value::as_mapping) {
                        for event in events
                            .values()
                            .filter(|e| text(e, "Type") == Some("HttpApi"))
                        {
                            let ep = event.get("Properties").cloned().unwrap_or(Value::Null);
                            let (Some(method), Some(path)) =
                                (text(&ep, "Method"), text(&ep, "Path"))
                            else {
                                return Err(TemplateError::Invalid(format!(
                                    "{id}: HttpApi event needs Method and Path"
                                )));
                            };
                            let authorizer = ep.get("Auth").and_then(|a| text(a, "Authorizer"));
                            routes.push(Route {
                                method: method.to_ascii_uppercase(),
                                path: path.to_string(),
                                function: id.clone(),
                                crate_name: crate_name.clone(),
                                authorized: authorizer != Some("NONE"),
                            });
                        }
                    }
                    for event in props
                        .get("Events")
                        .and_then(Value::as_mapping)
                        .into_iter()
                        .flat_map(|m| m.values())
                    {
                        let ep = event.get("Properties").cloned().unwrap_or(Value::Null);
                        let batch_size =
                            ep.get("BatchSize").and_then(Value::as_u64).unwrap_or(10) as usize;
                        let source = match text(event, "Type") {
                            Some("DynamoDB") => referenced(ep.get("Stream"))
                                .map(|table| TriggerSource::Stream { table }),
                            Some("SQS") => referenced(ep.get("Queue"))
                                .map(|queue| TriggerSource::Queue { queue }),
                            Some("Schedule") => {
                                text(&ep, "Schedule").map(|e| TriggerSource::Schedule {
                                    expression: e.to_string(),
                                })
                            }
                            _ => continue,
                        };
                        let source = source.ok_or_else(|| {
                            TemplateError::Invalid(format!("{id}: event source not understood"))
                        })?;
                        let max_retries = ep
                            .get("MaximumRetryAttempts")
                            .and_then(Value::as_i64)
                            .filter(|n| *n >= 0)
                            .map(|n| n as u32);
                        let on_failure = ep
                            .get("DestinationConfig")
                            .and_then(|d| d.get("OnFailure"))
                            .and_then(|o| referenced(o.get("Destination")));
                        triggers.push(Trigger {
                            crate_name: crate_name.clone(),
                            source,
                            batch_size,
                            max_retries,
                            on_failure,
                        });
                    }
                    crates.insert(id.clone(), crate_name.clone());
                    functions.push(Function {
                        logical_id: id,
                        code_uri,
                    });
                }
                _ => {}
            }
        }
        if !api_has_default_authorizer && routes.iter().any(|r| r.authorized) {
            return Err(TemplateError::Invalid(
                "HttpApi has no DefaultAuthorizer".into(),
            ));
        }
        let mut socket_routes = Vec::new();
        for (route_key, integration) in socket_targets {
            let crate_name = integrations
                .get(&integration)
                .and_then(|function| crates.get(function))
                .ok_or_else(|| {
                    TemplateError::Invalid(format!(
                        "WebSocket route {route_key}: integration {integration} reaches no function"
                    ))
                })?;
            socket_routes.push(SocketRoute {
                route_key,
                crate_name: crate_name.clone(),
            });
        }
        Ok(Self {
            routes,
            cors,
            functions,
            triggers,
            socket_routes,
        })
    }
}

/// The function crates of a template, as its composition roots are wired: HTTP functions
/// (an HttpApi route) and event functions (everything else: streams, queues, schedules,
/// WebSocket routes), each sorted and once.
pub fn function_crates(t: &Template) -> (Vec<String>, Vec<String>) {
    let http: std::collections::BTreeSet<String> =
        t.routes.iter().map(|r| r.crate_name.clone()).collect();
    let all: std::collections::BTreeSet<String> = t
        .functions
        .iter()
        .filter_map(|f| f.code_uri.strip_prefix("functions/"))
        .map(str::to_owned)
        .collect();
    let events = all.difference(&http).cloned().collect();
    (http.into_iter().collect(), events)
}

/// The names of a manifest's `[dependencies]` given by a path under `prefix`.
pub fn path_dependencies(manifest: &str, prefix: &str) -> std::collections::BTreeSet<String> {
    let mut table = "";
    let mut out = std::collections::BTreeSet::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            table = line;
        } else if table == "[dependencies]"
            && line.contains(&format!("path = \"{prefix}"))
            && let Some(name) = line.split('=').next()
        {
            out.insert(name.trim().to_string());
        }
    }
    out
}

/// Fails (naming the difference) unless the manifest at `manifest` depends, by path, on
/// exactly the function crates of the template: for crates that wire every function.
pub fn check_function_dependencies(manifest: &str, template: &Template) -> Result<(), String> {
    let listed = path_dependencies(manifest, "../../functions/");
    let (http, events) = function_crates(template);
    let wanted: std::collections::BTreeSet<String> = http.into_iter().chain(events).collect();
    let missing: Vec<_> = wanted.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&wanted).collect();
    if missing.is_empty() && extra.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "Cargo.toml and template.yaml disagree on the functions: missing dependencies {missing:?}, \
             not in the template {extra:?} (`make new-function` adds both)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_routes_with_and_without_authorizer() {
        let t = Template::parse(
            r#"
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth: { DefaultAuthorizer: Jwt }
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/get-thing/
      Environment: { Variables: { T: !Ref Table } }
      Events:
        A: { Type: HttpApi, Properties: { ApiId: !Ref Api, Path: "/things/{id}", Method: get } }
        B: { Type: HttpApi, Properties: { Path: /things, Method: POST, Auth: { Authorizer: NONE } } }
        Q: { Type: SQS, Properties: { Queue: !GetAtt Q.Arn } }
"#,
        )
        .unwrap();
        assert_eq!(t.routes.len(), 2);
        assert_eq!(t.routes[0].method, "GET");
        assert_eq!(t.routes[0].crate_name, "get-thing");
        assert!(t.routes[0].authorized);
        assert!(!t.routes[1].authorized);
        assert_eq!(t.functions[0].code_uri, "functions/get-thing");
    }

    #[test]
    fn reads_websocket_routes_through_their_integrations() {
        let t = Template::parse(
            r#"
Resources:
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: { RouteKey: subscribe, Target: !Sub "integrations/${Int}" }
  Int:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      IntegrationUri: !Sub "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"
  Fn:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: functions/live-subscriptions }
"#,
        )
        .unwrap();
        assert_eq!(
            t.socket_routes,
            [SocketRoute {
                route_key: "subscribe".into(),
                crate_name: "live-subscriptions".into()
            }]
        );
    }
}
