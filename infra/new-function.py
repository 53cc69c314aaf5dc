#!/usr/bin/env python3
"""`make new-function NAME=<crate> ROUTE="<METHOD> <path>" [PUBLIC=1]`: scaffolds an HTTP
function everywhere it must appear, so that `make test` passes with nothing else done:

- functions/<crate>/ (Cargo.toml, src/main.rs composition root, src/lib.rs handler answering
  200 with its own OpenAPI annotation, and a unit test);
- template.yaml: the function resource with its HttpApi event (the gateway's registry and
  the OpenAPI document derive from the template) and its error alarm;
- the dependency lists of infra/local-gateway and functions/get-openapi (their build
  scripts refuse to build when these and the template disagree);
- events/<crate>.json: the API Gateway v2 event `sam local invoke -e` takes;
- a row in the README's API table.

Then give the handler its real work: a port and adapter if it needs one, the template's
least-privilege policy, a test. `--root` scaffolds into another checkout (the scaffold's
own test uses it).
"""

import argparse
import json
import pathlib
import re
import subprocess
import sys

CRATE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")
PATH = re.compile(r"^/[A-Za-z0-9_\-/{}.]*$")


def fail(msg):
    sys.exit(f"new-function: {msg}")


def pascal(name):
    return "".join(p.capitalize() for p in name.split("-"))


def snake(param):
    """A path parameter's Rust name: `widgetId` -> `widget_id`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", param).lower()


def route_alarms(name, struct, route):
    """The two alarms every API route's function has (tests/tests/template.rs checks them):
    its failures (crash, timeout, start-up failure, or a 5xx answer, counted by the edge as
    the EMF metric ServerErrors) and its p99 duration."""
    return f"""  {struct}FunctionErrors:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: "{route} ({name}) answered 5xx, crashed, timed out or failed to start (runbook: function errors)."
      Metrics:
        - Id: crashes
          ReturnData: false
          MetricStat:
            Metric: {{Namespace: AWS/Lambda, MetricName: Errors, Dimensions: [{{Name: FunctionName, Value: !Ref {struct}Function}}]}}
            Period: 300
            Stat: Sum
        - Id: answers
          ReturnData: false
          MetricStat:
            Metric: {{Namespace: !Sub "coworking-${{Stage}}", MetricName: ServerErrors, Dimensions: [{{Name: Service, Value: coworking}}, {{Name: Function, Value: {name}}}]}}
            Period: 300
            Stat: Sum
        - Id: failures
          Label: crashes and 5xx answers
          Expression: "FILL(crashes, 0) + FILL(answers, 0)"
      EvaluationPeriods: 1
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
      TreatMissingData: notBreaching
      AlarmActions: [!Ref AlarmTopic]

  {struct}FunctionLatency:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: "{route} ({name}): p99 duration over 3 s for 15 minutes (runbook: latency)."
      Namespace: AWS/Lambda
      MetricName: Duration
      Dimensions: [{{Name: FunctionName, Value: !Ref {struct}Function}}]
      ExtendedStatistic: p99
      Period: 300
      EvaluationPeriods: 3
      Threshold: 3000
      ComparisonOperator: GreaterThanThreshold
      TreatMissingData: notBreaching
      AlarmActions: [!Ref AlarmTopic]

