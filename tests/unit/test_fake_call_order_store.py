"""The in-memory call-order store keeps the contract its DynamoDB store keeps
(`tests/contracts/call_order_store.py`; on moto: `tests/integration/test_call_order_store.py`)."""

from __future__ import annotations

import pytest

from chalicelib.calls.call_order import CallOrderStore
from tests.contracts.call_order_store import SHARDS, CallOrderStoreContract
from tests.fakes.calls import InMemoryCallOrderStore


class TestCallOrderStoreInMemory(CallOrderStoreContract):
    @pytest.fixture
    def store(self) -> CallOrderStore:
        return InMemoryCallOrderStore(SHARDS)
