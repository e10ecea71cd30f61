"""Every AWS request the app makes carries the app's fixed User-Agent, which botocore does not rebuild
from its parts on every call (a quarter of the client's CPU per call, see `chalicelib/aws.py`).
No network: each request is answered inside botocore before it is sent."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from moto.core.botocore_stubber import MockRawResponse

from chalicelib import aws, bootstrap, objects
from chalicelib.persistence.tables import shared_connection
from chalicelib.settings import Settings

STAGE = {"ONTIME_STAGE": "prod", "ONTIME_ALARM_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/1/ontime-alarms",
         "ONTIME_WS_MANAGEMENT_ENDPOINT": "https://abc.execute-api.us-east-1.amazonaws.com/prod"}


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


class Answering:
    """A `before-send` handler: keeps each request's User-Agent and answers it with `body`."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.user_agents: list[str] = []

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        agent = request.headers["User-Agent"]
        self.user_agents.append(agent.decode() if isinstance(agent, bytes) else str(agent))
        return AWSResponse(request.url, 200, {}, MockRawResponse(self.body))


def test_the_push_and_alarm_queue_clients_send_the_fixed_user_agent() -> None:
    config = Settings.from_env(STAGE)
    pushes = bootstrap._api_gateway_sender(config)._client  # type: ignore[attr-defined]
    queue = bootstrap._sqs_alarm_queue(config)._client  # type: ignore[attr-defined]
    answered = Answering(b"")
    pushes.meta.events.register("before-send.*.*", answered)
    sent = Answering(json.dumps({"MessageId": "m-1", "MD5OfMessageBody": hashlib.md5(b"{}").hexdigest()}).encode())
    queue.meta.events.register("before-send.*.*", sent)
    pushes.post_to_connection(ConnectionId="c-1", Data=b"{}")
    queue.send_message(QueueUrl=STAGE["ONTIME_ALARM_QUEUE_URL"], MessageBody="{}")
    assert [agent.startswith(aws.user_agent()) for agent in answered.user_agents + sent.user_agents] == [True, True]


def test_pynamodb_clients_send_the_fixed_user_agent_and_keep_their_own_settings() -> None:
    aws.forget()  # a session of this test's own: the handler below must answer no other test's calls
    connection = shared_connection("us-east-1")
    answered = Answering(b'{"TableNames": []}')
    connection.client.meta.events.register("before-send.*.*", answered)
    try:
        connection.list_tables()
        connection.list_tables()
    finally:
        connection.client.meta.events.unregister("before-send.*.*", answered)
        aws.forget()
    first, second = answered.user_agents
    assert first.startswith(aws.user_agent()) and second == first
    # the app's retry policy, not PynamoDB's defaults (1 + 3 attempts, 15 s to connect, 30 s to read)
    config = connection.client.meta.config
    assert (config.retries, config.connect_timeout, config.read_timeout) == (
        {"mode": "standard", "total_max_attempts": 3}, 1.0, 2.0)


def test_every_client_the_app_makes_retries_and_times_out_as_the_policy_says() -> None:
    """docs/retries.md: botocore's standard mode, 3 attempts in all, 1 s to connect, 2 s to read."""
    config = Settings.from_env(STAGE)
    clients = {"pushes": bootstrap._api_gateway_sender(config)._client,  # type: ignore[attr-defined]
               "alarm queue": bootstrap._sqs_alarm_queue(config)._client,  # type: ignore[attr-defined]
               "dynamodb": shared_connection("us-east-1").client,
               "s3": objects._client("us-east-1", None)}
    policies = {name: (client.meta.config.retries, client.meta.config.connect_timeout,
                       client.meta.config.read_timeout) for name, client in clients.items()}
    policy = ({"mode": "standard", "total_max_attempts": 3}, 1.0, 2.0)
    # a post to @connections is sent once (chalicelib/push/api_gateway.py): a retry may deliver twice
    assert policies == {**dict.fromkeys(clients, policy), "pushes": ({"mode": "standard", "total_max_attempts": 1},
                                                                     1.0, 2.0)}
