"""Lambda events as AWS sends them, kept as JSON fixtures here and filled in per test."""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def load(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((HERE / f"{name}.json").read_text())
    return event


def sqs_event(bodies: list[str]) -> dict[str, Any]:
    """An SQS → Lambda batch carrying these message bodies (one record each)."""
    template = load("sqs_alarm_event")["Records"][0]
    records = []
    for body in bodies:
        record = copy.deepcopy(template)
        message_id = str(uuid.uuid4())
        record.update(messageId=message_id, receiptHandle=f"rh-{message_id}", body=body,
                      md5OfBody=hashlib.md5(body.encode()).hexdigest())
        records.append(record)
    return {"Records": records}


def rest_event(method: str, resource: str, path_parameters: dict[str, str] | None = None, *,
               headers: dict[str, str] | None = None, body: Any = None) -> dict[str, Any]:
    """API Gateway REST → Lambda (proxy integration): `resource` is the route (`/orders/{order_id}`),
    filled with `path_parameters`; each event has a request id of its own, as in AWS."""
    event = load("rest_event")
    path = resource.format(**(path_parameters or {}))
    sent = {**event["headers"], "Content-Type": "application/json", **(headers or {})}
    event.update(resource=resource, path=path, httpMethod=method, headers=sent,
                 multiValueHeaders={k: [v] for k, v in sent.items()}, pathParameters=path_parameters,
                 body=None if body is None else json.dumps(body))
    event["requestContext"].update(resourcePath=resource, httpMethod=method, path=f"/api{path}",
                                   requestId=str(uuid.uuid4()))
    return event


def schedule_event() -> dict[str, Any]:
    return load("schedule_event")


def ws_connect(connection_id: str, token: str | None) -> dict[str, Any]:
    event = load("ws_connect_event")
    event["requestContext"]["connectionId"] = connection_id
    if token is None:
        event["queryStringParameters"] = None
        event["multiValueQueryStringParameters"] = None
    else:
        event["queryStringParameters"] = {"token": token}
        event["multiValueQueryStringParameters"] = {"token": [token]}
    return event


def ws_message(connection_id: str, body: str | None) -> dict[str, Any]:
    event = load("ws_message_event")
    event["requestContext"]["connectionId"] = connection_id
    if body is None:
        del event["body"]
    else:
        event["body"] = body
    return event


def ws_disconnect(connection_id: str) -> dict[str, Any]:
    event = load("ws_disconnect_event")
    event["requestContext"]["connectionId"] = connection_id
    return event
