"""Every request, message and alarm is traceable: its log lines carry the Lambda request id, API
Gateway's request id and a correlation id (the caller's `X-Request-Id` when it is safe, else one we
generate), the answer echoes it in `X-Request-Id` and in problem bodies (`request_id`), and each
push names what caused it (`correlation_id`: the REST call, the terminal's message, the alarm)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.local import LambdaContext
from chalice.test import Client

from tests import iam
from tests.events import rest_event, schedule_event, ws_message
from tests.functional.api import Api
from tests.functional.shop import Shop
from tests.log_lines import LogLines, captured

GENERATED = re.compile(r"req_[0-9a-f]{24}")


@pytest.fixture
def lines(shop: Shop) -> Iterator[LogLines]:
    with captured() as handler:
        yield handler


@pytest.fixture
def terminals(shop: Shop) -> Shop:
    shop.connect("console", shop.merchant)
    return shop


def invoke_rest(client: Client, event: dict[str, Any]) -> tuple[dict[str, Any], LambdaContext]:
    """The REST function invoked by API Gateway with `event` (what `chalice.test` cannot give: an
    event with API Gateway's request id)."""
    from app import app

    context = LambdaContext("api_handler", memory_size=512)
    with iam.running("api_handler"):
        response: dict[str, Any] = app(event, context)
    return response, context


# ── the log lines of a request ──────────────────────────────────────────────────────────────

def test_every_log_line_of_a_rest_call_carries_the_lambda_api_gateway_and_correlation_ids(
        terminals: Shop, lines: LogLines) -> None:
    shop = terminals
    event = rest_event("POST", "/orders", headers={"Authorization": f"Bearer {shop.customer.token}",
                                                   "X-Request-Id": "place-7f3a"}, body=shop.order_body())
    response, context = invoke_rest(shop.client, event)
    assert response["statusCode"] == 201
    assert lines.events("push.sent"), "placing an order pushes to the merchant's console (and logs it)"
    for line in lines.records:
        assert line["lambda_request_id"] == context.aws_request_id, line
        assert line["api_request_id"] == event["requestContext"]["requestId"], line
        assert line["correlation_id"] == "place-7f3a", line


def test_two_requests_log_different_ids(shop: Shop, lines: LogLines) -> None:
    first, _ = invoke_rest(shop.client, rest_event("GET", "/health"))
    second, _ = invoke_rest(shop.client, rest_event("GET", "/health"))
    assert first["headers"]["X-Request-Id"] != second["headers"]["X-Request-Id"]


def test_log_lines_after_the_request_carry_none_of_its_ids(shop: Shop, lines: LogLines) -> None:
    invoke_rest(shop.client, rest_event("GET", "/health"))
    from chalicelib.core.observability import log

    log("test.outside")
    (outside,) = lines.events("test.outside")
    assert not {"correlation_id", "lambda_request_id", "api_request_id"} & set(outside)


# ── X-Request-Id ────────────────────────────────────────────────────────────────────────────

def test_the_callers_request_id_is_echoed(shop: Shop) -> None:
    reply = shop.customer.get("/health", headers={"X-Request-Id": "3f2c6d1e-aa00-4b7e-9d2f-0c1b2a3d4e5f"})
    assert reply.status == 200 and reply.headers["X-Request-Id"] == "3f2c6d1e-aa00-4b7e-9d2f-0c1b2a3d4e5f"


def test_a_request_id_is_generated_when_none_is_sent(shop: Shop) -> None:
    assert GENERATED.fullmatch(shop.customer.get("/health").headers["X-Request-Id"])


@pytest.mark.parametrize("hostile", [
    "x" * 10_240,                       # 10 KB: would bloat every log line and header
    "abc\ndef",                         # a newline: a forged log line, a split header
    "räksmörgås-订单",                   # not ASCII
    'a "quoted" id', "",                # spaces, quotes; empty
], ids=["10KB", "newline", "non-ASCII", "quotes", "empty"])
def test_a_hostile_request_id_is_replaced_and_never_repeated(shop: Shop, lines: LogLines, hostile: str) -> None:
    reply = shop.customer.get("/orders/ord_nope", headers={"X-Request-Id": hostile})
    assert reply.status == 404
    replaced = reply.headers["X-Request-Id"]
    assert GENERATED.fullmatch(replaced) and reply.body["request_id"] == replaced
    (said,) = lines.events("http.request_id_replaced")
    assert said["length"] == len(hostile) and said["correlation_id"] == replaced
    assert not hostile or all(hostile not in str(value) for line in lines.records for value in line.values())


# ── problem bodies ──────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize(("method", "path", "headers", "status"), [
    ("GET", "/orders/ord_nope", {}, 404),                                     # a domain error
    ("GET", "/orders/ord_nope", {"Authorization": "Bearer not-a-token"}, 401),  # refused before the view
    ("POST", "/orders", {"Content-Type": "text/plain"}, 415),                 # Chalice's own error, rewritten
    ("DELETE", "/orders", {}, 405),
])
def test_a_problem_body_carries_the_request_id(shop: Shop, method: str, path: str, headers: dict[str, str],
                                               status: int) -> None:
    caller = Api(shop.client, None) if "Authorization" in headers else shop.customer
    reply = caller.call(method, path, headers={"X-Request-Id": "trace-42", **headers})
    assert reply.status == status and reply.is_problem
    assert reply.body["request_id"] == reply.headers["X-Request-Id"] == "trace-42"


