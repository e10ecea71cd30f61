"""The DynamoDB purchase and supplier-order stores (moto, no Chalice) keep their contracts
(`tests/contracts/purchase_store.py`): a purchase and its stock reservations commit together or
not at all, a short product is named, the fan-out's supplier orders and the stock releases commit
with the state, and every field survives the round trip."""

from __future__ import annotations

import pytest

from chalicelib.checkout.purchase_store import DynamoPurchaseStore
from chalicelib.checkout.supplier_order_store import DynamoSupplierOrderStore
from chalicelib.checkout.supplier_store import DynamoSupplierStore
from tests.contracts.purchase_store import SHARDS, CheckoutStores, PurchaseStoreContract, SupplierOrderStoreContract


@pytest.fixture
def dynamo_stores(tables: dict[str, str]) -> CheckoutStores:
    return CheckoutStores(DynamoPurchaseStore(SHARDS), DynamoSupplierOrderStore(SHARDS), DynamoSupplierStore())


class TestPurchaseStoreOnDynamo(PurchaseStoreContract):
    @pytest.fixture
    def stores(self, dynamo_stores: CheckoutStores) -> CheckoutStores:
        return dynamo_stores


class TestSupplierOrderStoreOnDynamo(SupplierOrderStoreContract):
    @pytest.fixture
    def stores(self, dynamo_stores: CheckoutStores) -> CheckoutStores:
        return dynamo_stores
