"""The local stack's AWS faults (`devstack/faults.py` `AwsFaults`) as botocore handlers in front of
moto, on real botocore clients: each answers as AWS would, and a lost answer or a kill leaves the
write committed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import botocore.session
import pytest
from botocore import handlers
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from moto.core.models import botocore_stubber

from devstack.aws import RawBody
from devstack.faults import AwsFaults, FaultPlan, InvocationKilled
from devstack.stats import running_handler


@dataclass
class Faulted:
    plan: FaultPlan
    session: Any
    table: str
    queue_url: str

    def client(self, service: str, attempts: int = 1) -> Any:
        config = Config(retries={"mode": "standard", "total_max_attempts": attempts})
        return self.session.create_client(service, region_name="us-east-1", config=config)

    def item(self, key: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.client("dynamodb").get_item(
            TableName=self.table, Key={"key": {"S": key}}, ConsistentRead=True).get("Item")
        return found


@pytest.fixture
def faulted(aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Faulted]:
    """A botocore session made after the faults were installed (sessions copy the built-in
    handlers when they are made), inside an invocation of the app, with nothing striking yet."""
    monkeypatch.setattr(handlers, "BUILTIN_HANDLERS", list(handlers.BUILTIN_HANDLERS))
    plan = FaultPlan()
    faults = AwsFaults(plan)
    faults.install()
    faults.forward = lambda request: botocore_stubber(event_name="before-send", request=request)
    session = botocore.session.get_session()
    tables = session.create_client("dynamodb", region_name="us-east-1").list_tables()["TableNames"]
    table = next(name for name in tables if name.endswith("idempotency"))
    plan.arm()
    token = running_handler.set("rest")
    try:
        yield Faulted(plan, session, table, next(iter(aws.values())))
    finally:
        running_handler.reset(token)


def put(client: Any, table: str, key: str, **params: Any) -> Any:
    return client.put_item(TableName=table, Item={"key": {"S": key}, "n": {"N": "1"}}, **params)


def test_a_throttled_attempt_answers_either_of_dynamodbs_throttles_and_writes_nothing(faulted: Faulted) -> None:
    faulted.plan.set({"dynamodb.throttle": 1.0})
    dynamodb = faulted.client("dynamodb")
    codes = set()
    for attempt in range(12):
        with pytest.raises(ClientError) as raised:
            put(dynamodb, faulted.table, f"k{attempt}")
        codes.add(raised.value.response["Error"]["Code"])
    assert codes == {"ProvisionedThroughputExceededException", "ThrottlingException"}
    faulted.plan.set({})
    assert faulted.item("k0") is None
    assert faulted.plan.as_json()["injected"] == {"dynamodb.throttle": 12}


def test_a_timed_out_attempt_never_reached_the_table(faulted: Faulted) -> None:
    faulted.plan.set({"dynamodb.timeout": 1.0})
    with pytest.raises(ReadTimeoutError):
        put(faulted.client("dynamodb"), faulted.table, "k")
    faulted.plan.set({})
    assert faulted.item("k") is None


def test_a_lost_answer_commits_the_write_and_its_retry_meets_it(faulted: Faulted) -> None:
    faulted.plan.set({"dynamodb.lost_answer": 1.0})
    with pytest.raises(ReadTimeoutError):
        put(faulted.client("dynamodb"), faulted.table, "k")
    faulted.plan.set({})
    assert faulted.item("k") is not None

    # What botocore's retry of a create-only put then meets: its own write, as a refused condition.
    faulted.plan.set({"dynamodb.lost_answer": 0.5})
    dynamodb = faulted.client("dynamodb", attempts=3)
    codes = []
    for n in range(10):
        try:
            put(dynamodb, faulted.table, f"new{n}", ConditionExpression="attribute_not_exists(#k)",
                ExpressionAttributeNames={"#k": "key"})
        except ClientError as exc:
            codes.append(exc.response["Error"]["Code"])
    assert codes and set(codes) == {"ConditionalCheckFailedException"}


def test_a_read_is_never_a_lost_answer(faulted: Faulted) -> None:
    faulted.plan.set({"dynamodb.lost_answer": 1.0})
    read = faulted.client("dynamodb").get_item(TableName=faulted.table, Key={"key": {"S": "absent"}})
    assert read.get("Item") is None


def test_a_kill_after_a_write_dies_with_the_write_committed(faulted: Faulted) -> None:
    faulted.plan.set({"kill.after_write": 1.0})
    dynamodb = faulted.client("dynamodb")
    with pytest.raises(InvocationKilled):
        put(dynamodb, faulted.table, "k")
    dynamodb.get_item(TableName=faulted.table, Key={"key": {"S": "k"}})  # a read kills nothing
    faulted.plan.set({})
    assert faulted.item("k") is not None


def test_a_failed_send_raises_before_anything_reaches_the_queue(faulted: Faulted) -> None:
    faulted.plan.set({"sqs.send": 1.0})
    sqs = faulted.client("sqs", attempts=3)
    with pytest.raises(EndpointConnectionError):
        sqs.send_message(QueueUrl=faulted.queue_url, MessageBody="trigger")
    faulted.plan.set({})
    assert sqs.receive_message(QueueUrl=faulted.queue_url).get("Messages") is None
    assert faulted.plan.as_json()["injected"] == {"sqs.send": 1}  # a whole call: botocore retries no attempt


def test_a_kill_after_a_trigger_dies_with_the_trigger_sent(faulted: Faulted) -> None:
    faulted.plan.set({"kill.after_trigger": 1.0})
    sqs = faulted.client("sqs")
    with pytest.raises(InvocationKilled):
        sqs.send_message(QueueUrl=faulted.queue_url, MessageBody="trigger")
    faulted.plan.set({})
    [message] = sqs.receive_message(QueueUrl=faulted.queue_url)["Messages"]
    assert message["Body"] == "trigger"


def test_the_dynamodb_faults_stand_ahead_of_a_generic_transport_registered_first(faulted: Faulted) -> None:
    """A transport (moto's stubber, the stack's forwarders) is a generic `before-send` handler;
    the faults' `before-send.dynamodb` is more specific, so botocore asks it first, and what a
    fault answered never reaches the transport (botocore asks it all the same)."""
    answered: list[str] = []

    def transport(request: Any, **_: Any) -> AWSResponse | None:
        if not request.url.endswith(".amazonaws.com/"):
            return None  # as moto and the forwarder pass by what is not AWS's
        answered.append(request.url)
        return AWSResponse(request.url, 200, {"Content-Type": "application/x-amz-json-1.0"}, RawBody(b"{}"))

    dynamodb = faulted.client("dynamodb")
    dynamodb.meta.events.register_first("before-send", transport)
    put(dynamodb, faulted.table, "k")
    assert len(answered) == 1  # without faults the transport answers
    faulted.plan.set({"dynamodb.throttle": 1.0})
    with pytest.raises(ClientError):
        put(dynamodb, faulted.table, "k")
    assert len(answered) == 1


def test_the_harness_calls_and_calls_outside_an_invocation_run_clean(faulted: Faulted) -> None:
    from devstack.aws import harness_config

    faulted.plan.set({"dynamodb.throttle": 1.0, "sqs.send": 1.0})
    harness = faulted.session.create_client("dynamodb", region_name="us-east-1", config=harness_config())
    put(harness, faulted.table, "by-the-harness")
    token = running_handler.set("-")
    try:
        put(faulted.client("dynamodb"), faulted.table, "outside")
    finally:
        running_handler.reset(token)
    assert faulted.plan.as_json()["injected"] == {}
