//! template.yaml (and its companion stacks: the front door's web ACL, infra/edge-waf.yaml,
//! and the web app, infra/web.yaml) pass
//! cfn-lint, `sam validate --lint` and the IaC security scanner (checkov, with the reasons
//! for what it skips in infra/checkov.yaml). All run offline.

use std::process::Command;

use integration_tests::root;

fn run(tool: &str, args: &[&str]) {
    run_in("tools", tool, args);
}

fn run_in(venv: &str, tool: &str, args: &[&str]) {
    let bin = root().join(".venv").join(venv).join("bin").join(tool);
    assert!(
        bin.exists(),
        "{tool} is not installed: run `make test` (it runs infra/setup.sh)"
    );
    let out = Command::new(bin)
        .args(args)
        .current_dir(root())
        .env("SAM_CLI_TELEMETRY", "0")
        // checkov: no update check, no guideline download (nothing leaves this machine).
        .env("CKV_SKIP_PACKAGE_UPDATE_CHECK", "true")
        .env("BC_SKIP_MAPPING", "TRUE")
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
    run(
        "cfn-lint",
        &["template.yaml", "infra/edge-waf.yaml", "infra/web.yaml"],
    );
}

#[test]
fn the_security_scan_finds_nothing_unexplained() {
    run_in(
        "scan",
        "checkov",
        &[
            "--config-file",
            "infra/checkov.yaml",
            "-f",
            "template.yaml",
            "-f",
            "infra/edge-waf.yaml",
            "-f",
            "infra/web.yaml",
        ],
    );
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
