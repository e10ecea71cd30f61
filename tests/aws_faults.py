"""Deterministic AWS failures for the tests: a `before-send` handler on the app's own clients that
answers chosen calls as a throttled or timed-out AWS would, instead of moto.

botocore calls every `before-send` handler and takes the first answer, and in-process moto is one
of those handlers: an answered call is hidden from it (its stubber switched off until the last
handler), or moto would apply the write the test says was refused.

(The local stack's fault switch, at a rate, is `devstack/faults.py`; these fail exactly the calls a
test names, so that it can say what a failure changed.)"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import ReadTimeoutError
from moto.core.botocore_stubber import MockRawResponse
from moto.core.models import botocore_stubber

from chalicelib.persistence.tables import shared_connection

WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"})


def operation_of(request: AWSPreparedRequest) -> str:
    target = request.headers.get("X-Amz-Target", b"")
    return (target.decode() if isinstance(target, bytes) else str(target)).rpartition(".")[2]


def table_of(request: AWSPreparedRequest) -> str:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return ""
    return str(body.get("TableName", ""))


def throttled(request: AWSPreparedRequest) -> AWSResponse:
    body = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException",
                       "message": "Rate of requests exceeds the allowed throughput."}).encode()
    return AWSResponse(request.url, 400, {"x-amzn-ErrorType": "ThrottlingException"}, MockRawResponse(body))


def timed_out(request: AWSPreparedRequest) -> AWSResponse:
    raise ReadTimeoutError(endpoint_url=request.url)


@dataclass
class Failing:
    """Fails every attempt of the calls `chosen` picks (botocore retries each: all its attempts fail)."""

    chosen: Callable[[AWSPreparedRequest], bool]
    answer: Callable[[AWSPreparedRequest], AWSResponse] = throttled
    attempts: list[str] = field(default_factory=list)
    _hidden: bool = False

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        if not self.chosen(request):
            return None
        self.attempts.append(operation_of(request))
        answer = self.answer(request)  # a timeout raises: no later handler runs
        self._hidden, botocore_stubber.enabled = botocore_stubber.enabled, False
        return answer

    def shown_again(self, **_: Any) -> None:
        if self._hidden:
            self._hidden, botocore_stubber.enabled = False, True


@contextmanager
def failing_dynamodb(chosen: Callable[[AWSPreparedRequest], bool],
                     answer: Callable[[AWSPreparedRequest], AWSResponse] = throttled) -> Iterator[Failing]:
    """`chosen` calls of the app's DynamoDB client fail while inside (botocore's waits skipped)."""
    from botocore.retries import standard

    failing = Failing(chosen, answer)
    events = shared_connection("us-east-1").client.meta.events
    events.register_first("before-send.dynamodb", failing)
    events.register_last("before-send", failing.shown_again)  # moto's is a `before-send` handler: after it
    original = standard.ExponentialBackoff.delay_amount
    standard.ExponentialBackoff.delay_amount = lambda self, context: 0  # type: ignore[method-assign]
    try:
        yield failing
    finally:
        standard.ExponentialBackoff.delay_amount = original  # type: ignore[method-assign]
        events.unregister("before-send.dynamodb", failing)
        events.unregister("before-send", failing.shown_again)


def first_write_outside(excluded_table_suffix: str) -> Callable[[AWSPreparedRequest], bool]:
    """The first write to a table whose name does not end with `excluded_table_suffix`, and every
    attempt of it (botocore resends the same request)."""
    picked: list[bytes] = []

    def chosen(request: AWSPreparedRequest) -> bool:
        if operation_of(request) not in WRITES:
            return False
        body = request.body if isinstance(request.body, bytes) else str(request.body or "").encode()
        if picked:
            return body == picked[0]
        if operation_of(request) != "TransactWriteItems" and table_of(request).endswith(excluded_table_suffix):
            return False
        if operation_of(request) == "TransactWriteItems" and excluded_table_suffix.encode() in body:
            return False
        picked.append(body)
        return True

    return chosen
