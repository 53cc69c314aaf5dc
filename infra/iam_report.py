#!/usr/bin/env python3
"""Permissions template.yaml grants that no test used.

    iam_report.py USAGE_DIR

The local gateway (with COWORK_IAM_USAGE_DIR set, as `make test` does) records every IAM
action each function's AWS calls needed; the stand-in enforces the policies, so every
needed permission is granted or a test failed. This lists the other direction: grants no
test exercised, which are either dead (remove them) or untested (add a test). It prints,
it does not fail: a rarely used path may be granted on purpose (each listed with why in
the README's IAM section).

Runs with the ministack venv's interpreter (PyYAML), like stack.py.
"""
from __future__ import annotations

import fnmatch
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import POLICY_TEMPLATES, Intrinsic, function_crate, load_template  # noqa: E402


def resource_kind(resource) -> str:
    """`table` or `index` for the app table's ARNs, `*` for anything else."""
    text = resource.value if isinstance(resource, Intrinsic) else resource
    if isinstance(text, list):  # !GetAtt [AppTable, Arn]
        return "table" if text == ["AppTable", "Arn"] else "*"
    text = str(text)
    if "/index/" in text:
        return "index"
    return "*"


def grants(template: dict) -> dict[str, set[tuple[str, str]]]:
    """Crate -> {(action pattern, resource kind)} from each function's policies."""
    out: dict[str, set[tuple[str, str]]] = {}
    for res in template["Resources"].values():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        props = res.get("Properties") or {}
        granted: set[tuple[str, str]] = set()
        for policy in props.get("Policies") or []:
            if isinstance(policy, dict) and "Statement" in policy:
                statements = policy["Statement"]
            else:
                (name, args), = policy.items()
                statements = POLICY_TEMPLATES[name](args or {}, lambda v: "x")
            for st in statements:
                if st.get("Effect") != "Allow":
                    continue
                actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
                resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
                for action in actions:
                    for resource in resources:
                        granted.add((action, resource_kind(resource)))
        out[function_crate(props)] = granted
    return out


# Cognito's public (unsigned) operations: they need no IAM permission on AWS either.
PUBLIC = {f"cognito-idp:{op}" for op in (
    "InitiateAuth", "RespondToAuthChallenge", "SignUp", "ConfirmSignUp", "ResendConfirmationCode",
    "ForgotPassword", "ConfirmForgotPassword", "GetUser", "GlobalSignOut", "RevokeToken", "ChangePassword",
    "GetUserAttributeVerificationCode", "VerifyUserAttribute", "UpdateUserAttributes")}


def matches(granted: set[tuple[str, str]], action: str, kind: str) -> bool:
    return any(fnmatch.fnmatchcase(action, a) and (k == "*" or k == kind) for a, k in granted)


def used(usage_dir: Path) -> set[tuple[str, str, str]]:
    seen = set()
    for file in usage_dir.glob("*.jsonl"):
        for line in file.read_text().splitlines():
            if line.strip():
                u = json.loads(line)
                seen.add((u["function"], u["action"], u["resource"]))
    return seen


def main():
    usage_dir = Path(sys.argv[1])
    if not usage_dir.is_dir():
        print(f"iam report: no usage recorded in {usage_dir}")
        return
    granted, seen = grants(load_template()), used(usage_dir)
    unused, total = [], 0
    for crate, perms in sorted(granted.items()):
        for action, kind in sorted(perms):
            total += 1
            hit = any(f == crate and fnmatch.fnmatchcase(a, action) and (kind == "*" or r == kind)
                      for f, a, r in seen)
            if not hit:
                unused.append((crate, action, kind))
    denied = sorted((f, a, r) for f, a, r in seen
                    if a not in PUBLIC and not matches(granted.get(f, set()), a, r))
    for crate, action, kind in denied:
        print(f"  DENIED (not granted, a test failed): {crate}: {action} on {kind}")
    print(f"IAM: {total - len(unused)} of {total} granted permissions were used by the tests.")
    for crate, action, kind in unused:
        where = {"table": "on the table", "index": "on its indexes", "*": ""}[kind]
        print(f"  not exercised: {crate}: {action} {where}".rstrip())


if __name__ == "__main__":
    main()
