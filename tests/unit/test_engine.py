"""The wait-state engine on the in-memory store (the same contract runs on DynamoDB in integration)."""

from __future__ import annotations

import pytest

from chalicelib.orders.model import Order
from chalicelib.waitstate.model import EntityStore
from tests.engine_contract import EngineContract
from tests.fakes import InMemoryEntityStore


class TestEngineOnInMemoryStore(EngineContract):
    @pytest.fixture
    def store(self) -> EntityStore[Order]:
        return InMemoryEntityStore()
