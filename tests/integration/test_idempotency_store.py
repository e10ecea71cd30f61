"""`Idempotency-Key` on DynamoDB (moto): the `IdempotencyStore` contract (`tests/contracts/`)."""

from __future__ import annotations

import pytest

from chalicelib.idempotency import IdempotencyStore
from chalicelib.persistence.idempotency import DynamoIdempotencyStore
from tests.contracts.platform_stores import IdempotencyStoreContract


class TestIdempotencyStoreOnDynamo(IdempotencyStoreContract):
    @pytest.fixture
    def store(self, tables: dict[str, str]) -> IdempotencyStore:
        return DynamoIdempotencyStore()
