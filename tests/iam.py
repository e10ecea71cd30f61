"""Least privilege, proven against what the code really calls.

While the functional tests run, every AWS call the app makes is recorded with the Lambda function
it runs in (the REST handler for `client.http`, the named handler for `client.lambda_.invoke`).
At the end of the session each call is checked against that function's generated policy
(`.chalice/policy-<function>.json`, from the packages' declarations): a call the policy does not
allow fails the run, as it would fail in AWS with `AccessDenied` — but here, before deploying.
"""

from __future__ import annotations

import contextlib
import contextvars
import fnmatch
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HANDLER_FUNCTIONS = {"connect": "websocket_connect", "message": "websocket_message",
                     "disconnect": "websocket_disconnect"}
"""`client.lambda_.invoke` names → Chalice's function names (the others are the same)."""

_function: contextvars.ContextVar[str | None] = contextvars.ContextVar("function", default=None)


@dataclass(frozen=True)
class Call:
    function: str
    action: str
    resource: str
    """`table`, `table/index/name`, a queue's or bucket's name, or `*`."""


RECORDED: set[Call] = set()


@contextlib.contextmanager
def running(handler: str) -> Iterator[None]:
    token = _function.set(HANDLER_FUNCTIONS.get(handler, handler))
    try:
        yield
    finally:
        _function.reset(token)


@contextlib.contextmanager
def the_tests_own() -> Iterator[None]:
    """The test's own calls, made while a function runs (a duplicate delivered mid-transcoding)."""
    token = _function.set(None)
    try:
        yield
    finally:
        _function.reset(token)


def record(params: dict[str, Any], model: Any, context: dict[str, Any] | None = None, **_: Any) -> None:
    """botocore's `before-parameter-build`: what this call needs the function to be allowed."""
    function = _function.get()
    if function is None:
        return  # the test's own set-up and checks, not a function
    if (context or {}).get("is_presign_request"):
        return  # signing an upload calls nothing (botocore builds it on CreateBucket's shape)
    service, operation = model.service_model.service_name, model.name
    for action, resource in _needs(service, operation, params):
        RECORDED.add(Call(function, action, resource))


def _needs(service: str, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    if service == "dynamodb":
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [(f"dynamodb:{operation}", table) for table in params.get("RequestItems", {})]
        if operation in ("TransactWriteItems", "TransactGetItems"):
            actions = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                       "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
            return [(f"dynamodb:{actions[kind]}", body["TableName"])
                    for item in params.get("TransactItems", []) for kind, body in item.items()]
        table = params.get("TableName", "*")
        index = params.get("IndexName")
        return [(f"dynamodb:{operation}", f"{table}/index/{index}" if index else table)]
    if service == "sqs":
        return [(f"sqs:{operation}", str(params.get("QueueUrl", "*")).rstrip("/").rsplit("/", 1)[-1])]
    if service == "s3":
        bucket = str(params.get("Bucket", "*"))
        if operation == "ListObjectsV2":  # on the bucket, limited by a condition on the prefix
            return [("s3:ListBucket", bucket)]
        actions = {"HeadObject": "GetObject"}
        return [(f"s3:{actions.get(operation, operation)}", f"{bucket}/{params.get('Key', '')}")]
    if service == "apigatewaymanagementapi":
        return [("execute-api:ManageConnections", "*")]
    return [(f"{service}:{operation}", "*")]


# ── checking against the generated policies ─────────────────────────────────────────────────


def resource_names() -> dict[str, str]:
    """Logical id → the name a call carries (tables, queues; buckets as the local stack names them)."""
    from devstack.provision import bucket_environment

    template: dict[str, Any] = json.loads((ROOT / "infra" / "template.json").read_text())
    named = ("AWS::DynamoDB::Table", "AWS::SQS::Queue")
    names = {logical: r["Properties"].get("TableName") or r["Properties"].get("QueueName")
             for logical, r in template["Resources"].items() if r["Type"] in named}
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    for variable, bucket in bucket_environment().items():
        names[variables[variable]["Ref"]] = bucket
    return {k: v for k, v in names.items() if v}


def _pattern(resource: Any, names: dict[str, str]) -> str:
    """A policy resource as a pattern over the recorded resources."""
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        return names.get(resource["Fn::GetAtt"][0], "?")
    if isinstance(resource, dict) and "Fn::Sub" in resource:
        text = str(resource["Fn::Sub"])
        if text.startswith("${") and ".Arn}" in text:  # ${OrdersTable.Arn}/index/due
            logical, rest = text[2:].split(".Arn}", 1)
            return names.get(logical, "?") + rest
        return "*"  # log groups and @connections: one per stack, nothing else to confuse them with
    return str(resource)


def allowed(call: Call, names: dict[str, str]) -> bool:
    path = ROOT / ".chalice" / f"policy-{call.function.replace('_', '-')}.json"
    if not path.exists():
        return False
    for statement in json.loads(path.read_text())["Statement"]:
        if call.action in statement["Action"] and any(
                fnmatch.fnmatchcase(call.resource, _pattern(r, names)) for r in statement["Resource"]):
            return True
    return False


def violations() -> list[Call]:
    names = resource_names()
    return sorted((call for call in RECORDED if not allowed(call, names)),
                  key=lambda c: (c.function, c.action, c.resource))
