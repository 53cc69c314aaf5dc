//! template.yaml, the function crates, the gateway registry and the sample events agree.

use std::collections::BTreeSet;

use integration_tests::root;
use local_gateway::template::Template;

fn template() -> Template {
    Template::load(&root().join("template.yaml")).unwrap()
}

fn offline_context() -> aws::AppContext {
    // Building handlers opens no connection, so any endpoint will do here.
    let mut cfg = aws::Config::from_lookup(|k| match k {
        "AWS_ENDPOINT_URL" => Some("http://127.0.0.1:9".into()),
        _ => Some("x".into()),
    })
    .unwrap();
    // What AppContext::new would have read from the Stripe secret.
    cfg.stripe_secret_key = Some("x".into());
    cfg.stripe_webhook_secret = Some("x".into());
    let sdk = aws_config_for_tests();
    aws::AppContext::with_sdk_config(cfg, sdk)
}

fn aws_config_for_tests() -> aws::context::SdkConfig {
    aws::context::SdkConfig::builder()
        .behavior_version(aws::context::BehaviorVersion::latest())
        .region(aws::context::Region::new("us-east-1"))
        .build()
}

#[test]
fn every_template_route_has_a_handler_in_the_gateway() {
    let handlers = local_gateway::registry::handlers(&|_| offline_context());
    let missing: Vec<_> = template()
        .routes
        .iter()
        .filter(|r| !handlers.contains_key(r.crate_name.as_str()))
        .map(|r| format!("{} {} -> {}", r.method, r.path, r.crate_name))
        .collect();
    assert!(
        missing.is_empty(),
        "routes not served by the local gateway: {missing:?}"
    );
}

