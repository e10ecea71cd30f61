"""`Idempotency-Key` on DynamoDB (moto): claim, replay, a different body, in progress, takeover."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.clock import FakeClock
from chalicelib.core.errors import ConflictingRequest, IdempotencyKeyReused, MalformedRequest, ValidationFailed
from chalicelib.idempotency import IN_PROGRESS_TIMEOUT_MS, Idempotency, request_hash
from chalicelib.persistence.idempotency import DynamoIdempotencyStore
from tests.builders import T0

BODY = {"merchant_id": "m1", "items": [{"product_id": "p1", "quantity": 2}]}


class Producer:
    """Counts how often the guarded work really ran."""

    def __init__(self) -> None:
        self.runs = 0

    def __call__(self) -> tuple[int, dict[str, Any]]:
        self.runs += 1
        return 201, {"order_id": f"ord_{self.runs}"}


@pytest.fixture
def store(tables: dict[str, str]) -> DynamoIdempotencyStore:
    return DynamoIdempotencyStore()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def idempotency(store: DynamoIdempotencyStore, clock: FakeClock) -> Idempotency:
    return Idempotency(store, clock)


def test_a_retry_with_the_same_key_and_body_replays_the_first_response(idempotency: Idempotency) -> None:
    produce = Producer()
    first = idempotency.run("u1:POST /orders", "key-1", BODY, produce)
    again = idempotency.run("u1:POST /orders", "key-1", dict(reversed(list(BODY.items()))), produce)
    assert first == again == (201, {"order_id": "ord_1"}) and produce.runs == 1


def test_the_same_key_with_another_body_is_refused(idempotency: Idempotency) -> None:
    produce = Producer()
    idempotency.run("u1:POST /orders", "key-1", BODY, produce)
    with pytest.raises(IdempotencyKeyReused):
        idempotency.run("u1:POST /orders", "key-1", {**BODY, "note": "changed"}, produce)
    assert produce.runs == 1


def test_keys_are_scoped_so_two_callers_may_use_the_same_one(idempotency: Idempotency) -> None:
    produce = Producer()
    idempotency.run("u1:POST /orders", "key-1", BODY, produce)
    idempotency.run("u2:POST /orders", "key-1", BODY, produce)
    assert produce.runs == 2


def test_without_a_key_every_request_runs(idempotency: Idempotency) -> None:
    produce = Producer()
    idempotency.run("u1:POST /orders", None, BODY, produce)
    idempotency.run("u1:POST /orders", None, BODY, produce)
    assert produce.runs == 2


@pytest.mark.parametrize("key", ["", "   ", "k" * 256])
def test_an_empty_or_overlong_key_is_malformed(idempotency: Idempotency, key: str) -> None:
    with pytest.raises(MalformedRequest):
        idempotency.run("u1:POST /orders", key, BODY, Producer())


def test_a_refused_request_is_not_remembered_so_a_corrected_retry_runs(idempotency: Idempotency) -> None:
    def refuse() -> tuple[int, dict[str, Any]]:
        raise ValidationFailed("store is closed")

    with pytest.raises(ValidationFailed):
        idempotency.run("u1:POST /orders", "key-1", BODY, refuse)
    produce = Producer()
    assert idempotency.run("u1:POST /orders", "key-1", BODY, produce) == (201, {"order_id": "ord_1"})


def test_a_retry_while_the_first_request_runs_is_a_conflict(
        store: DynamoIdempotencyStore, idempotency: Idempotency, clock: FakeClock) -> None:
    assert store.claim("u1:POST /orders:key-1", request_hash(BODY), T0, T0 - IN_PROGRESS_TIMEOUT_MS) is None
    clock.advance(IN_PROGRESS_TIMEOUT_MS / 1000 - 1)
    produce = Producer()
    with pytest.raises(ConflictingRequest):
        idempotency.run("u1:POST /orders", "key-1", BODY, produce)
    assert produce.runs == 0


def test_a_request_that_crashed_is_taken_over_after_the_timeout(
        store: DynamoIdempotencyStore, idempotency: Idempotency, clock: FakeClock) -> None:
    store.claim("u1:POST /orders:key-1", request_hash(BODY), T0, T0 - IN_PROGRESS_TIMEOUT_MS)
    clock.advance(IN_PROGRESS_TIMEOUT_MS / 1000 + 1)
    produce = Producer()
    assert idempotency.run("u1:POST /orders", "key-1", BODY, produce) == (201, {"order_id": "ord_1"})
    assert idempotency.run("u1:POST /orders", "key-1", BODY, produce) == (201, {"order_id": "ord_1"})
    assert produce.runs == 1


def test_a_stale_claim_is_not_taken_over_by_a_different_body(
        store: DynamoIdempotencyStore, idempotency: Idempotency, clock: FakeClock) -> None:
    store.claim("u1:POST /orders:key-1", request_hash(BODY), T0, T0 - IN_PROGRESS_TIMEOUT_MS)
    clock.advance(IN_PROGRESS_TIMEOUT_MS / 1000 + 1)
    with pytest.raises(IdempotencyKeyReused):
        idempotency.run("u1:POST /orders", "key-1", {"other": True}, Producer())


def test_claiming_returns_the_record_held_by_someone_else(store: DynamoIdempotencyStore) -> None:
    assert store.claim("k", "hash-a", T0, T0 - 1) is None
    store.complete("k", "hash-a", T0, 201, '{"order_id": "ord_1"}')
    held = store.claim("k", "hash-a", T0 + 5, T0 + 4)
    assert held is not None and (held.completed, held.status_code, held.response_body, held.started_at) == (
        True, 201, '{"order_id": "ord_1"}', T0)
