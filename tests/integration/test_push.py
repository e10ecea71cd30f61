"""Push adapters: the connection registry on DynamoDB (moto; its contract is in
`tests/contracts/platform_stores.py`), the API Gateway sender against
botocore's Stubber (moto never answers 410), and the notifier forgetting exactly the stale terminal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber

from chalicelib.persistence.connections import CONNECTION_TTL_S, ConnectionModel, DynamoConnectionRegistry
from chalicelib.push import party
from chalicelib.push.api_gateway import ApiGatewayPushSender
from chalicelib.push.notifier import CONNECT_GRACE_MS, Notifier
from chalicelib.push.ports import ConnectionRegistry, Delivery
from tests.builders import T0
from tests.contracts.platform_stores import ConnectionRegistryContract
from tests.fakes import RecordingPushSender

SHOP = party.merchant("m1")
OTHER_SHOP = party.merchant("m2")


@pytest.fixture
def registry(tables: dict[str, str]) -> DynamoConnectionRegistry:
    return DynamoConnectionRegistry()


@pytest.fixture
def management() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("apigatewaymanagementapi", region_name="us-east-1",
                          endpoint_url="https://abc123.execute-api.us-east-1.amazonaws.com/api")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


# ── the registry ─────────────────────────────────────────────────────────────────────────────

class TestConnectionRegistryOnDynamo(ConnectionRegistryContract):
    @pytest.fixture
    def registry(self, tables: dict[str, str]) -> ConnectionRegistry:
        return DynamoConnectionRegistry()


def test_a_connection_expires_with_api_gateways_two_hour_limit(registry: DynamoConnectionRegistry) -> None:
    """DynamoDB only: the item's TTL attribute."""
    registry.register("c1", SHOP, "staff-1", T0)
    expires_at = ConnectionModel.get("c1").expires_at
    assert int(expires_at.timestamp()) == T0 // 1000 + CONNECTION_TTL_S


# ── the API Gateway sender ───────────────────────────────────────────────────────────────────

def test_a_post_that_api_gateway_accepts_is_delivered(management: tuple[Any, Stubber]) -> None:
    client, stubber = management
    stubber.add_response("post_to_connection", {}, {"ConnectionId": "c1", "Data": b'{"type":"x"}'})
    assert ApiGatewayPushSender(client).post("c1", b'{"type":"x"}') is Delivery.DELIVERED


def test_a_410_gone_means_the_terminal_is_gone(management: tuple[Any, Stubber]) -> None:
    client, stubber = management
    stubber.add_client_error("post_to_connection", service_error_code="GoneException", http_status_code=410)
    assert ApiGatewayPushSender(client).post("c1", b"{}") is Delivery.GONE


@pytest.mark.parametrize(("code", "status"), [("InternalServerError", 500), ("LimitExceededException", 429),
                                              ("ForbiddenException", 403)])
def test_other_errors_are_transient_failures(management: tuple[Any, Stubber], code: str, status: int) -> None:
    client, stubber = management
    stubber.add_client_error("post_to_connection", service_error_code=code, http_status_code=status)
    assert ApiGatewayPushSender(client).post("c1", b"{}") is Delivery.FAILED


def test_an_unreachable_endpoint_is_a_transient_failure() -> None:
    class Unreachable:
        def post_to_connection(self, **_: Any) -> None:
            raise EndpointConnectionError(endpoint_url="https://nowhere")

    assert ApiGatewayPushSender(Unreachable()).post("c1", b"{}") is Delivery.FAILED


# ── the notifier ─────────────────────────────────────────────────────────────────────────────

