"""moto in a process of its own (the local stack's default): the app's botocore requests are
forwarded to it over a Unix socket, and its HTTP server shares the same state."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

from devstack.awsprocess import AwsProcess, CallServer, ForwardedAwsCalls
from devstack.stack import listening_socket
from tests.log_lines import captured

ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS = {"region_name": "us-east-1", "aws_access_key_id": "local", "aws_secret_access_key": "local"}
WAIT_S = 10.0


@pytest.fixture
def moto_process() -> Iterator[AwsProcess]:
    process = AwsProcess("127.0.0.1", listening_socket("127.0.0.1", 0))
    process.start()
    process.wait_ready()
    try:
        yield process
    finally:
        process.stop()


def _forwarded(process: AwsProcess, service: str, **config: Any) -> Any:
    """A client as the app's are: AWS's own endpoint, answered through the forwarder."""
    session = botocore.session.get_session()
    session.register(ForwardedAwsCalls.EVENT, ForwardedAwsCalls(process.socket_path))
    return session.create_client(service, config=Config(**config), **CREDENTIALS)


def _table(dynamodb: Any) -> None:
    dynamodb.create_table(TableName="t", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST")


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is gone too: only its parent's wait remains
        return stat.read().rsplit(")", 1)[1].split()[0] == "Z"


def _eventually_gone(pid: int) -> bool:
    deadline = time.monotonic() + WAIT_S
    while not _gone(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_forwarded_calls_and_moto_server_see_the_same_tables(moto_process: AwsProcess) -> None:
    dynamodb = _forwarded(moto_process, "dynamodb")
    _table(dynamodb)
    dynamodb.put_item(TableName="t", Item={"id": {"S": "1"}, "n": {"N": "1.5"}, "b": {"B": b"\x00\x01"}})

    over_http = boto3.client("dynamodb", endpoint_url=moto_process.url, **CREDENTIALS)
    assert over_http.get_item(TableName="t", Key={"id": {"S": "1"}})["Item"] == {
        "id": {"S": "1"}, "n": {"N": "1.5"}, "b": {"B": b"\x00\x01"}}
    assert dynamodb.get_item(TableName="t", Key={"id": {"S": "1"}})["Item"]["b"] == {"B": b"\x00\x01"}


def test_a_refused_condition_raises_the_same_error_as_aws(moto_process: AwsProcess) -> None:
    dynamodb = _forwarded(moto_process, "dynamodb")
    _table(dynamodb)
    dynamodb.put_item(TableName="t", Item={"id": {"S": "1"}})
    with pytest.raises(ClientError) as refused:
        dynamodb.put_item(TableName="t", Item={"id": {"S": "1"}}, ConditionExpression="attribute_not_exists(id)")
    assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"


def test_queues_answer_forwarded_calls_with_attributes_and_receipts(moto_process: AwsProcess) -> None:
    sqs = _forwarded(moto_process, "sqs")
    queue_url = sqs.create_queue(QueueName="alarms")["QueueUrl"]
    sqs.send_message(QueueUrl=queue_url, MessageBody='{"key":"o_1"}',
                     MessageAttributes={"kind": {"DataType": "String", "StringValue": "order"}})
    received = sqs.receive_message(QueueUrl=queue_url, MessageAttributeNames=["All"])["Messages"]
    assert [(m["Body"], m["MessageAttributes"]["kind"]["StringValue"]) for m in received] == [
        ('{"key":"o_1"}', "order")]
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=received[0]["ReceiptHandle"])
    over_http = boto3.client("sqs", endpoint_url=moto_process.url, **CREDENTIALS)
    attributes = over_http.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    assert (attributes["ApproximateNumberOfMessages"], attributes["ApproximateNumberOfMessagesNotVisible"]) == (
        "0", "0")


def test_requests_for_other_hosts_are_left_to_botocore() -> None:
    forwarder = ForwardedAwsCalls("/nonexistent/calls.sock")  # would fail if it were used

    class Request:
        url = "http://127.0.0.1:9/local/@connections/abc"

    assert forwarder(Request()) is None  # type: ignore[arg-type]


def test_a_call_once_moto_is_gone_fails_as_an_unreachable_endpoint(moto_process: AwsProcess) -> None:
    dynamodb = _forwarded(moto_process, "dynamodb", retries={"max_attempts": 1})
    dynamodb.list_tables()
    moto_process.stop()
    with pytest.raises(EndpointConnectionError):
        dynamodb.list_tables()
    assert not Path(moto_process.socket_path).parent.exists()


def test_ctrl_c_to_the_whole_group_leaves_moto_to_the_stack(moto_process: AwsProcess) -> None:
    assert moto_process.pid is not None
    os.kill(moto_process.pid, signal.SIGINT)
    os.kill(moto_process.pid, signal.SIGTERM)
    assert _forwarded(moto_process, "dynamodb").list_tables()["TableNames"] == []
    moto_process.stop()
    assert _gone(moto_process.pid)


def test_moto_process_ends_and_tidies_up_when_the_stack_dies() -> None:
    stack = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import time
        from devstack.awsprocess import AwsProcess
        from devstack.stack import listening_socket

        process = AwsProcess("127.0.0.1", listening_socket("127.0.0.1", 0))
        process.start()
        process.wait_ready()
        print(process.pid, process.socket_path, flush=True)
        time.sleep(60)
    """)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert stack.stdout is not None
        pid, socket_path = stack.stdout.readline().split()
        stack.kill()
        stack.wait()
        assert _eventually_gone(int(pid)), "moto's process outlived the stack"
        assert not Path(socket_path).parent.exists()  # nobody else would remove it
    finally:
        stack.kill()
        stack.wait()


def test_a_request_moto_fails_on_answers_500_as_motos_server_does() -> None:
    signed = ("AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, "
              "Signature=x")
    headers = [("X-Amz-Target", "DynamoDB_20120810.PutItem"), ("Content-Type", "application/x-amz-json-1.0"),
               ("Authorization", signed)]

    with captured() as lines:
        status, _, body = CallServer(socket.socket()).answer(
            "POST", "https://dynamodb.us-east-1.amazonaws.com/", headers, b"{not json")

    assert (status, json.loads(body)["__type"]) == (500, "InternalFailure")
    assert [line["url"] for line in lines.events("local.moto_failed")] == ["https://dynamodb.us-east-1.amazonaws.com/"]


def test_the_benchmarks_count_motos_process_as_part_of_the_stack(moto_process: AwsProcess) -> None:
    from bench.stack import process_tree

    assert moto_process.pid in process_tree(os.getpid())
