//! template.yaml, the function crates, the gateway registry and the sample events agree.

use std::collections::BTreeSet;

use integration_tests::root;
use local_gateway::template::Template;

fn template() -> Template {
    Template::load(&root().join("template.yaml")).unwrap()
}

fn offline_context() -> shared::AppContext {
    // Building handlers opens no connection, so any endpoint will do here.
    let cfg = shared::Config::from_lookup(|k| match k {
        "AWS_ENDPOINT_URL" => Some("http://127.0.0.1:9".into()),
        _ => Some("x".into()),
    })
    .unwrap();
    let sdk = aws_config_for_tests();
    shared::AppContext::with_sdk_config(cfg, sdk)
}

fn aws_config_for_tests() -> shared::context::SdkConfig {
    shared::context::SdkConfig::builder()
        .behavior_version(shared::context::BehaviorVersion::latest())
        .region(shared::context::Region::new("us-east-1"))
        .build()
}

#[test]
fn every_template_route_has_a_handler_in_the_gateway() {
    let handlers = local_gateway::registry::handlers(&offline_context());
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
    for name in local_gateway::registry::handlers(&offline_context()).keys() {
        assert!(
            routes.contains(*name),
            "{name} is served locally but has no route in template.yaml"
        );
    }
}

#[test]
fn every_event_trigger_has_a_handler_for_the_pump() {
    let handlers = local_gateway::registry::event_handlers(&offline_context());
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
    // Every authorized route names the bearer scheme; every route has its problems.
    for r in template().routes {
        let op = &doc["paths"][&r.path][r.method.to_lowercase()];
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
