"""The local stack answers the app's own pushes inside botocore, with API Gateway's answers."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from devstack.gateway import InProcessManagementApi

ENDPOINT = "http://127.0.0.1:9/local"  # nothing listens there: only the shortcut can answer


class FakeGateway:
    def __init__(self) -> None:
        self.delivered: list[tuple[str, bytes]] = []

    def deliver_from_thread(self, connection_id: str, payload: bytes, timeout_s: float) -> int:
        if connection_id != "live/1=":
            return 410
        self.delivered.append((connection_id, payload))
        return 200


def _client(shortcut: InProcessManagementApi) -> Any:
    session = botocore.session.get_session()
    session.register(InProcessManagementApi.EVENT, shortcut)
    return session.create_client("apigatewaymanagementapi", region_name="us-east-1", endpoint_url=ENDPOINT,
                                 aws_access_key_id="x", aws_secret_access_key="x")


def test_a_push_to_a_live_terminal_is_delivered_without_http() -> None:
    shortcut, gateway = InProcessManagementApi(ENDPOINT), FakeGateway()
    shortcut.gateway = gateway  # type: ignore[assignment]
    _client(shortcut).post_to_connection(ConnectionId="live/1=", Data=b'{"type":"order.created"}')
    assert gateway.delivered == [("live/1=", b'{"type":"order.created"}')]


def test_a_push_to_a_closed_terminal_raises_gone_exception_as_in_aws() -> None:
    shortcut = InProcessManagementApi(ENDPOINT)
    shortcut.gateway = FakeGateway()  # type: ignore[assignment]
    client = _client(shortcut)
    with pytest.raises(client.exceptions.GoneException):
        client.post_to_connection(ConnectionId="closed", Data=b"{}")


def test_calls_to_another_endpoint_are_left_alone() -> None:
    shortcut, gateway = InProcessManagementApi("http://127.0.0.1:8001/local"), FakeGateway()
    shortcut.gateway = gateway  # type: ignore[assignment]
    client = _client(shortcut)
    with pytest.raises(Exception, match="Could not connect"):
        client.post_to_connection(ConnectionId="live/1=", Data=b"{}")
    assert gateway.delivered == []
