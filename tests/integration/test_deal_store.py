"""The DynamoDB deal store (moto) keeps the `DealStore` contract (`tests/contracts/deal_store.py`)."""

from __future__ import annotations

import pytest

from chalicelib.groupbuy.deal_store import DynamoDealStore
from chalicelib.groupbuy.ports import DealStore
from tests.contracts.deal_store import DealStoreContract


class TestDealStoreOnDynamo(DealStoreContract):
    @pytest.fixture
    def store(self, tables: dict[str, str]) -> DealStore:
        return DynamoDealStore()
