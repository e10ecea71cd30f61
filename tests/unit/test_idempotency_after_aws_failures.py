"""What AWS failing a guarded create does to its `Idempotency-Key` (`chalicelib/idempotency.py`):
refused (nothing applied) releases it, maybe applied keeps it until stale and says when, a bug
keeps it as a crash would, and a create whose answer could not be recorded is answered."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from pynamodb.exceptions import PutError

from chalicelib.core.clock import FakeClock
from chalicelib.core.transient import RETRY_AFTER_S, ServiceUnavailable
from chalicelib.idempotency import IN_PROGRESS_TIMEOUT_MS, Idempotency
from tests.fakes.platform_ports import InMemoryIdempotencyStore

BODY = {"name": "Tea House"}
THROTTLED = PutError("failed", ClientError({"Error": {"Code": "ThrottlingException", "Message": "…"}}, "PutItem"))
TIMED_OUT = PutError("failed", ReadTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com/"))


def failing(error: Exception) -> Any:
    def produce() -> tuple[int, dict[str, Any]]:
        raise error

    return produce


@pytest.fixture
def store() -> InMemoryIdempotencyStore:
    return InMemoryIdempotencyStore()


def test_a_create_aws_refused_releases_its_key(store: InMemoryIdempotencyStore) -> None:
    guard = Idempotency(store, FakeClock())
    with pytest.raises(ServiceUnavailable) as refused:
        guard.run("scope", "k1", BODY, failing(THROTTLED))
    assert RETRY_AFTER_S[0] <= refused.value.retry_after_s <= RETRY_AFTER_S[1]
    assert store.records == {}
    assert guard.run("scope", "k1", BODY, lambda: (201, {"id": "m1"})).body == {"id": "m1"}


def test_a_create_that_may_have_been_applied_keeps_its_key_until_stale_and_says_when(
        store: InMemoryIdempotencyStore) -> None:
    clock = FakeClock()
    guard = Idempotency(store, clock)
    with pytest.raises(ServiceUnavailable) as unknown:
        guard.run("scope", "k1", BODY, failing(TIMED_OUT))
    assert unknown.value.retry_after_s * 1000 > IN_PROGRESS_TIMEOUT_MS
    assert not store.records["scope:k1"].completed
    clock.advance(unknown.value.retry_after_s)
    assert guard.run("scope", "k1", BODY, lambda: (201, {"id": "m1"})).status == 201


def test_a_bug_is_no_503_and_keeps_the_key_as_a_crash_would(store: InMemoryIdempotencyStore) -> None:
    with pytest.raises(KeyError):
        Idempotency(store, FakeClock()).run("scope", "k1", BODY, failing(KeyError("bug")))
    assert not store.records["scope:k1"].completed


def test_a_created_entity_whose_answer_could_not_be_recorded_is_answered(
        store: InMemoryIdempotencyStore, monkeypatch: pytest.MonkeyPatch) -> None:
    def throttled(*args: Any) -> None:
        raise THROTTLED

    monkeypatch.setattr(store, "complete", throttled)
    answer = Idempotency(store, FakeClock()).run("scope", "k1", BODY, lambda: (201, {"id": "m1"}))
    assert (answer.status, answer.body) == (201, {"id": "m1"})
