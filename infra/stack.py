#!/usr/bin/env python3
"""Local AWS + Stripe stand-ins, provisioned from template.yaml.

    stack.py serve --state-dir DIR [--parent-pid PID]

starts ministack (DynamoDB, SQS, EventBridge, Cognito) and localstripe on free 127.0.0.1
ports, creates every resource template.yaml declares (no second list to drift), writes
DIR/stack.json (endpoints, resolved function environment, JWT authorizer settings, each
function's credentials) and stays up until SIGINT/SIGTERM, or until PID exits, then stops
what it started.

IAM is enforced (ministack's AUTH=true): every function gets a role holding exactly its
template.yaml policies, and the local gateway runs each handler with that role's assumed
credentials, so a permission the template lacks fails here as it would on AWS. Only the
harness itself (provisioning, seeding, test set-up, the event pump playing Lambda's pollers)
uses the root credentials.

Runs with the ministack venv's interpreter (botocore and PyYAML come with ministack).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import botocore.config
import botocore.session
import yaml

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
REGION = "us-east-1"
ACCOUNT = "000000000000"
STACK_NAME = "coworking-local"

# Resource types that are not emulated by the stand-ins: functions and the HTTP API are
# served by the project's local gateway; the rest has no local effect. Anything not listed
# here and not provisioned below fails loudly, so a new resource cannot silently go missing.
SERVED_BY_GATEWAY = {
    "AWS::Serverless::Function",
    "AWS::Serverless::HttpApi",
    # The WebSocket API's routes: the local gateway serves them at /live.
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::RouteResponse",
    "AWS::ApiGatewayV2::Integration",
}
NO_LOCAL_EFFECT = {
    "AWS::Lambda::Permission",
    "AWS::Lambda::EventSourceMapping",
    "AWS::WAFv2::WebACL",
    "AWS::WAFv2::WebACLAssociation",
    "AWS::CloudFront::Distribution",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::Dashboard",
    "AWS::IAM::Role",
    # The front door (CloudFront's origin domain): only where a front door exists.
    "AWS::ApiGatewayV2::DomainName",
    "AWS::ApiGatewayV2::ApiMapping",
}

# Resources skipped by name: the alarm topic and its subscription (nothing alarms locally;
# see README, Runbook). Any other SNS topic must be provisioned, not silently skipped.
NO_LOCAL_EFFECT_IDS = {"AlarmTopic", "AlarmEmailSubscription"}

ROOT_CREDENTIALS = dict(aws_access_key_id="test", aws_secret_access_key="test")

# A role's trust policy, as SAM writes it for a function's execution role.
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
# Longest session ministack's STS grants; a `make dev` session outliving it restarts the stack.
SESSION_SECONDS = 43200


# ------------------------------------------------------------------ template loading
class Intrinsic:
    """A CloudFormation intrinsic function (!Ref, !GetAtt, !Sub, ...) kept unevaluated."""

    def __init__(self, name: str, value):
        self.name, self.value = name, value

    def __repr__(self):
        return f"!{self.name} {self.value!r}"


def _loader():
    class Loader(yaml.SafeLoader):
        pass

    def construct(tag):
        def fn(loader, node):
            if isinstance(node, yaml.ScalarNode):
                value = loader.construct_scalar(node)
                if tag == "GetAtt":
                    value = value.split(".", 1)
            elif isinstance(node, yaml.SequenceNode):
                value = loader.construct_sequence(node, deep=True)
            else:
                value = loader.construct_mapping(node, deep=True)
            return Intrinsic(tag, value)

        return fn

    for tag in ("Ref", "GetAtt", "Sub", "Join", "If", "Equals", "Select", "Split", "Not", "And", "Or", "FindInMap"):
        Loader.add_constructor(f"!{tag}", construct(tag))
    return Loader


def load_template(path: Path = ROOT / "template.yaml") -> dict:
    with open(path) as f:
        return yaml.load(f, Loader=_loader())  # noqa: S506 - SafeLoader subclass


# ------------------------------------------------------------------ intrinsic resolution
class Unresolved(Exception):
    """A reference to a resource that is not created yet."""


class Resolver:
    def __init__(self, template: dict):
        self.params = {k: v.get("Default") for k, v in (template.get("Parameters") or {}).items()}
        self.pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::StackName": STACK_NAME,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        self.refs: dict[str, str] = {}
        self.attrs: dict[str, dict[str, str]] = {}

    def ref(self, name: str) -> str:
        for table in (self.pseudo, self.params, self.refs):
            if name in table:
                return table[name]
        raise Unresolved(name)

    def get_att(self, name: str, attr: str) -> str:
        try:
            return self.attrs[name][attr]
        except KeyError:
            raise Unresolved(f"{name}.{attr}") from None

    def __call__(self, value):
        if isinstance(value, Intrinsic):
            if value.name == "Ref":
                return self.ref(value.value)
            if value.name == "GetAtt":
                return self.get_att(*value.value)
            if value.name == "Sub":
                text, extra = (value.value, {}) if isinstance(value.value, str) else value.value
                extra = {k: self(v) for k, v in extra.items()}

                def sub(m):
                    key = m.group(1)
                    if key in extra:
                        return str(extra[key])
                    if "." in key and not key.startswith("AWS::"):
                        return str(self.get_att(*key.split(".", 1)))
                    return str(self.ref(key))

                return re.sub(r"\$\{([^}!]+)\}", sub, text)
            if value.name == "Join":
                sep, items = value.value
                return sep.join(str(self(i)) for i in items)
            raise ValueError(f"intrinsic !{value.name} is not supported by the local stack")
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v) for v in value]
        return value


# ------------------------------------------------------------------ provisioning
class Provisioner:
    def __init__(self, endpoint: str, template: dict):
        session = botocore.session.get_session()
        kw = dict(region_name=REGION, endpoint_url=endpoint, **ROOT_CREDENTIALS)
        self.ddb = session.create_client("dynamodb", **kw)
        self.sqs = session.create_client("sqs", **kw)
        self.events = session.create_client("events", **kw)
        self.cognito = session.create_client("cognito-idp", **kw)
        self.sesv2 = session.create_client("sesv2", **kw)
        self.s3 = session.create_client("s3", config=botocore.config.Config(s3={"addressing_style": "path"}), **kw)
        self.template = template
        self.resolve = Resolver(template)

    def run(self) -> Resolver:
        pending = dict(self.template["Resources"])
        while pending:
            progressed = False
            for name, res in list(pending.items()):
                kind = res["Type"]
                if kind in SERVED_BY_GATEWAY or kind in NO_LOCAL_EFFECT or name in NO_LOCAL_EFFECT_IDS:
                    del pending[name]
                    progressed = True
                    continue
                handler = getattr(self, "create_" + kind.replace("::", "_"), None)
                if handler is None:
                    raise SystemExit(f"template resource {name}: type {kind} is not provisioned by infra/stack.py")
                try:
                    props = self.resolve(res.get("Properties") or {})
                except Unresolved:
                    continue
                ref, attrs = handler(props)
                self.resolve.refs[name] = ref
                self.resolve.attrs[name] = attrs
                del pending[name]
                progressed = True
            if not progressed:
                raise SystemExit(f"unresolvable references among: {', '.join(pending)}")
        return self.resolve

    def create_AWS_DynamoDB_Table(self, p):
        args = {k: p[k] for k in ("TableName", "AttributeDefinitions", "KeySchema", "BillingMode") if k in p}
        if p.get("GlobalSecondaryIndexes"):
            args["GlobalSecondaryIndexes"] = p["GlobalSecondaryIndexes"]
        if p.get("StreamSpecification"):
            args["StreamSpecification"] = {"StreamEnabled": True, **p["StreamSpecification"]}
        desc = self.ddb.create_table(**args)["TableDescription"]
        ttl = p.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            # ministack's CloudFormation ignores TTL, and so would create_table: set it explicitly.
            self.ddb.update_time_to_live(TableName=p["TableName"], TimeToLiveSpecification=ttl)
        return p["TableName"], {"Arn": desc["TableArn"], "StreamArn": desc.get("LatestStreamArn", "")}

    def create_AWS_Events_EventBus(self, p):
        arn = self.events.create_event_bus(Name=p["Name"])["EventBusArn"]
        return p["Name"], {"Arn": arn, "Name": p["Name"]}

    def create_AWS_SQS_Queue(self, p):
        attrs = {}
        for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "ReceiveMessageWaitTimeSeconds"):
            if key in p:
                attrs[key] = str(p[key])
        if "RedrivePolicy" in p:
            attrs["RedrivePolicy"] = json.dumps(p["RedrivePolicy"])
        url = self.sqs.create_queue(QueueName=p["QueueName"], Attributes=attrs)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, {"Arn": arn, "QueueName": p["QueueName"], "QueueUrl": url}

    def create_AWS_SQS_QueuePolicy(self, p):
        for url in p["Queues"]:
            self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(p["PolicyDocument"])})
        return "queue-policy", {}

    def create_AWS_Events_Rule(self, p):
        args = {"Name": p["Name"], "State": p.get("State", "ENABLED")}
        if p.get("EventBusName"):
            args["EventBusName"] = p["EventBusName"]
        if p.get("EventPattern"):
            args["EventPattern"] = json.dumps(p["EventPattern"])
        if p.get("ScheduleExpression"):
            args["ScheduleExpression"] = p["ScheduleExpression"]
        arn = self.events.put_rule(**args)["RuleArn"]
        targets = p.get("Targets") or []
        if targets:
            kw = {"Rule": p["Name"], "Targets": targets}
            if p.get("EventBusName"):
                kw["EventBusName"] = p["EventBusName"]
            self.events.put_targets(**kw)
        return p["Name"], {"Arn": arn}

    # The WebSocket API and its stage exist only as names locally (the gateway serves the
    # API and overrides LIVE_CONNECTIONS_URL with its own address).
    def create_AWS_ApiGatewayV2_Api(self, p):
        api_id = "local" + p["Name"].replace("-", "")[:20]
        return api_id, {"ApiId": api_id, "ApiEndpoint": f"wss://{api_id}.execute-api.{REGION}.amazonaws.com"}

    def create_AWS_Logs_LogGroup(self, p):
        # Nothing to create locally (function logs go to the stack's logs/ folder), but
        # access-log settings name the group's ARN, so it must resolve.
        name = p["LogGroupName"]
        return name, {"Arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}:*"}

    def create_AWS_ApiGatewayV2_Stage(self, p):
        return p["StageName"], {}

    def create_AWS_S3_Bucket(self, p):
        name = p["BucketName"]
        self.s3.create_bucket(Bucket=name)
        if p.get("VersioningConfiguration"):
            self.s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=p["VersioningConfiguration"])
        if p.get("PublicAccessBlockConfiguration"):
            self.s3.put_public_access_block(Bucket=name,
                                            PublicAccessBlockConfiguration=p["PublicAccessBlockConfiguration"])
        return name, {"Arn": f"arn:aws:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com"}

    def create_AWS_S3_BucketPolicy(self, p):
        # The TLS-only policy says nothing locally (the stand-in is plain HTTP on loopback).
        return f"{p['Bucket']}-policy", {}

    def create_AWS_SES_EmailIdentity(self, p):
        self.sesv2.create_email_identity(EmailIdentity=p["EmailIdentity"])
        return p["EmailIdentity"], {}

    def create_AWS_Cognito_UserPool(self, p):
        args = {"PoolName": p["UserPoolName"]}
        for key in ("Policies", "UsernameAttributes", "AutoVerifiedAttributes", "UsernameConfiguration",
                    "AccountRecoverySetting", "Schema", "MfaConfiguration"):
            if key in p:
                args[key] = p[key]
        pool = self.cognito.create_user_pool(**args)["UserPool"]
        return pool["Id"], {
            "Arn": pool["Arn"],
            "ProviderName": f"cognito-idp.{REGION}.amazonaws.com/{pool['Id']}",
            "ProviderURL": f"https://cognito-idp.{REGION}.amazonaws.com/{pool['Id']}",
        }

    def create_AWS_Cognito_UserPoolClient(self, p):
        args = {k: v for k, v in p.items() if k in (
            "UserPoolId", "ClientName", "GenerateSecret", "ExplicitAuthFlows", "PreventUserExistenceErrors",
            "EnableTokenRevocation", "AccessTokenValidity", "IdTokenValidity", "RefreshTokenValidity",
            "TokenValidityUnits")}
        client = self.cognito.create_user_pool_client(**args)["UserPoolClient"]
        return client["ClientId"], {}

    def create_AWS_Cognito_UserPoolGroup(self, p):
        args = {k: v for k, v in p.items() if k in ("GroupName", "UserPoolId", "Precedence", "Description")}
        self.cognito.create_group(**args)
        return p["GroupName"], {}


# ------------------------------------------------------------------ function roles
# SAM policy templates the template may use, expanded as SAM does (the subset a new
# function is likely to want; any other fails loudly below rather than granting nothing).
def _table_arns(arn: str) -> list[str]:
    return [arn, f"{arn}/index/*"]


POLICY_TEMPLATES = {
    "DynamoDBReadPolicy": lambda a, r: [{
        "Effect": "Allow",
        "Action": ["dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem",
                   "dynamodb:DescribeTable"],
        "Resource": _table_arns(f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{r(a['TableName'])}")}],
    "DynamoDBCrudPolicy": lambda a, r: [{
        "Effect": "Allow",
        "Action": ["dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Scan",
                   "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem",
                   "dynamodb:DescribeTable", "dynamodb:ConditionCheckItem"],
        "Resource": _table_arns(f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{r(a['TableName'])}")}],
    "SQSSendMessagePolicy": lambda a, r: [{
        "Effect": "Allow", "Action": ["sqs:SendMessage*"],
        "Resource": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{r(a['QueueName'])}"}],
    "EventBridgePutEventsPolicy": lambda a, r: [{
        "Effect": "Allow", "Action": ["events:PutEvents"],
        "Resource": f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{r(a['EventBusName'])}"}],
}


# Where the stand-in authorizes an action against another resource than AWS does, the
# local role gets the stand-in's form of the same grant, so the template can name what AWS
# checks. Each entry: (action, resource AWS checks) -> resource ministack 1.5.33 checks.
STAND_IN_RESOURCES = [
    # SES v2 SendEmail is authorized against the sending identity's ARN on AWS; ministack
    # derives no resource for /v2/email/outbound-emails and checks "*".
    ("ses:SendEmail", re.compile(r"^arn:aws:ses:[^:]+:\d+:identity/.+$"), "*"),
]


def stand_in_statements(statements: list[dict]) -> list[dict]:
    """The extra statements the stand-in needs for grants it checks against other resources."""
    extra = []
    for st in statements:
        actions = st.get("Action") if isinstance(st.get("Action"), list) else [st.get("Action")]
        resources = st.get("Resource") if isinstance(st.get("Resource"), list) else [st.get("Resource")]
        for action, aws_form, local_form in STAND_IN_RESOURCES:
            if st.get("Effect") == "Allow" and action in actions and any(
                    isinstance(r, str) and aws_form.match(r) for r in resources):
                extra.append({"Effect": "Allow", "Action": [action], "Resource": local_form})
    return extra


def function_crate(props: dict) -> str:
    """The crate a function runs (`CodeUri: functions/<crate>`), the local gateway's key."""
    return str(props["CodeUri"]).rstrip("/").rsplit("/", 1)[-1]


