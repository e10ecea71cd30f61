"""The ids of what is being handled reach every log line, metric, problem body and push made while
it is handled, and nothing made outside it; a caller's id is kept only when it is safe to log and
echo; an alarm's id is the same on every delivery."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from chalicelib.core import correlation
from chalicelib.core.correlation import Ids, alarm_id, bound, for_invocation
from chalicelib.core.observability import EmfMetrics, log
from chalicelib.http.problems import problem_body
from chalicelib.push.envelope import envelope
from tests.log_lines import captured

REQUEST = Ids("trace-1", lambda_request_id="lambda-1", api_request_id="apigw-1")


class Context:
    aws_request_id = "8f5e1a2b-0000-4000-8000-000000000001"


@pytest.fixture
def lines() -> Iterator[list[dict[str, Any]]]:
    with captured() as handler:
        yield handler.records


def test_a_log_line_carries_the_ids_bound_around_it(lines: list[dict[str, Any]]) -> None:
    with bound(REQUEST):
        log("order.placed", order_id="ord_1")
    assert lines == [{"level": "INFO", "event": "order.placed", "correlation_id": "trace-1",
                      "lambda_request_id": "lambda-1", "api_request_id": "apigw-1", "order_id": "ord_1"}]


def test_the_outer_ids_come_back_when_an_inner_binding_ends(lines: list[dict[str, Any]]) -> None:
    with bound(REQUEST):
        with bound(REQUEST.caused_by("alarm:order:ord_1:5")):
            log("alarm.fired")
        log("batch.done")
    assert [(line["event"], line["correlation_id"], line["lambda_request_id"]) for line in lines] == [
        ("alarm.fired", "alarm:order:ord_1:5", "lambda-1"), ("batch.done", "trace-1", "lambda-1")]


def test_a_line_logged_outside_any_binding_has_no_ids(lines: list[dict[str, Any]]) -> None:
    with bound(REQUEST):
        pass
    log("startup")
    assert lines == [{"level": "INFO", "event": "startup"}]


def test_an_id_that_is_not_known_is_left_out_not_logged_as_null(lines: list[dict[str, Any]]) -> None:
    with bound(Ids("alarm:order:ord_1:5")):
        log("alarm.fired")
    assert lines == [{"level": "INFO", "event": "alarm.fired", "correlation_id": "alarm:order:ord_1:5"}]


def test_concurrent_invocations_each_log_their_own_ids(lines: list[dict[str, Any]]) -> None:
    """The local stack runs many invocations at once, one per thread."""
    both_bound = threading.Barrier(2)

    def handle(n: int) -> None:
        with bound(Ids(f"req-{n}")):
            both_bound.wait(timeout=5)
            log("handled", n=n)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(handle, (1, 2)))
    assert sorted((line["n"], line["correlation_id"]) for line in lines) == [(1, "req-1"), (2, "req-2")]


def test_a_metric_carries_the_ids() -> None:
    stream = io.StringIO()
    with bound(REQUEST):
        EmfMetrics(stream).metric("AlarmLateness", 12, "Milliseconds", {"kind": "order"}, entity_id="ord_1")
    document = json.loads(stream.getvalue())
    assert document["correlation_id"] == "trace-1" and document["lambda_request_id"] == "lambda-1"
    assert document["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["kind"]]  # the ids are no dimension


@pytest.mark.parametrize("sent", [
    "3f2c6d1e-aa00-4b7e-9d2f-0c1b2a3d4e5f",                     # a UUID
    "01JDX6Q8Z3V5K7M9N1P3R5T7W9",                               # a ULID
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  # a W3C traceparent
    "alarm:order:ord_1:1795000000000", "x" * 128,
])
def test_a_safe_callers_id_is_kept(sent: str) -> None:
    assert for_invocation(Context(), "apigw-1", sent) == Ids(sent, Context.aws_request_id, "apigw-1")


@pytest.mark.parametrize("sent", [
    "x" * 129, "x" * 10_240, "abc\ndef", "abc\rdef", "a\tb", "a b", "räksmörgås", "订单", '"quoted"',
    "Root=1-abc;Parent=def", "<script>", "a\x00b", "",
], ids=["129", "10KB", "LF", "CR", "tab", "space", "latin", "cjk", "quotes", "semicolon", "html", "nul", "empty"])
def test_an_unsafe_callers_id_is_replaced_by_a_generated_one(sent: str) -> None:
    ids = for_invocation(Context(), None, sent)
    assert ids.correlation_id != sent and correlation.is_safe_id(ids.correlation_id)
    assert ids.correlation_id.startswith("req_")


def test_every_invocation_without_an_id_of_its_own_gets_a_fresh_one() -> None:
    assert for_invocation(None).correlation_id != for_invocation(None).correlation_id
    assert for_invocation(None).lambda_request_id is None


def test_an_alarm_has_the_same_id_on_every_delivery_and_another_once_moved() -> None:
    assert alarm_id("order", "ord_1", 1000) == alarm_id("order", "ord_1", 1000) == "alarm:order:ord_1:1000"
    assert alarm_id("order", "ord_1", 2000) != alarm_id("order", "ord_1", 1000)
    assert correlation.is_safe_id(alarm_id("supplier_order", "so_1a2b", 1795000000000))


def test_a_push_names_what_caused_it() -> None:
    with bound(REQUEST):
        message = envelope("order.created", {"order_id": "ord_1"}, 0)
    assert message["correlation_id"] == "trace-1"
    assert set(message) == {"type", "id", "server_time", "correlation_id", "data"}


def test_a_push_made_outside_any_request_names_no_cause() -> None:
    assert envelope("order.created", {}, 0)["correlation_id"] is None


def test_a_problem_body_carries_the_id_of_its_request() -> None:
    with bound(REQUEST):
        body = problem_body(404, "not-found", "Not found", "no such order", "/orders/ord_1",
                            {"request_id": "forged"})
    assert body["request_id"] == "trace-1"
    assert "request_id" not in problem_body(404, "not-found", "Not found", "no such order", None)
