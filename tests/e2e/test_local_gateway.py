"""The local gateway speaks API Gateway's `@connections` management API as boto3 calls it, so the
app's push code is the same locally and in AWS; and it serves the counters benchmarks read."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest
from websockets.exceptions import ConnectionClosedOK

from tests.e2e.client import WAIT_S, StackUrls
from tests.e2e.conftest import Parties

pytestmark = pytest.mark.e2e

_CREDENTIALS = {"region_name": "us-east-1", "aws_access_key_id": "local", "aws_secret_access_key": "local"}


@pytest.fixture
def management_api(stack: StackUrls) -> Iterator[Any]:
    client = boto3.client("apigatewaymanagementapi", endpoint_url=stack.ws.replace("ws://", "http://") + "/local",
                          **_CREDENTIALS)
    yield client
    client.close()


def connection_ids_of(stack: StackUrls, party: str) -> list[str]:
    """What an operator sees in the connections table (API Gateway never tells a client its id)."""
    dynamodb = boto3.client("dynamodb", endpoint_url=stack.aws, **_CREDENTIALS)
    rows = dynamodb.query(TableName="ontime-connections", IndexName="by_party",
                          KeyConditionExpression="party = :p", ExpressionAttributeValues={":p": {"S": party}})
    return [row["connection_id"]["S"] for row in rows["Items"]]


def test_posting_to_an_unknown_connection_raises_gone(management_api: Any) -> None:
    with pytest.raises(management_api.exceptions.GoneException):
        management_api.post_to_connection(ConnectionId="NoSuchConnId=", Data=b"{}")


def test_connections_api_posts_describes_and_closes_a_terminal(parties: Parties, stack: StackUrls,
                                                               management_api: Any) -> None:
    customer = parties.customer()
    terminal = parties.terminal(customer)
    party = f"customer#{customer.sub}"
    [connection_id] = connection_ids_of(stack, party)

    management_api.post_to_connection(ConnectionId=connection_id, Data=b'{"type":"hello","data":{}}')
    assert terminal.wait_for(lambda m: m["type"] == "hello") is not None

    described = management_api.get_connection(ConnectionId=connection_id)
    assert described["ConnectedAt"].timestamp() <= time.time()
    assert described["Identity"]["SourceIp"] == "127.0.0.1"

    management_api.delete_connection(ConnectionId=connection_id)
    with pytest.raises(ConnectionClosedOK):
        terminal.wait_for(lambda m: False, timeout_s=WAIT_S)
    with pytest.raises(management_api.exceptions.GoneException):
        management_api.post_to_connection(ConnectionId=connection_id, Data=b"{}")
    _eventually(lambda: connection_ids_of(stack, party) == [])  # `$disconnect` forgot it


def test_a_post_larger_than_api_gateway_takes_is_refused_with_413_and_never_delivered(
        parties: Parties, stack: StackUrls, management_api: Any) -> None:
    customer = parties.customer()
    terminal = parties.terminal(customer)
    [connection_id] = connection_ids_of(stack, f"customer#{customer.sub}")
    frame = b'{"type":"%s","data":"%s"}'

    def message(kind: bytes, size: int) -> bytes:
        return frame % (kind, b"x" * (size - len(frame % (kind, b""))))

    with pytest.raises(management_api.exceptions.PayloadTooLargeException) as refused:
        management_api.post_to_connection(ConnectionId=connection_id, Data=message(b"big", 200 * 1024))
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    raw = httpx.post(stack.ws.replace("ws://", "http://") + f"/local/@connections/{connection_id}",
                     content=message(b"big", 128 * 1024 + 1), trust_env=False)
    assert (raw.status_code, raw.headers["x-amzn-ErrorType"]) == (413, "PayloadTooLargeException")

    management_api.post_to_connection(ConnectionId=connection_id, Data=message(b"at_limit", 128 * 1024))
    management_api.post_to_connection(ConnectionId=connection_id, Data=b'{"type":"small","data":{}}')
    terminal.wait_for(lambda m: m["type"] == "small")
    assert [m["type"] for m in terminal.received] == ["at_limit", "small"]  # neither big one arrived


def test_stats_count_the_apps_aws_calls_pushes_and_memory(parties: Parties, stack: StackUrls) -> None:
    stats_url = stack.ws.replace("ws://", "http://") + "/_stats"
    before = httpx.get(stats_url, trust_env=False).json()
    shop = parties.shop(window_s=3)
    console = parties.terminal(shop.staff)
    order = parties.place(parties.customer(), shop)
    console.wait_for(lambda m: m["type"] == "order.created" and m["data"]["order_id"] == order["order_id"])

    after = httpx.get(stats_url, trust_env=False).json()
    assert after["pushes"] >= before["pushes"] + 1
    assert after["aws_calls"]["DynamoDB.PutItem"] > before["aws_calls"].get("DynamoDB.PutItem", 0)
    assert after["aws_calls"]["SQS.SendMessage"] > before["aws_calls"].get("SQS.SendMessage", 0)
    assert "SQS.ReceiveMessage" not in after["aws_calls"]  # the pumps' polling is the harness's, not the app's
    assert after["harness_aws_calls"]["SQS.ReceiveMessage"] > 0
    assert after["invocations"]["rest"] > before["invocations"].get("rest", 0)
    assert 0 < after["rss_bytes"] <= after["peak_rss_bytes"]
    processes = after["processes"].values()
    assert after["rss_bytes"] == sum(p["rss_bytes"] for p in processes)
    assert after["cpu_seconds"] == pytest.approx(sum(p["cpu_seconds"] for p in processes), abs=0.01)
    assert after["cpu_seconds"] > before["cpu_seconds"]


def test_stats_count_the_apps_dynamodb_requests_per_partition_key(parties: Parties, stack: StackUrls) -> None:
    stats_url = stack.ws.replace("ws://", "http://") + "/_stats"
    shop = parties.shop(window_s=3)
    console = parties.terminal(shop.staff)
    order = parties.place(parties.customer(), shop)
    console.wait_for(lambda m: m["type"] == "order.created" and m["data"]["order_id"] == order["order_id"])

    partitions = httpx.get(stats_url, trust_env=False).json()["aws_partitions"]
    assert partitions[f"ontime-orders|base|{order['order_id']}"]["write"] >= 1
    assert partitions[f"ontime-orders|by_merchant|{shop.merchant_id}"]["write"] >= 1
    assert partitions[f"ontime-connections|by_party|merchant#{shop.merchant_id}"]["read"] >= 1
    due = [kinds for name, kinds in partitions.items() if name.startswith("ontime-orders|due|")]
    assert sum(kinds.get("write", 0) for kinds in due) >= 1  # the answer window's alarm, on its shard


def test_the_apps_aws_calls_are_answered_by_motos_own_process(parties: Parties, stack: StackUrls) -> None:
    stats_url = stack.ws.replace("ws://", "http://") + "/_stats"
    processes = httpx.get(stats_url, trust_env=False).json()["processes"]
    if "aws" not in processes:
        pytest.skip("moto runs inside the stack's process (--aws-transport in-process)")
    before = processes["aws"]["cpu_seconds"]
    shop = parties.shop(window_s=3)
    for _ in range(5):
        parties.place(parties.customer(), shop)
    after = httpx.get(stats_url, trust_env=False).json()["processes"]
    assert after["aws"]["pid"] != after["stack"]["pid"]
    assert after["aws"]["cpu_seconds"] > before  # moto answered the orders' writes there


def _eventually(condition: Any, timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
