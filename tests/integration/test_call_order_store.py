"""The DynamoDB call-order store (moto, no Chalice) keeps its contract
(`tests/contracts/call_order_store.py`)."""

from __future__ import annotations

import pytest

from chalicelib.calls.call_order import CallOrderStore
from chalicelib.calls.call_order_store import DynamoCallOrderStore
from chalicelib.calls.order_tables import CallOrderModel
from tests.contracts.call_order_store import SHARDS, CallOrderStoreContract


@pytest.fixture
def call_orders(tables: dict[str, str]) -> CallOrderStore:
    if not CallOrderModel.exists():
        # Until the calls package is in the registry, infra/template.json (what the shared moto
        # account is provisioned from) has no call_orders table: make it from the model, once.
        CallOrderModel.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
    return DynamoCallOrderStore(SHARDS)


class TestCallOrderStoreOnDynamo(CallOrderStoreContract):
    @pytest.fixture
    def store(self, call_orders: CallOrderStore) -> CallOrderStore:
        return call_orders
