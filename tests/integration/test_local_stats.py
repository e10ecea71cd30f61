"""The local stack's `/_stats` split the app's AWS calls by the Lambda handler whose invocation
made them and time each handler's invocations, so a benchmark can tell what the alarms cost from
what the requests cost (bench/versus_stepfunctions.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore import handlers
from chalice.app import Chalice
from moto import mock_aws

from devstack.aws import count_api_calls
from devstack.lambdas import LambdaRuntime
from devstack.stats import StackStats


@pytest.fixture
def stats() -> Iterator[StackStats]:
    """A fresh tally counting the calls of every botocore session made from now on (for this test)."""
    saved = list(handlers.BUILTIN_HANDLERS)
    counted = StackStats()
    count_api_calls(counted)
    yield counted
    handlers.BUILTIN_HANDLERS[:] = saved


def _sqs() -> Any:
    return boto3.session.Session().client("sqs", region_name="us-east-1")


def test_aws_calls_are_counted_under_the_handler_that_made_them(stats: StackStats) -> None:
    app = Chalice("stats-test")

    @app.lambda_function(name="fire_alarms")
    def fire_alarms(event: dict[str, Any], context: Any) -> None:
        _sqs().list_queues()
        _sqs().list_queues()

    runtime = LambdaRuntime(app, stats, workers=1)
    with mock_aws():
        runtime.invoke("fire_alarms", {})
        _sqs().list_queues()  # outside any invocation: the stack's own set-up, say

    body = stats.as_json(live_connections=0)
    assert body["aws_calls"] == {"SQS.ListQueues": 3}
    assert body["aws_calls_by_handler"] == {"fire_alarms": {"SQS.ListQueues": 2}, "-": {"SQS.ListQueues": 1}}
    assert body["invocations"] == {"fire_alarms": 1}
    assert body["invocation_ms"]["fire_alarms"] >= 1
