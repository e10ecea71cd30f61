"""Every AWS request the app makes carries the app's fixed User-Agent, which botocore does not rebuild
from its parts on every call (a quarter of the client's CPU per call, see `chalicelib/aws.py`).
No network: each request is answered inside botocore before it is sent."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import ReadTimeoutError
from moto.core.botocore_stubber import MockRawResponse

from chalicelib import aws, bootstrap
from chalicelib.persistence.tables import shared_connection
from chalicelib.push.ports import Delivery
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
    # PynamoDB's own retry policy (1 + its `max_retry_attempts`), merged over the app's config
    assert connection.client.meta.config.retries == {"total_max_attempts": 4, "mode": "standard"}


@pytest.mark.parametrize("lost", [ReadTimeoutError(endpoint_url="https://abc"), None])
def test_a_push_is_posted_once_even_when_its_answer_is_lost_or_an_error(lost: Exception | None) -> None:
    """botocore would post again after a read timeout, and API Gateway may have delivered the
    first: the terminal would get the frame twice (`chalicelib/push/api_gateway.py`)."""
    sender = bootstrap._api_gateway_sender(Settings.from_env(STAGE))
    posts: list[str] = []

    def timed_out_or_500(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        posts.append(request.url)
        if lost is not None:
            raise lost
        return AWSResponse(request.url, 500, {"x-amzn-ErrorType": "InternalServerError"}, MockRawResponse(b"{}"))

    sender._client.meta.events.register("before-send.*.*", timed_out_or_500)  # type: ignore[attr-defined]
    assert sender.post("c-1", b"{}") is Delivery.FAILED
    assert len(posts) == 1