"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("route", help='e.g. "GET /things/{thingId}"')
    ap.add_argument("--public", action="store_true", help="no JWT authorizer")
    ap.add_argument("--root", default=str(pathlib.Path(__file__).resolve().parent.parent))
    a = ap.parse_args()
    root = pathlib.Path(a.root)
    name = a.name
    if not CRATE.match(name):
        fail("NAME must be a kebab-case crate name with a verb, such as get-thing")
    try:
        method, path = a.route.split()
    except ValueError:
        fail('ROUTE must be "<METHOD> <path>", such as "GET /things/{thingId}"')
    method = method.upper()
    if method not in {"GET", "POST", "PUT", "PATCH", "DELETE"} or not PATH.match(path):
        fail(f"not a route: {a.route}")
    fn_dir = root / "functions" / name
    if fn_dir.exists():
        fail(f"{fn_dir} exists")
    template_path = root / "template.yaml"
    template = template_path.read_text()
    if re.search(rf"^\s+Path: {re.escape(path)}\s*\n\s+Method: {method}\s*$", template, re.M):
        fail(f"{method} {path} is already a route")
    ident = name.replace("-", "_")
    struct = pascal(name)
    params = re.findall(r"{(\w+)}", path)

    # The crate.
    (fn_dir / "src").mkdir(parents=True)
    (fn_dir / "Cargo.toml").write_text(f"""[package]
name = "{name}"
version = "0.1.0"
edition.workspace = true
rust-version.workspace = true
license.workspace = true
publish.workspace = true

[lib]
doctest = false
# No unit tests in this crate; why, and what keeps this honest: tests/tests/manifests.rs.
test = false

[[bin]]
name = "{name}"
path = "src/main.rs"
test = false

[dependencies]
app.workspace = true
aws.workspace = true
edge.workspace = true
http.workspace = true
serde.workspace = true
tokio.workspace = true
utoipa.workspace = true

[dev-dependencies]
serde_json.workspace = true
""")
    (fn_dir / "src" / "main.rs").write_text(f"""//! Lambda entry point: the composition root only. The handler is in lib.rs.

#[tokio::main]
async fn main() -> Result<(), edge::runtime::Error> {{
    edge::runtime::serve_http(env!("CARGO_PKG_NAME"), {ident}::build).await
}}
""")
    param_lines = "".join(
        f"        let {snake(p)} = path_param(&req, \"{p}\")?;\n" for p in params
    )
    param_fields = ", ".join(f"{snake(p)}: &{snake(p)}" for p in params)
    caller = "" if a.public else "        let caller = caller_of(&req)?;\n"
    caller_field = "" if a.public else "caller: &caller.user_id, "
    struct_fields = "".join(f"    {snake(p)}: &'a str,\n" for p in params)
    struct_fields += "" if a.public else "    caller: &'a str,\n"
    imports = ["Body", "HttpFunction", "Request", "Response", "json"]
    if not a.public:
        imports.insert(0, "caller_of")
    uses_params = "use edge::http::params::path_param;\n" if params else ""
    lifetime = "<'a>" if struct_fields else ""
    static = "<'static>" if struct_fields else ""
    security = "" if a.public else '    security(("bearer" = [])),\n'
    path_params = "".join(f'        ("{p}" = String, Path),\n' for p in params)
    params_attr = f"    params(\n{path_params}    ),\n" if params else ""
    test_req = "http::Request::new(Body::Empty)"
    (fn_dir / "src" / "lib.rs").write_text(f"""//! `{method} {path}`{" (public)" if a.public else " (signed in)"}: scaffolded by `make new-function`. Describe here what it
//! does and why; keep the rules in `domain`, the flow in `app`, and this crate a thin
//! handler that parses, calls and answers.

use app::AppError;
use aws::AppContext;
use edge::http::{{{", ".join(imports)}}};
{uses_params}use http::StatusCode;
use serde::Serialize;

pub struct {struct};

pub fn build(_ctx: &AppContext) -> {struct} {{
    {struct}
}}

#[derive(Serialize, utoipa::ToSchema)]
struct Answer{lifetime} {{
    route: &'static str,
{struct_fields}}}

impl HttpFunction for {struct} {{
    async fn handle(&self, {"req" if (params or not a.public) else "_req"}: Request) -> Result<Response<Body>, AppError> {{
{caller}{param_lines}        json(
            StatusCode::OK,
            &Answer {{
                route: "{method} {path}",
                {caller_field}{param_fields}
            }},
        )
    }}
}}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    {method.lower()},
    path = "{path}",
    tag = "{name.split('-', 1)[1]}",
{params_attr}    responses(
        (status = 200, description = "answered", body = Answer{static}),
        edge::openapi::Problems,
    ),
{security})]
pub fn route() {{}}
""")
    if a.public and not params:
        with (fn_dir / "src" / "lib.rs").open("a") as f:
            f.write(f"""
#[cfg(test)]
mod tests {{
    use super::*;

    #[tokio::test]
    async fn answers() {{
        let res = {struct}.handle({test_req}).await.unwrap();
        assert_eq!(res.status(), 200);
        let body: serde_json::Value = serde_json::from_slice(res.body().as_ref()).unwrap();
        assert_eq!(body["route"], "{method} {path}");
    }}
}}
""")
    else:
        # Handlers that read claims or path parameters are tested on their sample event.
        manifest = (fn_dir / "Cargo.toml").read_text().replace(
            "\n[dev-dependencies]\nserde_json.workspace = true\n", ""
        )
        (fn_dir / "Cargo.toml").write_text(manifest)

    # template.yaml: the function, before the Outputs.
    auth = "            Auth:\n              Authorizer: NONE\n" if a.public else ""
    resource = f"""  {struct}Function:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: rust-cargolambda
    Properties:
      CodeUri: functions/{name}
      Description: {method} {path} - scaffolded by make new-function.
      Events:
        Api:
          Type: HttpApi
          Properties:
            ApiId: !Ref HttpApi
            Path: {path}
            Method: {method}
{auth}
""" + route_alarms(name, struct, f"{method} {path}")
    if "\nOutputs:" not in template:
        fail("template.yaml has no Outputs section to insert before")
    template = template.replace("\nOutputs:", "\n" + resource + "Outputs:", 1)
    template_path.write_text(template)

    # The crates that wire every function.
    for manifest, rel in [
        (root / "infra/local-gateway/Cargo.toml", f"../../functions/{name}"),
        (root / "functions/get-openapi/Cargo.toml", f"../{name}"),
    ]:
        lines = manifest.read_text().splitlines()
        last = max(i for i, l in enumerate(lines) if 'path = "' + rel.rsplit("/", 1)[0] + "/" in l)
        lines.insert(last + 1, f'{name} = {{ path = "{rel}" }}')
        manifest.write_text("\n".join(lines) + "\n")

    # The sample event.
    sample_path = path
    for p in params:
        sample_path = sample_path.replace("{" + p + "}", f"sample-{p.lower()}")
    context = {
        "accountId": "123456789012",
        "apiId": "abc123",
        "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": "abc123",
        "http": {"method": method, "path": sample_path, "protocol": "HTTP/1.1",
                 "sourceIp": "198.51.100.7", "userAgent": "sample-event"},
        "requestId": "sample-request-id",
        "routeKey": f"{method} {path}",
        "stage": "$default",
        "time": "24/Nov/2026:09:00:00 +0000",
        "timeEpoch": 1795510800000,
    }
    if not a.public:
        context["authorizer"] = {"jwt": {"claims": {
            "sub": "00000000-0000-4000-8000-000000000001",
            "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example",
            "client_id": "exampleclientid", "token_use": "access",
            "cognito:groups": "[member]", "exp": "1795514400", "iat": "1795510800",
            "username": "00000000-0000-4000-8000-000000000001"}, "scopes": None}}
    event = {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": sample_path,
        "rawQueryString": "",
        "headers": {"accept": "application/json", "content-type": "application/json",
                    "host": "abc123.execute-api.us-east-1.amazonaws.com",
                    "user-agent": "sample-event"},
        "requestContext": context,
        "isBase64Encoded": False,
    }
    if params:
        event["pathParameters"] = {p: f"sample-{p.lower()}" for p in params}
    (root / "events" / f"{name}.json").write_text(json.dumps(event, indent=2) + "\n")

    # The README's API table: after its last row.
    readme_path = root / "README.md"
    readme = readme_path.read_text()
    rows = [m for m in re.finditer(r"^\| (GET|POST|PUT|PATCH|DELETE) \|.*\|\n", readme, re.M)]
    if rows:
        who = "public" if a.public else "signed in"
        row = f"| {method} | `{path}` | {who} | `functions/{name}` (scaffolded) |\n"
        end = rows[-1].end()
        readme_path.write_text(readme[:end] + row + readme[end:])
    # In the project's style (make test checks it), when cargo is at hand.
    if (root / "Cargo.toml").exists():
        try:
            subprocess.run(["cargo", "fmt", "-p", name], cwd=root, check=False)
        except FileNotFoundError:
            pass
    print(f"scaffolded functions/{name} for {method} {path}; now: make test")


if __name__ == "__main__":
    main()
