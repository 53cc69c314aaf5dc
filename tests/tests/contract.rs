//! The API against its own OpenAPI document: schemathesis (PyPI, installed by `make setup`
//! into `.venv/fuzz`) generates requests for every documented operation as a member, an
//! operator and an admin, with a fixed seed and a bounded number of examples, and fails on
//! any server error or any answer (status, content type, body) the document does not allow.
//! Its own binary, so the data it creates disturbs no other test.

use std::process::Command;

use domain::role::Role;
use integration_tests::fixtures::fixture;
use integration_tests::*;

const SEED: &str = "42";
const MAX_EXAMPLES: &str = "15";
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance";

fn schemathesis(base: &str, token: &str, role: &str) {
    let bin = root().join(".venv/fuzz/bin/schemathesis");
    assert!(bin.exists(), "{} missing: run `make setup`", bin.display());
    let out = Command::new(&bin)
        .args(["run", &format!("{base}/openapi.json"), "--url", base])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args([
            "--seed",
            SEED,
            "--max-examples",
            MAX_EXAMPLES,
            "--checks",
            CHECKS,
        ])
        .args(["--workers", "2", "--no-color", "--request-timeout", "30"])
        // Its example database would make runs depend on earlier ones.
        .args(["--generation-database", ":memory:"])
        .current_dir(std::env::temp_dir())
        .output()
        .expect("schemathesis runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary: String = stdout
        .lines()
        .skip_while(|l| !l.contains("SUMMARY"))
        .collect::<Vec<_>>()
        .join("\n");
    eprintln!("schemathesis as {role}:\n{summary}");
    assert!(
        out.status.success(),
        "schemathesis as {role} found problems:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("passed"), "no test cases ran as {role}");
}

#[tokio::test]
async fn every_answer_matches_the_openapi_document_for_every_role() {
    let base = env().base.clone();
    // Something to find: a space with a room, owned by the operator below.
    let f = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[Role::Member]).await;
    let admin = user_with_roles(&[Role::Admin]).await;
    for (role, token) in [
        ("member", member.access_token.clone()),
        ("operator", f.operator.access_token.clone()),
        ("admin", admin.access_token.clone()),
    ] {
        let base = base.clone();
        tokio::task::spawn_blocking(move || schemathesis(&base, &token, role))
            .await
            .unwrap();
    }
}
