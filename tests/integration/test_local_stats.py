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

from bench.stack import StackStats as BenchStats
from devstack.aws import count_api_calls, harness_config
from devstack.lambdas import LambdaRuntime
from devstack.partitions import TableKeys
from devstack.stats import StackStats


@pytest.fixture
def stats() -> Iterator[StackStats]:
    """A fresh tally counting the calls of every botocore session made from now on (for this test)."""
    saved = list(handlers.BUILTIN_HANDLERS)
    counted = StackStats()
    count_api_calls(counted)
    yield counted
    handlers.BUILTIN_HANDLERS[:] = saved


@pytest.fixture
def partitioned() -> Iterator[StackStats]:
    """The same, with one table of a known schema counted per partition."""
    saved = list(handlers.BUILTIN_HANDLERS)
    counted = StackStats()
    count_api_calls(counted, [TableKeys("things", "owner", "thing", {"by_colour": ("colour", None)})])
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


def test_the_apps_dynamodb_requests_are_counted_per_partition_and_the_harness_not(
        partitioned: StackStats) -> None:
    with mock_aws():
        harness = boto3.session.Session().client("dynamodb", region_name="us-east-1", config=harness_config())
        harness.create_table(
            TableName="things", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("owner", "thing", "colour")],
            KeySchema=[{"AttributeName": "owner", "KeyType": "HASH"}, {"AttributeName": "thing", "KeyType": "RANGE"}],
            GlobalSecondaryIndexes=[{"IndexName": "by_colour", "Projection": {"ProjectionType": "ALL"},
                                     "KeySchema": [{"AttributeName": "colour", "KeyType": "HASH"}]}])
        harness.put_item(TableName="things", Item={"owner": {"S": "ann"}, "thing": {"S": "x"}})
        app = boto3.session.Session().client("dynamodb", region_name="us-east-1")
        app.put_item(TableName="things", Item={"owner": {"S": "bob"}, "thing": {"S": "hat"}, "colour": {"S": "red"}})
        app.get_item(TableName="things", Key={"owner": {"S": "bob"}, "thing": {"S": "hat"}})
        app.query(TableName="things", IndexName="by_colour", KeyConditionExpression="colour = :c",
                  ExpressionAttributeValues={":c": {"S": "red"}})
        _sqs().list_queues()

    body = partitioned.as_json(live_connections=0)
    assert body["aws_partitions"] == {"things|base|bob": {"read": 1, "write": 1},
                                      "things|by_colour|red": {"read": 1, "write": 1}}
    assert body["aws_calls"]["DynamoDB.PutItem"] == 1  # the per-operation count is as before


def test_the_benchmarks_read_the_partitions_counted_since_an_earlier_reading() -> None:
    before = BenchStats.parse({"aws_partitions": {"t|base|a": {"write": 2}}})
    after = BenchStats.parse({"aws_partitions": {"t|base|a": {"write": 5, "read": 1}, "t|base|b": {"read": 2}}})
    assert after.partitions_since(before) == {"t|base|a": {"read": 1, "write": 3}, "t|base|b": {"read": 2}}
    assert BenchStats.parse({}).aws_partitions == {}  # a stack that does not count them