#[test]
fn every_function_crate_is_in_the_template_and_vice_versa() {
    let dirs: BTreeSet<String> = std::fs::read_dir(root().join("functions"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| format!("functions/{}", e.file_name().to_string_lossy()))
        .collect();
    let uris: BTreeSet<String> = template()
        .functions
        .iter()
        .map(|f| f.code_uri.clone())
        .collect();
    let not_deployed: Vec<_> = dirs.difference(&uris).collect();
    let no_crate: Vec<_> = uris.difference(&dirs).collect();
    assert!(
        not_deployed.is_empty(),
        "function crates missing from template.yaml: {not_deployed:?}"
    );
    assert!(
        no_crate.is_empty(),
        "template functions without a crate: {no_crate:?}"
    );
}

#[test]
fn every_function_has_a_sample_event() {
    for f in template().functions {
        let name = f.code_uri.trim_start_matches("functions/");
        assert!(
            root().join("events").join(format!("{name}.json")).exists(),
            "events/{name}.json missing"
        );
    }
}

#[test]
fn every_registry_entry_is_a_template_route() {
    let routes: BTreeSet<String> = template()
        .routes
        .into_iter()
        .map(|r| r.crate_name)
        .collect();
    for name in local_gateway::registry::handlers(&|_| offline_context()).keys() {
        assert!(
            routes.contains(*name),
            "{name} is served locally but has no route in template.yaml"
        );
    }
}

#[test]
fn every_event_trigger_has_a_handler_for_the_pump() {
    let handlers = local_gateway::registry::event_handlers(&|_| offline_context());
    let t = template();
    assert!(!t.triggers.is_empty());
    for trigger in &t.triggers {
        assert!(
            handlers.contains_key(trigger.crate_name.as_str()),
            "{} has an event source in template.yaml but no handler in registry.rs",
            trigger.crate_name
        );
    }
}

/// The OpenAPI document and template.yaml list the same routes: a route cannot be deployed
/// undocumented, nor documented without existing.
#[test]
fn openapi_document_lists_exactly_the_template_routes() {
    let doc: serde_json::Value = serde_json::from_str(get_openapi::document()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let deployed: BTreeSet<String> = template()
        .routes
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(documented, deployed);
    // Every authorized route names the bearer scheme; every route has its problems and is
    // named after its crate (what the generated web client and a newcomer search for).
    for r in template().routes {
        let op = &doc["paths"][&r.path][r.method.to_lowercase()];
        assert_eq!(op["operationId"], r.crate_name.as_str());
        assert_eq!(
            op["security"].is_array(),
            r.authorized,
            "{} {}",
            r.method,
            r.path
        );
        if r.path != "/openapi.json" {
            assert!(
                op["responses"]["400"].is_object(),
                "{} {}",
                r.method,
                r.path
            );
        }
    }
}

/// `make new-function` writes everything a function needs, consistently: run on copies of
/// the files it edits, the template gets the route, the crates that wire every function
/// list it (as their build scripts require), and the sample event names the route.
#[test]
fn the_scaffold_writes_a_function_everywhere_it_must_appear() {
    let tmp = root().join(format!(".local/scaffold-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    for rel in [
        "template.yaml",
        "README.md",
        "infra/local-gateway/Cargo.toml",
        "functions/get-openapi/Cargo.toml",
    ] {
        let to = tmp.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root().join(rel), to).unwrap();
    }
    std::fs::create_dir_all(tmp.join("events")).unwrap();
    let status = std::process::Command::new("python3")
        .arg(root().join("infra/new-function.py"))
        .args(["list-gadgets", "GET /gadgets/{gadgetId}/parts", "--root"])
        .arg(&tmp)
        .status()
        .unwrap();
    assert!(status.success());
    let t = Template::load(&tmp.join("template.yaml")).unwrap();
    let route = t
        .routes
        .iter()
        .find(|r| r.crate_name == "list-gadgets")
        .expect("the route is in the template");
    assert_eq!(
        (route.method.as_str(), route.path.as_str(), route.authorized),
        ("GET", "/gadgets/{gadgetId}/parts", true)
    );
    let gateway = std::fs::read_to_string(tmp.join("infra/local-gateway/Cargo.toml")).unwrap();
    sam_template::check_function_dependencies(&gateway, &t).unwrap();
    let openapi = std::fs::read_to_string(tmp.join("functions/get-openapi/Cargo.toml")).unwrap();
    assert!(sam_template::path_dependencies(&openapi, "../").contains("list-gadgets"));
    let sample: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.join("events/list-gadgets.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(sample["routeKey"], "GET /gadgets/{gadgetId}/parts");
    assert_eq!(sample["pathParameters"]["gadgetId"], "sample-gadgetid");
    for file in ["Cargo.toml", "src/main.rs", "src/lib.rs"] {
        assert!(
            tmp.join("functions/list-gadgets").join(file).exists(),
            "{file}"
        );
    }
    let readme = std::fs::read_to_string(tmp.join("README.md")).unwrap();
    assert!(
        readme
            .contains("| GET | `/gadgets/{gadgetId}/parts` | signed in | `functions/list-gadgets`")
    );
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// Each deployed stage names its own secrets (the functions read them at start), and prod
/// is given a front door: what template.yaml's rules demand, checked before a deploy would.
#[test]
fn every_stage_names_its_own_secrets_and_prod_has_a_front_door() {
    let text = std::fs::read_to_string(integration_tests::root().join("samconfig.toml")).unwrap();
    let mut stages = Vec::new();
    for line in text
        .lines()
        .filter(|l| l.starts_with("parameter_overrides"))
    {
        let Some(stage) = line
            .split("Stage=\\\"")
            .nth(1)
            .and_then(|r| r.split("\\\"").next())
        else {
            continue;
        };
        if !line.contains("StripeSecretName") && !line.contains("LogLevel") && stage == "prod" {
            continue; // the companion edge stack (infra/edge-waf.yaml) takes only its Stage
        }
        assert!(
            line.contains(&format!(
                "StripeSecretName=\\\"coworking/{stage}/stripe\\\""
            )),
            "{stage}: {line}"
        );
        if stage == "prod" {
            for p in [
                "EdgeWebAclArn",
                "EdgeDomainName",
                "EdgeCertificateArn",
                "OriginDomainName",
                "OriginCertificateArn",
            ] {
                assert!(line.contains(p), "prod lacks {p}");
            }
        }
        stages.push(stage.to_string());
    }
    stages.sort();
    assert_eq!(stages, ["dev", "prod", "staging"]);
}

/// The web client is generated from `web/openapi.json` (`make web-client`); that copy must be
/// the document the API serves, so the client cannot drift from the routes. With
/// `UPDATE_WEB_OPENAPI=1` the test rewrites the copy instead (what `make web-client` runs).
#[test]
fn the_web_clients_copy_of_the_openapi_document_is_current() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let copy = root.join("web/openapi.json");
    let current: serde_json::Value = serde_json::from_str(get_openapi::document()).unwrap();
    let pretty = serde_json::to_string_pretty(&current).unwrap() + "\n";
    if std::env::var_os("UPDATE_WEB_OPENAPI").is_some() {
        std::fs::write(&copy, &pretty).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&copy).unwrap_or_default();
    assert!(
        committed == pretty,
        "web/openapi.json differs from the API's document: run `make web-client`"
    );
}

/// Nothing fails silently on AWS: every queue and dead-letter queue has an alarm on its
/// own metrics, every function an error alarm, every API route's function an alarm on its
/// 5xx answers (the EMF `ServerErrors` of that crate) and on its p99 duration, every alarm
/// on our own metrics watches a metric the code emits, and every alarm tells the topic.
#[test]
fn every_queue_and_function_has_an_alarm_that_tells_someone() {
    use serde_yaml::Value;
    let text = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    let doc: Value = serde_yaml::from_str(&text).unwrap();
    let resources = doc["Resources"].as_mapping().unwrap();
    let of_type = |kind: &str| -> BTreeSet<String> {
        resources
            .iter()
            .filter(|(_, r)| r["Type"].as_str() == Some(kind))
            .map(|(id, _)| id.as_str().unwrap().to_string())
            .collect()
    };
    // What a tagged value (`!Ref X`, `!GetAtt X.Attr`) names, or a plain string.
    let named = |v: &Value| -> Option<String> {
        match v {
            Value::Tagged(t) => t
                .value
                .as_str()
                .map(|s| s.split('.').next().unwrap().to_string()),
            Value::String(s) => Some(s.clone()),
            _ => None,
        }
    };
    // An alarm's metrics: its own, or each `MetricStat` of its metric math.
    // (namespace, metric name, dimensions, statistic)
    type Watched = (String, String, Vec<(String, Option<String>)>, String);
    let watched = |p: &Value| -> Vec<Watched> {
        let dims = |m: &Value| {
            m["Dimensions"]
                .as_sequence()
                .into_iter()
                .flatten()
                .map(|d| {
                    (
                        d["Name"].as_str().unwrap_or("").to_string(),
                        named(&d["Value"]),
                    )
                })
                .collect::<Vec<_>>()
        };
        let namespace = |v: &Value| match v {
            Value::Tagged(t) => t.value.as_str().unwrap_or("").to_string(),
            other => other.as_str().unwrap_or("").to_string(),
        };
        let mut out = Vec::new();
        if p["MetricName"].is_string() {
            let stat = p["Statistic"]
                .as_str()
                .or(p["ExtendedStatistic"].as_str())
                .unwrap_or("");
            out.push((
                namespace(&p["Namespace"]),
                p["MetricName"].as_str().unwrap().to_string(),
                dims(p),
                stat.to_string(),
            ));
        }
        for q in p["Metrics"].as_sequence().into_iter().flatten() {
            let m = &q["MetricStat"]["Metric"];
            if m["MetricName"].is_string() {
                out.push((
                    namespace(&m["Namespace"]),
                    m["MetricName"].as_str().unwrap().to_string(),
                    dims(m),
                    q["MetricStat"]["Stat"].as_str().unwrap_or("").to_string(),
                ));
            }
        }
        out
    };
    // Our metric names: the EMF catalogue plus the domain events counted at commit.
    let names_source =
        std::fs::read_to_string(root().join("shared/aws/src/telemetry/emf.rs")).unwrap();
    let events_source =
        walk_text(&root().join("shared/app/src")) + &walk_text(&root().join("shared/domain/src"));
    let mut alarmed_queues = BTreeSet::new();
    let mut error_alarmed = BTreeSet::new();
    let mut server_error_alarmed = BTreeSet::new();
    let mut latency_alarmed = BTreeSet::new();
    for (id, r) in resources {
        if r["Type"].as_str() != Some("AWS::CloudWatch::Alarm") {
            continue;
        }
        let p = &r["Properties"];
        let actions = format!("{:?}", p["AlarmActions"]);
        assert!(
            actions.contains("AlarmTopic"),
            "{id:?} tells nobody: {actions}"
        );
        for (namespace, metric, dims, stat) in watched(p) {
            for (dim, target) in &dims {
                match (namespace.as_str(), dim.as_str(), metric.as_str()) {
                    ("AWS/SQS", "QueueName", _) => alarmed_queues.extend(target.clone()),
                    ("AWS/Lambda", "FunctionName", "Errors") => {
                        error_alarmed.extend(target.clone())
                    }
                    ("AWS/Lambda", "FunctionName", "Duration") if stat == "p99" => {
                        latency_alarmed.extend(target.clone())
                    }
                    (ns, "Function", "ServerErrors") if ns.starts_with("coworking-") => {
                        server_error_alarmed.extend(target.clone())
                    }
                    _ => {}
                }
            }
            if namespace.starts_with("coworking-") {
                assert!(
                    names_source.contains(&format!("\"{metric}\""))
                        || events_source.contains(&format!("\"{metric}\"")),
                    "{id:?} watches {metric}, which no code emits"
                );
                assert!(
                    dims.iter()
                        .any(|(d, v)| d == "Service" && v.as_deref() == Some("coworking")),
                    "{id:?}: every EMF metric has the Service dimension"
                );
            }
        }
    }
    let queues = of_type("AWS::SQS::Queue");
    assert!(queues.len() >= 8, "{queues:?}");
    let silent: Vec<_> = queues.difference(&alarmed_queues).collect();
    assert!(silent.is_empty(), "queues without an alarm: {silent:?}");
    let functions = of_type("AWS::Serverless::Function");
    let silent: Vec<_> = functions.difference(&error_alarmed).collect();
    assert!(
        silent.is_empty(),
        "functions without an error alarm: {silent:?}"
    );
    for id in &functions {
        let props = &resources[id.as_str()]["Properties"];
        let is_route = props["Events"]
            .as_mapping()
            .into_iter()
            .flatten()
            .any(|(_, e)| e["Type"].as_str() == Some("HttpApi"));
        if !is_route {
            continue;
        }
        let crate_name = props["CodeUri"]
            .as_str()
            .unwrap()
            .trim_start_matches("functions/");
        assert!(
            server_error_alarmed.contains(crate_name),
            "{id}: no alarm on its 5xx answers (ServerErrors, Function={crate_name})"
        );
        assert!(latency_alarmed.contains(id), "{id}: no p99 latency alarm");
    }
}

/// All `.rs` text under `dir` (what the metric-name check searches for event types).
fn walk_text(dir: &std::path::Path) -> String {
    let mut out = String::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out += &walk_text(&path);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out += &std::fs::read_to_string(&path).unwrap();
        }
    }
    out
}
