"""A push is posted to `@connections` once (`chalicelib/push/api_gateway.py`): botocore would post
again after a read timeout, and API Gateway may have delivered the first — the terminal would get
the frame twice. No network: each request is answered inside botocore before it is sent."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import ReadTimeoutError
from moto.core.botocore_stubber import MockRawResponse

from chalicelib import bootstrap
from chalicelib.push.ports import Delivery
from chalicelib.settings import Settings
from tests.unit.test_aws_clients import STAGE, credentials  # noqa: F401 - the fixture, autouse here too


@pytest.mark.parametrize("lost", [ReadTimeoutError(endpoint_url="https://abc"), None])
def test_a_push_is_posted_once_even_when_its_answer_is_lost_or_an_error(lost: Exception | None) -> None:
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
