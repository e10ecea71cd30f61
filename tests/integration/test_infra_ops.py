"""What ops see in AWS stays tied to what the code does: metric names and dimensions the alarms and
the dashboard read are the ones the code emits, and API Gateway's own errors have the problem shape."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from chalicelib.core.observability import NAMESPACE

ROOT = Path(__file__).resolve().parents[2]
RESOURCES: dict[str, dict[str, Any]] = json.loads((ROOT / "infra" / "template.json").read_text())["Resources"]
SOURCE = "\n".join(p.read_text() for p in sorted((ROOT / "chalicelib").rglob("*.py")))


def _of_type(resource_type: str) -> dict[str, dict[str, Any]]:
    return {name: r["Properties"] for name, r in RESOURCES.items() if r.get("Type") == resource_type}


def _emits(metric: str, dimensions: set[str]) -> bool:
    """`metrics.metric("Name", value, unit, {dimension: …})` somewhere in chalicelib."""
    calls = re.findall(rf'\.metric\(\s*"{re.escape(metric)}",[^\n]*', SOURCE)
    return any(set(re.findall(r'"(\w+)":', re.sub(r"^[^{]*", "", call))) >= dimensions for call in calls)


def _dashboard() -> dict[str, Any]:
    """The body, ${Name} references left in place (they sit inside JSON strings)."""
    body: str = _of_type("AWS::CloudWatch::Dashboard")["OpsDashboard"]["DashboardBody"]["Fn::Sub"]
    parsed: dict[str, Any] = json.loads(body.replace("${!", "${"))  # Fn::Sub's escape for a literal ${
    return parsed


def _metrics(kind: type) -> list[list[Any]]:
    """Metric rows of every graph: expressions (`dict`) or namespace/name/dimensions (`str`)."""
    return [m for w in _dashboard()["widgets"] if w["type"] == "metric"
            for m in w["properties"]["metrics"] if isinstance(m[0], kind)]


def test_alarms_on_own_metrics_read_what_the_code_emits() -> None:
    own = {name: a for name, a in _of_type("AWS::CloudWatch::Alarm").items() if a["Namespace"] == NAMESPACE}
    assert own, "expected an alarm on the ontime namespace (alarm lateness)"
    for name, alarm in own.items():
        assert _emits(alarm["MetricName"], {d["Name"] for d in alarm.get("Dimensions", [])}), name


def test_dashboard_searches_read_what_the_code_emits() -> None:
    expressions = [m[0]["expression"] for m in _metrics(dict)]
    searched = [re.search(r"\{(\w+),([\w,]+)\} MetricName=\"(\w+)\"", e) for e in expressions]
    assert {m.group(3) for m in searched if m} >= {"WindowOutcome", "AlarmLateness"}
    for match in filter(None, searched):
        assert match.group(1) == NAMESPACE
        assert _emits(match.group(3), set(match.group(2).split(","))), match.group(0)


def test_dashboard_shows_dead_letters_and_api_errors() -> None:
    rows = [tuple(m) for m in _metrics(str)]
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "${AlarmDeadLetterQueue.QueueName}") \
        in [row[:4] for row in rows]
    assert {("AWS/ApiGateway", "4XXError"), ("AWS/ApiGateway", "5XXError")} <= {row[:2] for row in rows}
    for row in rows:
        if row[0] == NAMESPACE:  # namespace, name, dimension, value, …, {render options}
            assert _emits(row[1], {d for d in row[2:-1:2] if isinstance(d, str)}), row


def test_every_alarm_notifies_the_ops_topic() -> None:
    for name, alarm in _of_type("AWS::CloudWatch::Alarm").items():
        assert alarm["AlarmActions"] == [{"Ref": "OpsAlarmTopic"}], name
        assert alarm["TreatMissingData"] == "notBreaching", name


GATEWAY_RESPONSES: dict[str, Any] = RESOURCES["RestAPI"]["Properties"]["GatewayResponses"]


@pytest.mark.parametrize("response_type", sorted(GATEWAY_RESPONSES))
def test_gateway_responses_are_problem_details(response_type: str) -> None:
    response = GATEWAY_RESPONSES[response_type]
    assert response["ResponseParameters"]["Headers"]["Content-Type"] == "'application/problem+json'"
    # API Gateway fills $context.error.messageString with a quoted JSON string.
    body = json.loads(response["ResponseTemplates"]["application/json"]
                      .replace("$context.error.messageString", '"message"'))
    assert body["type"].startswith("/problems/")
    assert body["title"]
    assert body["detail"]
    if "StatusCode" in response:
        assert body["status"] == int(response["StatusCode"])


def test_unknown_route_is_a_404_problem() -> None:
    response = GATEWAY_RESPONSES["MISSING_AUTHENTICATION_TOKEN"]
    assert response["StatusCode"] == "404"
    assert json.loads(response["ResponseTemplates"]["application/json"]) == {
        "type": "/problems/not-found", "title": "Not found", "status": 404, "detail": "no such route"}
