//! Every function has a sample event in `events/<crate>.json` (what `sam local invoke -e`
//! takes), and each one runs through its handler here, so the samples never rot.

use integration_tests::*;
use local_gateway::template::Template;

#[tokio::test]
async fn every_function_runs_on_its_sample_event() {
    let root = root();
    let template = Template::load(&root.join("template.yaml")).unwrap();
    let contexts = function_contexts().await;
    let handlers = local_gateway::registry::handlers(&|name| contexts.of(name));
    // Exactly one sample per function of the template, and no other.
    let samples: std::collections::BTreeSet<String> = std::fs::read_dir(root.join("events"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".json").map(str::to_owned))
        .collect();
    let functions: std::collections::BTreeSet<String> = template
        .functions
        .iter()
        .filter_map(|f| f.code_uri.strip_prefix("functions/"))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        samples, functions,
        "events/*.json and template.yaml's functions"
    );
    for route in &template.routes {
        let path = root
            .join("events")
            .join(format!("{}.json", route.crate_name));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("missing sample event {}", path.display()));
        let event: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            event["routeKey"],
            format!("{} {}", route.method, route.path),
            "{} is for another route",
            path.display()
        );
        let request = lambda_http::request::from_str(&text).unwrap();
        let handler = &handlers[route.crate_name.as_str()];
        let response = handler(request).await;
        assert!(
            response.status().as_u16() < 500,
            "{}: {} {:?}",
            route.crate_name,
            response.status(),
            response.body()
        );
    }
    // Event functions: their samples are stream and queue batches; nothing may fail.
    let events = local_gateway::registry::event_handlers(&|name| contexts.of(name));
    for trigger in &template.triggers {
        let path = root
            .join("events")
            .join(format!("{}.json", trigger.crate_name));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("missing sample event {}", path.display()));
        let handler = &events[trigger.crate_name.as_str()];
        let answer = handler(serde_json::from_str(&text).unwrap())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", trigger.crate_name));
        if matches!(
            trigger.source,
            local_gateway::template::TriggerSource::Schedule { .. }
        ) {
            assert!(answer.is_object(), "{}", trigger.crate_name);
            continue;
        }
        assert_eq!(
            answer,
            serde_json::json!({"batchItemFailures": []}),
            "{}",
            trigger.crate_name
        );
    }
    // WebSocket routes: a route's answer is `{statusCode, body}`, never a server error.
    let mut socket_crates: Vec<&str> = template
        .socket_routes
        .iter()
        .map(|r| r.crate_name.as_str())
        .collect();
    socket_crates.sort();
    socket_crates.dedup();
    assert!(socket_crates.len() >= 3, "{socket_crates:?}");
    for name in socket_crates {
        let text = std::fs::read_to_string(root.join("events").join(format!("{name}.json")))
            .unwrap_or_else(|_| panic!("missing sample event for {name}"));
        let answer = events[name](serde_json::from_str(&text).unwrap())
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let status = answer["statusCode"].as_u64().unwrap_or(500);
        assert!(status < 500, "{name}: {answer}");
    }
}
