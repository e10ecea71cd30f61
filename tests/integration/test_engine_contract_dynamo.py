"""The engine contract of `tests/engine_contract.py` on the DynamoDB `OrderStore` (moto): the
in-memory fake used by the unit tests must behave like this."""

from __future__ import annotations

import pytest

from chalicelib.orders.model import Order
from chalicelib.orders.store import DynamoOrderStore
from chalicelib.waitstate.model import EntityStore
from tests.engine_contract import EngineContract


class TestEngineOnDynamoOrderStore(EngineContract):
    @pytest.fixture
    def store(self, tables: dict[str, str]) -> EntityStore[Order]:
        return DynamoOrderStore(16)
