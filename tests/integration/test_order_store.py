"""The DynamoDB order store (moto) keeps the `OrderStore` contract (`tests/contracts/order_store.py`),
and writes no engine bookkeeping on an order without an alarm."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.orders.model import Status
from chalicelib.orders.ports import OrderStore
from chalicelib.orders.store import DynamoOrderStore
from chalicelib.orders.tables import OrderModel
from tests.builders import T0, an_order
from tests.contracts.order_store import SHARDS, OrderStoreContract


class TestOrderStoreOnDynamo(OrderStoreContract):
    @pytest.fixture
    def store(self, tables: dict[str, str]) -> OrderStore:
        return DynamoOrderStore(SHARDS)


def test_a_settled_order_leaves_the_sparse_indexes(tables: dict[str, str]) -> None:
    """DynamoDB only: what the item carries (the fake has no items)."""
    store = DynamoOrderStore(SHARDS)
    order = store.insert(an_order(), T0)
    store.commit(replace(order, status=Status.ACCEPTED), order.version, None)
    item = OrderModel.get(order.id)
    engine_bookkeeping: list[object] = [item.wake_at, item.due_shard, item.alarm_set_at, item.pending_merchant_id]
    assert engine_bookkeeping == [None, None, None, None]