def function_statements(name: str, props: dict, resolve: Resolver) -> list[dict]:
    """A function's IAM statements from its `Policies`, resolved and expanded."""
    statements: list[dict] = []
    for policy in props.get("Policies") or []:
        if isinstance(policy, dict) and "Statement" in policy:
            statements.extend(resolve(policy["Statement"]))
            continue
        if isinstance(policy, dict) and len(policy) == 1:
            (template_name, args), = policy.items()
            if template_name in POLICY_TEMPLATES:
                statements.extend(POLICY_TEMPLATES[template_name](args or {}, resolve))
                continue
        raise SystemExit(f"{name}: policy {policy!r} is not expanded by infra/stack.py (POLICY_TEMPLATES)")
    return statements


def create_function_roles(endpoint: str, template: dict, resolve: Resolver) -> dict[str, dict[str, str]]:
    """One role per function with exactly its template policies; returns each crate's
    assumed-role credentials (what Lambda would hand the function)."""
    session = botocore.session.get_session()
    kw = dict(region_name=REGION, endpoint_url=endpoint, **ROOT_CREDENTIALS)
    iam, sts = session.create_client("iam", **kw), session.create_client("sts", **kw)
    credentials = {}
    for name, res in template["Resources"].items():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        props = res.get("Properties") or {}
        crate = function_crate(props)
        role = f"{STACK_NAME}-{crate}"[:64]
        arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]["Arn"]
        statements = function_statements(name, props, resolve)
        statements += stand_in_statements(statements)
        if statements:
            iam.put_role_policy(RoleName=role, PolicyName=f"{name}Policy",
                                PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
        c = sts.assume_role(RoleArn=arn, RoleSessionName=crate, DurationSeconds=SESSION_SECONDS)["Credentials"]
        credentials[crate] = {
            "access_key_id": c["AccessKeyId"],
            "secret_access_key": c["SecretAccessKey"],
            "session_token": c["SessionToken"],
        }
    return credentials


def own_environments(template: dict, resolve: Resolver) -> dict[str, dict[str, str]]:
    """Crate -> what that function's Lambda gets: Globals' variables and its own."""
    base = resolve(dict(((template.get("Globals") or {}).get("Function") or {}).get("Environment", {})
                        .get("Variables", {})))
    out = {}
    for res in template["Resources"].values():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        props = res.get("Properties") or {}
        own = resolve(((props.get("Environment") or {}).get("Variables")) or {})
        out[function_crate(props)] = {k: str(v) for k, v in {**base, **own}.items()}
    return out


def function_environment(template: dict, resolve: Resolver) -> dict[str, str]:
    """Globals' function variables merged with every function's own, resolved.

    The local gateway runs every handler in one process, so a name must mean the same for
    every function; a clash is an error rather than a silent override.
    """
    env = dict(((template.get("Globals") or {}).get("Function") or {}).get("Environment", {}).get("Variables", {}))
    env = resolve(env)
    for name, res in template["Resources"].items():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        own = resolve(((res.get("Properties") or {}).get("Environment") or {}).get("Variables") or {})
        for key, value in own.items():
            if key in env and env[key] != value:
                raise SystemExit(f"{name}: environment variable {key} differs from another function's")
            env[key] = value
    for key, value in env.items():
        if "{{resolve:" in str(value):
            raise SystemExit(f"{key}: a secret in an environment variable; functions read secrets "
                             "from Secrets Manager when they start (name the secret instead)")
    return {k: str(v) for k, v in env.items()}


# Secrets are made by the operators (never by the stack, never in the repo); the stack names
# them by parameter. Locally each stack makes its own, with throwaway values (localstripe
# accepts any key), in the AWS stand-in's Secrets Manager, where the functions read them.
LOCAL_SECRETS = {
    "StripeSecretName": lambda: {
        "secret_key": "sk_test_local",
        "webhook_secret": "whsec_local_" + secrets.token_hex(16),
    },
}


def create_local_secrets(endpoint: str, template: dict, resolve: Resolver) -> dict[str, dict]:
    """Creates each secret a `...SecretName` parameter names; returns parameter -> value."""
    client = botocore.session.get_session().create_client(
        "secretsmanager", region_name=REGION, endpoint_url=endpoint, **ROOT_CREDENTIALS)
    values = {}
    for param in (template.get("Parameters") or {}):
        if not param.endswith("SecretName"):
            continue
        if param not in LOCAL_SECRETS:
            raise SystemExit(f"parameter {param}: no local value for the secret it names (LOCAL_SECRETS)")
        values[param] = LOCAL_SECRETS[param]()
        client.create_secret(Name=resolve.ref(param), SecretString=json.dumps(values[param]))
    return values


def authorizer(template: dict, resolve: Resolver, endpoint: str) -> dict:
    """The HttpApi's default JWT authorizer, resolved, plus where the local JWKS is served."""
    for res in template["Resources"].values():
        if res["Type"] != "AWS::Serverless::HttpApi":
            continue
        auth = res["Properties"]["Auth"]
        jwt = resolve(auth["Authorizers"][auth["DefaultAuthorizer"]]["JwtConfiguration"])
        pool_id = jwt["issuer"].rstrip("/").rsplit("/", 1)[-1]
        return {
            "issuer": jwt["issuer"],
            "audience": jwt["audience"],
            # ministack signs tokens with the real AWS issuer but serves the JWKS locally.
            "jwks_url": f"{endpoint}/{pool_id}/.well-known/jwks.json",
        }
    raise SystemExit("template.yaml has no AWS::Serverless::HttpApi")


# ------------------------------------------------------------------ processes
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, deadline: float):
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def serve(state_dir: Path, parent_pid: int | None):
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "stack.json").unlink(missing_ok=True)
    ms_port, ls_port = free_port(), free_port()
    logs = state_dir / "logs"
    logs.mkdir(exist_ok=True)
    children: list[subprocess.Popen] = []

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
        (state_dir / "stack.json").unlink(missing_ok=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    ms_env = dict(os.environ, AUTH="true", BIND_HOST="127.0.0.1", GATEWAY_PORT=str(ms_port), IOT_MTLS_ENABLED="0",
                  SFTP_ENABLED="0", STATE_DIR=str(state_dir / "ministack"), LOG_LEVEL="WARNING")
    children.append(subprocess.Popen([str(VENV / "ministack/bin/ministack")], env=ms_env,
                                     stdout=open(logs / "ministack.log", "w"), stderr=subprocess.STDOUT))
    children.append(subprocess.Popen([str(VENV / "localstripe/bin/python"), str(ROOT / "infra/localstripe_serve.py"),
                                      str(ls_port)],
                                     stdout=open(logs / "localstripe.log", "w"), stderr=subprocess.STDOUT))
    try:
        endpoint = f"http://127.0.0.1:{ms_port}"
        deadline = time.time() + 60
        wait_http(f"{endpoint}/_ministack/health", deadline)
        wait_http(f"http://127.0.0.1:{ls_port}/v1/customers", deadline)

        template = load_template()
        resolve = Provisioner(endpoint, template).run()
        local_secrets = create_local_secrets(endpoint, template, resolve)
        info = {
            "aws_endpoint_url": endpoint,
            "region": REGION,
            "stripe_api_base": f"http://127.0.0.1:{ls_port}",
            "env": function_environment(template, resolve),
            "function_env": own_environments(template, resolve),
            "authorizer": authorizer(template, resolve, endpoint),
            "resources": resolve.refs,
            "function_credentials": create_function_roles(endpoint, template, resolve),
            "stripe": local_secrets["StripeSecretName"],
            "pid": os.getpid(),
        }
        tmp = state_dir / "stack.json.tmp"
        tmp.write_text(json.dumps(info, indent=2))
        tmp.replace(state_dir / "stack.json")  # atomic: readers never see half a file
        print(f"local stack ready: {state_dir / 'stack.json'}", flush=True)

        while True:
            time.sleep(0.5)
            if parent_pid and not alive(parent_pid):
                stop()
            for child in children:
                if child.poll() is not None:
                    print(f"stand-in exited unexpectedly ({child.args[0]}); see {logs}", file=sys.stderr)
                    stop()
    except BaseException:
        for child in children:
            if child.poll() is None:
                child.kill()
        raise


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="start the stand-ins, provision from template.yaml, stay up")
    s.add_argument("--state-dir", type=Path, default=ROOT / ".local" / "stack")
    s.add_argument("--parent-pid", type=int, help="stop when this process exits")
    args = ap.parse_args()
    if args.cmd == "serve":
        serve(args.state_dir, args.parent_pid)


if __name__ == "__main__":
    main()
