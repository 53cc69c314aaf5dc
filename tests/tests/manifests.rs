//! The architecture, as the compiler and the manifests keep it:
//! - every dependency a manifest lists is used by its crate (no dead weight in any build);
//! - the domain and the application link no AWS SDK, no HTTP crate and no async runtime;
//! - each function links exactly the AWS SDKs of the services its code touches;
//! - a function's library builds a unit-test binary exactly when it holds unit tests.
//!
//! Read from `cargo metadata` and `cargo tree` (offline, from Cargo.lock).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use integration_tests::root;
use serde_json::Value;

fn cargo(args: &[&str]) -> String {
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "cargo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn packages() -> Vec<Value> {
    let meta: Value = serde_json::from_str(&cargo(&[
        "metadata",
        "--format-version",
        "1",
        "--no-deps",
        "--offline",
    ]))
    .unwrap();
    meta["packages"].as_array().unwrap().clone()
}

fn sources(dir: &Path, sub: &[&str]) -> String {
    let mut text = String::new();
    let mut stack: Vec<PathBuf> = sub.iter().map(|s| dir.join(s)).collect();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
        } else if p.is_file() && p.extension().is_some_and(|e| e == "rs") {
            text.push_str(&std::fs::read_to_string(&p).unwrap());
            text.push('\n');
        }
    }
    text
}

fn mentions(text: &str, ident: &str) -> bool {
    [
        format!("{ident}::"),
        format!("use {ident}"),
        format!("extern crate {ident}"),
    ]
    .iter()
    .any(|needle| {
        text.match_indices(needle.as_str()).any(|(i, _)| {
            i == 0
                || !text[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
        })
    })
}

#[test]
fn every_listed_dependency_is_used() {
    let mut unused = Vec::new();
    for pkg in packages() {
        let dir = Path::new(pkg["manifest_path"].as_str().unwrap())
            .parent()
            .unwrap()
            .to_path_buf();
        let name = pkg["name"].as_str().unwrap();
        let code = sources(&dir, &["src", "build.rs"]);
        let build = sources(&dir, &["build.rs"]);
        let all = sources(&dir, &["src", "tests", "benches", "build.rs"]);
        for dep in pkg["dependencies"].as_array().unwrap() {
            let ident = dep["rename"]
                .as_str()
                .unwrap_or(dep["name"].as_str().unwrap())
                .replace('-', "_");
            // Function crates wired by a build script from template.yaml (which checks
            // them against the template itself).
            if dep["path"]
                .as_str()
                .is_some_and(|p| p.contains("/functions/"))
                && dir.join("build.rs").exists()
            {
                continue;
            }
            let text = match dep["kind"].as_str() {
                Some("build") => &build,
                Some("dev") => &all,
                _ => &code,
            };
            if !mentions(text, &ident) {
                unused.push(format!("{name}: {ident} ({})", dep["kind"]));
            }
        }
    }
    assert!(unused.is_empty(), "unused dependencies: {unused:#?}");
}

/// The packages in `crate`'s normal dependency tree.
fn tree(krate: &str) -> BTreeSet<String> {
    cargo(&[
        "tree",
        "-p",
        krate,
        "-e",
        "normal",
        "--prefix",
        "none",
        "--format",
        "{p}",
        "--offline",
    ])
    .lines()
    .filter_map(|l| l.split_whitespace().next())
    .map(str::to_owned)
    .collect()
}

#[test]
fn the_domain_and_the_application_link_no_aws_http_or_runtime() {
    for krate in ["domain", "app"] {
        let forbidden: Vec<String> = tree(krate)
            .into_iter()
            .filter(|p| {
                p.starts_with("aws-")
                    || p.starts_with("lambda")
                    || p.starts_with("hyper")
                    || p == "http"
                    || p == "tokio"
                    || p == "reqwest"
                    || p == "edge"
            })
            .collect();
        assert!(forbidden.is_empty(), "{krate} links {forbidden:?}");
    }
}

#[test]
fn each_function_links_exactly_the_aws_sdks_its_code_touches() {
    // Each SDK, and what in a function's code touches its service.
    let services: BTreeMap<&str, &[&str]> = BTreeMap::from([
        ("aws-sdk-dynamodb", &["aws::dynamo", ".dynamodb()"][..]),
        (
            "aws-sdk-cognitoidentityprovider",
            &["aws::cognito", ".cognito()"][..],
        ),
        (
            "aws-sdk-eventbridge",
            &["aws::eventbridge", ".eventbridge()"][..],
        ),
        ("aws-sdk-sesv2", &["aws::notifier", ".ses()"][..]),
        ("aws-sdk-sns", &["aws::notifier", "aws::sms", ".sns()"][..]),
        // Stripe's keys come from Secrets Manager when the function starts.
        ("aws-sdk-secretsmanager", &["aws::stripe"][..]),
        (
            "aws-sdk-apigatewaymanagement",
            &["aws::live_push", ".live_connections()"][..],
        ),
    ]);
    let mut checked = 0;
    for pkg in packages() {
        let manifest = pkg["manifest_path"].as_str().unwrap();
        if !manifest.contains("/functions/") {
            continue;
        }
        let name = pkg["name"].as_str().unwrap();
        let dir = Path::new(manifest).parent().unwrap();
        let text = sources(dir, &["src"]);
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        // (aws-config's own STS and SSO clients resolve credentials: not services we call.)
        let linked: BTreeSet<String> = tree(name)
            .into_iter()
            .filter(|p| services.contains_key(p.as_str()))
            .collect();
        let touched: BTreeSet<String> = services
            .iter()
            .filter(|(_, patterns)| patterns.iter().any(|p| code.contains(p)))
            .map(|(sdk, _)| sdk.to_string())
            .collect();
        // get-openapi links every route's crate: its tree is theirs, not its own.
        if name != "get-openapi" {
            assert_eq!(linked, touched, "{name}: linked vs touched");
        }
        checked += 1;
    }
    assert!(checked >= 40, "{checked} functions");
}

/// Every function's handler is tested through the gateway (tests/tests/api), so most function
/// crates hold no unit tests. Cargo still links an empty test binary for each (~50 MB in a debug
/// build, with the whole AWS SDK): 66 of them filled the CI disk. So `[lib] test = false` where
/// there are none, and this test fails the moment a test is written in a crate that would never
/// run it (or a crate that has tests leaves its binary switched off).
#[test]
fn a_function_library_builds_a_test_binary_exactly_when_it_has_tests() {
    let markers = ["#[test]", "#[tokio::test]", "proptest!"];
    let mut wrong = Vec::new();
    for pkg in packages() {
        let manifest = Path::new(pkg["manifest_path"].as_str().unwrap());
        let dir = manifest.parent().unwrap();
        if dir.parent().and_then(|p| p.file_name()) != Some("functions".as_ref()) {
            continue;
        }
        let code = sources(dir, &["src"]);
        let has_tests = markers.iter().any(|m| code.contains(m));
        let lib = pkg["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["kind"].as_array().unwrap().iter().any(|k| k == "lib"))
            .unwrap_or_else(|| panic!("{}: no library target", pkg["name"]));
        let builds_tests = lib["test"].as_bool().unwrap();
        if has_tests != builds_tests {
            wrong.push(format!(
                "{}: has tests {has_tests}, [lib] test = {builds_tests}",
                pkg["name"]
            ));
        }
    }
    assert!(wrong.is_empty(), "set [lib] test to match: {wrong:#?}");
}
