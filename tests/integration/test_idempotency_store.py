"""`Idempotency-Key` on DynamoDB (moto): the `IdempotencyStore` contract (`tests/contracts/`)."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.idempotency import IdempotencyStore
from chalicelib.persistence import entity_store, idempotency
from chalicelib.persistence.idempotency import DynamoIdempotencyStore
from tests.contracts.platform_stores import IdempotencyStoreContract


class TestIdempotencyStoreOnDynamo(IdempotencyStoreContract):
    @pytest.fixture
    def store(self, tables: dict[str, str]) -> IdempotencyStore:
        return DynamoIdempotencyStore()


def test_a_claim_refused_by_a_holder_that_releases_before_the_read_claims_the_key_again(
        tables: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    store = DynamoIdempotencyStore()
    assert store.claim("k", "hash", 1_000, 0) is None  # the first request holds the key
    read = entity_store.get_or_none
    released: list[str] = []

    def holder_releases_first(model: Any, key: str, *args: Any, **kwargs: Any) -> Any:
        if not released:  # the first request failed and let go between our claim and our read
            store.release(key)
            released.append(key)
        return read(model, key, *args, **kwargs)

    monkeypatch.setattr(idempotency, "get_or_none", holder_releases_first)
    assert store.claim("k", "hash", 2_000, 0) is None  # claimed by the retry, not a 500
    assert released == ["k"]
    held = store.claim("k", "hash", 3_000, 0)
    assert held is not None and (held.started_at, held.completed) == (2_000, False)