def test_a_push_reaches_every_terminal_of_the_party_and_forgets_only_the_stale_one(
        registry: DynamoConnectionRegistry, management: tuple[Any, Stubber]) -> None:
    for connection_id in ("c1", "c2", "c3"):
        registry.register(connection_id, SHOP, "staff", T0)
    registry.register("c9", OTHER_SHOP, "staff-9", T0)
    client, stubber = management
    stubber.add_response("post_to_connection", {})  # c1
    stubber.add_client_error("post_to_connection", service_error_code="GoneException", http_status_code=410)  # c2
    stubber.add_response("post_to_connection", {})  # c3
    a_minute_later = T0 + 60_000
    delivered = Notifier(registry, ApiGatewayPushSender(client)).push(SHOP, "order.created", {"order_id": "o"},
                                                                      a_minute_later)
    assert delivered == 2
    assert sorted(registry.connections_of(SHOP)) == ["c1", "c3"]
    assert registry.connections_of(OTHER_SHOP) == ["c9"]


def test_a_transient_failure_keeps_the_connection(registry: DynamoConnectionRegistry,
                                                  management: tuple[Any, Stubber]) -> None:
    registry.register("c1", SHOP, "staff", T0)
    client, stubber = management
    stubber.add_client_error("post_to_connection", service_error_code="InternalServerError", http_status_code=500)
    assert Notifier(registry, ApiGatewayPushSender(client)).push(SHOP, "order.created", {}, T0) == 0
    assert registry.connections_of(SHOP) == ["c1"]


def test_every_terminal_gets_the_same_envelope(registry: DynamoConnectionRegistry) -> None:
    registry.register("c1", SHOP, "staff-1", T0)
    registry.register("c2", SHOP, "staff-2", T0)
    sender = RecordingPushSender()
    Notifier(registry, sender).push(SHOP, "order.created", {"order_id": "ord_1"}, T0)
    (one,), (two,) = sender.to("c1"), sender.to("c2")
    assert one == two
    assert one["type"] == "order.created" and one["data"] == {"order_id": "ord_1"}
    assert one["server_time"] == "2026-11-18T11:06:40.000Z" and one["id"].startswith("msg_")


def test_a_reply_to_a_gone_terminal_forgets_it(registry: DynamoConnectionRegistry) -> None:
    registry.register("c1", SHOP, "staff-1", T0)
    registry.register("c2", SHOP, "staff-2", T0)
    sender = RecordingPushSender()
    sender.gone.add("c1")
    Notifier(registry, sender).reply("c1", "pong", {}, T0)
    assert registry.connections_of(SHOP) == ["c2"]


def test_the_payload_is_compact_utf8_json(registry: DynamoConnectionRegistry,
                                          management: tuple[Any, Stubber]) -> None:
    registry.register("c1", SHOP, "staff", T0)
    client, stubber = management
    sent: list[bytes] = []

    def capture(params: dict[str, Any], **_: Any) -> None:
        sent.append(params["Data"])

    client.meta.events.register("provide-client-params.apigatewaymanagementapi.PostToConnection", capture)
    stubber.add_response("post_to_connection", {})
    Notifier(registry, ApiGatewayPushSender(client)).push(SHOP, "order.created", {"note": "不要辣"}, T0)
    assert json.loads(sent[0])["data"] == {"note": "不要辣"} and "不要辣".encode() in sent[0]


def test_a_410_right_after_connect_does_not_forget_a_terminal_api_gateway_is_still_accepting(
        registry: DynamoConnectionRegistry, management: tuple[Any, Stubber]) -> None:
    # GIVEN a terminal registered by $connect a moment ago (API Gateway finishes the handshake after it)
    registry.register("c1", SHOP, "staff", T0)
    client, stubber = management
    stubber.add_client_error("post_to_connection", service_error_code="GoneException", http_status_code=410)
    # WHEN a push finds it "gone" inside the grace period
    delivered = Notifier(registry, ApiGatewayPushSender(client)).push(SHOP, "order.created", {"order_id": "o"},
                                                                      T0 + CONNECT_GRACE_MS - 1)
    # THEN that push is missed, but the terminal is kept for the next one
    assert delivered == 0
    assert registry.connections_of(SHOP) == ["c1"]
