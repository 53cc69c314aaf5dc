//! Every function's real binary (its `main`, the composition root Lambda runs) started as
//! a process against the local Runtime API emulator with its template environment, answering
//! its sample event. This catches what in-process handler tests cannot: a `main` that
//! panics on configuration, or a binary that never polls for work.

use std::path::PathBuf;
use std::time::Duration;

use integration_tests::lambda_emulator::{Emulator, spawn_function};
use integration_tests::*;
use local_gateway::template::Template;

fn binary(name: &str) -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join("target"));
    target.join("debug").join(name)
}

#[tokio::test]
async fn every_function_binary_serves_its_sample_event() {
    let env = env();
    let template = Template::load(&root().join("template.yaml")).unwrap();
    for f in &template.functions {
        let name = f.code_uri.trim_start_matches("functions/");
        let bin = binary(name);
        assert!(
            bin.exists(),
            "{} is not built: run `cargo build --workspace --bins` (make test does)",
            bin.display()
        );
        let emulator = Emulator::start().await;
        let mut child = spawn_function(&bin, name, &emulator, &env.stack);
        let polled = emulator.wait_first_poll(Duration::from_secs(10)).await;
        assert!(
            polled.is_some(),
            "{name} never asked for work (init error: {:?})",
            emulator.init_error()
        );
        let event =
            std::fs::read_to_string(root().join("events").join(format!("{name}.json"))).unwrap();
        let reply = emulator.invoke(&event).await;
        let _ = child.kill();
        let _ = child.wait();
        let payload: serde_json::Value =
            serde_json::from_str(&reply.unwrap_or_else(|e| panic!("{name} failed: {e}"))).unwrap();
        if let Some(t) = template.triggers.iter().find(|t| t.crate_name == name) {
            if matches!(
                t.source,
                local_gateway::template::TriggerSource::Schedule { .. }
            ) {
                assert!(payload.is_object(), "{name}: {payload}");
                continue;
            }
            // An event function answers with its partial batch failures (none here).
            assert_eq!(
                payload,
                serde_json::json!({"batchItemFailures": []}),
                "{name}: {payload}"
            );
            continue;
        }
        let status = payload["statusCode"]
            .as_u64()
            .unwrap_or_else(|| panic!("{name}: not an HTTP API response: {payload}"));
        assert!(status < 500, "{name} answered {status}: {payload}");
    }
}