# ── pushes ──────────────────────────────────────────────────────────────────────────────────

def test_a_push_caused_by_a_rest_call_carries_that_calls_id(terminals: Shop) -> None:
    shop = terminals
    reply = shop.place(headers={"X-Request-Id": "place-1"})
    assert reply.status == 201
    (created,) = shop.pushed("console", "order.created")
    assert created["correlation_id"] == "place-1"
    accepted = shop.merchant.post(f"/merchant/orders/{reply.body['order_id']}/actions", {"action": "accept"})
    (changed,) = shop.pushed("console", "order.status_changed")
    assert changed["correlation_id"] == accepted.headers["X-Request-Id"] != "place-1"


def test_a_push_caused_by_an_alarm_carries_the_alarms_id(terminals: Shop, lines: LogLines) -> None:
    shop = terminals
    order_id = shop.placed()["order_id"]
    deadline = shop.stored(order_id).answer_deadline
    shop.to_deadline(order_id)
    shop.deliver(shop.queued())
    alarm = f"alarm:order:{order_id}:{deadline}"
    (closed,) = shop.pushed("console", "order.status_changed")
    assert closed["data"]["status"] == "not_connected" and closed["correlation_id"] == alarm
    (fired,) = lines.events("alarm.fired")
    assert fired["correlation_id"] == alarm and fired["lambda_request_id"]


def test_a_reply_to_a_terminals_message_carries_that_messages_ids(terminals: Shop, lines: LogLines) -> None:
    shop = terminals
    shop.client.lambda_.invoke("message", ws_message("console", '{"action": "ping"}'))
    (pong,) = shop.pushed("console", "pong")
    assert GENERATED.fullmatch(pong["correlation_id"])
    event = ws_message("console", '{"action": "teleport"}')
    shop.client.lambda_.invoke("message", event)
    (unknown,) = lines.events("ws.unknown_action")
    assert unknown["api_request_id"] == event["requestContext"]["requestId"] and unknown["lambda_request_id"]
    (error,) = shop.pushed("console", "error")
    assert error["correlation_id"] == unknown["correlation_id"] != pong["correlation_id"]


def test_a_sweep_logs_the_schedule_events_id(shop: Shop, lines: LogLines) -> None:
    order_id = shop.placed()["order_id"]
    shop.queued()  # the trigger is lost: the sweeper re-sends it once it is overdue
    shop.to_deadline(order_id, offset_s=60)
    shop.sweep()
    (swept,) = lines.events("sweep.enqueued")
    assert swept["correlation_id"] == f"sweep:{schedule_event()['id']}" and swept["lambda_request_id"]
