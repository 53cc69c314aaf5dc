//! template.yaml passes cfn-lint and `sam validate --lint` (both offline).

use std::process::Command;

use integration_tests::root;

fn run(tool: &str, args: &[&str]) {
    let bin = root().join(".venv/tools/bin").join(tool);
    assert!(
        bin.exists(),
        "{tool} is not installed: run `make test` (it runs infra/setup.sh)"
    );
    let out = Command::new(bin)
        .args(args)
        .current_dir(root())
        .env("SAM_CLI_TELEMETRY", "0")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{tool} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn cfn_lint_passes() {
    run("cfn-lint", &["template.yaml"]);
}

#[test]
fn sam_validate_lint_passes() {
    run(
        "sam",
        &[
            "validate",
            "--lint",
            "--region",
            "us-east-1",
            "--template-file",
            "template.yaml",
        ],
    );
}
