"""Lambda events as AWS's event sources build them: API Gateway REST (v1 proxy) and WebSocket,
SQS batches, and EventBridge (CloudWatch Events) schedules.

The local stack hands these to the Chalice app exactly as Lambda would, so the handlers run the
same code path as in AWS. Shapes follow the AWS documentation's sample events; fields the app does
not read are still filled in, so a handler that starts reading them works locally too.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from chalice.local import LambdaContext

ACCOUNT_ID = "123456789012"  # moto's default account
LOCAL_API_ID = "local"
LOCAL_STAGE = "local"
_LAMBDA_MEMORY_MB = 512
_LAMBDA_TIMEOUT_MS = 900_000


def lambda_context(function_name: str) -> LambdaContext:
    return LambdaContext(function_name=function_name, memory_size=_LAMBDA_MEMORY_MB,
                         max_runtime_ms=_LAMBDA_TIMEOUT_MS)


def new_connection_id() -> str:
    """16 characters like API Gateway's (`L0SM9cOFvHcCIhw=`); URL-safe so that the id, decoded by
    the server from boto3's percent-encoded `@connections/{id}` path, never contains a `/`."""
    return base64.urlsafe_b64encode(os.urandom(11)).decode()


def _request_time(now_ms: int) -> str:
    return datetime.fromtimestamp(now_ms / 1000, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def _headers(pairs: Iterable[tuple[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        single[name] = value
        multi.setdefault(name, []).append(value)
    return single, multi


def _query(query_string: str) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    multi = parse_qs(query_string, keep_blank_values=True)
    if not multi:
        return None, None  # API Gateway sends null, not {}, when there is no query string
    return {k: v[-1] for k, v in multi.items()}, multi


def _body(raw: bytes) -> tuple[str | None, bool]:
    """API Gateway passes text bodies as strings and anything else base64-encoded."""
    if not raw:
        return None, False
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii"), True


# ── API Gateway REST (v1 proxy integration) ─────────────────────────────────────────────────

def rest_event(*, method: str, path: str, resource: str, path_parameters: Mapping[str, str], query_string: str,
               headers: Iterable[tuple[str, str]], body: bytes, source_ip: str, stage: str = LOCAL_STAGE,
               now_ms: int | None = None) -> dict[str, Any]:
    now_ms = now_ms if now_ms is not None else time.time_ns() // 1_000_000
    single, multi = _headers(headers)
    query, multi_query = _query(query_string)
    text, is_base64 = _body(body)
    request_id = str(uuid.uuid4())
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": single,
        "multiValueHeaders": multi,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": dict(path_parameters) or None,
        "stageVariables": {},
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": LOCAL_API_ID,
            "resourcePath": resource,
            "httpMethod": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "stage": stage,
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTime": _request_time(now_ms),
            "requestTimeEpoch": now_ms,
            "identity": {"sourceIp": source_ip, "userAgent": single.get("user-agent", "")},
            "domainName": single.get("host", ""),
        },
        "body": text,
        "isBase64Encoded": is_base64,
    }


# ── API Gateway WebSocket ───────────────────────────────────────────────────────────────────

def _ws_context(route_key: str, event_type: str, connection_id: str, domain_name: str, connected_at: int,
                source_ip: str, user_agent: str, stage: str) -> dict[str, Any]:
    now_ms = time.time_ns() // 1_000_000
    request_id = str(uuid.uuid4())
    return {
        "routeKey": route_key,
        "eventType": event_type,
        "messageDirection": "IN",
        "connectionId": connection_id,
        "connectedAt": connected_at,
        "requestId": request_id,
        "extendedRequestId": request_id,
        "requestTime": _request_time(now_ms),
        "requestTimeEpoch": now_ms,
        "identity": {"sourceIp": source_ip, "userAgent": user_agent},
        "domainName": domain_name,
        "stage": stage,
        "apiId": LOCAL_API_ID,
    }


def ws_connect_event(*, connection_id: str, domain_name: str, connected_at: int, query_string: str,
                     headers: Iterable[tuple[str, str]], source_ip: str, stage: str = LOCAL_STAGE) -> dict[str, Any]:
    single, multi = _headers(headers)
    query, multi_query = _query(query_string)
    event: dict[str, Any] = {
        "headers": single,
        "multiValueHeaders": multi,
        "requestContext": _ws_context("$connect", "CONNECT", connection_id, domain_name, connected_at, source_ip,
                                      single.get("user-agent", ""), stage),
        "isBase64Encoded": False,
    }
    if query is not None:  # API Gateway leaves the keys out when there is no query string
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = multi_query
    return event


def ws_message_event(*, connection_id: str, domain_name: str, connected_at: int, body: str | bytes, source_ip: str,
                     user_agent: str, stage: str = LOCAL_STAGE) -> dict[str, Any]:
    context = _ws_context("$default", "MESSAGE", connection_id, domain_name, connected_at, source_ip, user_agent,
                          stage)
    context["messageId"] = base64.urlsafe_b64encode(os.urandom(11)).decode()
    if isinstance(body, bytes):
        return {"requestContext": context, "body": base64.b64encode(body).decode("ascii"), "isBase64Encoded": True}
    return {"requestContext": context, "body": body, "isBase64Encoded": False}


def ws_disconnect_event(*, connection_id: str, domain_name: str, connected_at: int, source_ip: str, user_agent: str,
                        status_code: int, reason: str, stage: str = LOCAL_STAGE) -> dict[str, Any]:
    context = _ws_context("$disconnect", "DISCONNECT", connection_id, domain_name, connected_at, source_ip,
                          user_agent, stage)
    context["disconnectStatusCode"] = status_code
    context["disconnectReason"] = reason
    return {"headers": {"Host": domain_name}, "multiValueHeaders": {"Host": [domain_name]},
            "requestContext": context, "isBase64Encoded": False}


# ── SQS (Lambda event source mapping) ───────────────────────────────────────────────────────

def queue_arn(queue_url: str, region: str) -> str:
    return f"arn:aws:sqs:{region}:{ACCOUNT_ID}:{queue_url.rstrip('/').rsplit('/', 1)[-1]}"


def sqs_event(messages: Iterable[Mapping[str, Any]], *, queue_arn: str, region: str) -> dict[str, Any]:
    """`messages` as `ReceiveMessage` returns them (with system attributes)."""
    records = []
    for message in messages:
        body = str(message["Body"])
        records.append({
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": body,
            "attributes": dict(message.get("Attributes") or {}),
            "messageAttributes": dict(message.get("MessageAttributes") or {}),
            "md5OfBody": message.get("MD5OfBody") or hashlib.md5(body.encode()).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn,
            "awsRegion": region,
        })
    return {"Records": records}


# ── EventBridge schedule ────────────────────────────────────────────────────────────────────

def scheduled_event(rule_name: str, region: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/{rule_name}"],
        "detail": {},
    }
