"""The DynamoDB supplier, address and coupon stores (moto, no Chalice) keep their contracts
(`tests/contracts/supplier_store.py`): stock moves only by conditional adds, batch reads return
exactly what exists, and the default address moves in one transaction."""

from __future__ import annotations

import pytest

from chalicelib.checkout.address_store import DynamoAddressStore
from chalicelib.checkout.coupon_store import DynamoCouponStore
from chalicelib.checkout.ports import AddressStore, CouponStore, SupplierStore
from chalicelib.checkout.supplier_store import DynamoSupplierStore
from tests.contracts.supplier_store import AddressStoreContract, CouponStoreContract, SupplierStoreContract


class TestSupplierStoreOnDynamo(SupplierStoreContract):
    @pytest.fixture
    def empty(self, tables: dict[str, str]) -> SupplierStore:
        return DynamoSupplierStore()


class TestAddressStoreOnDynamo(AddressStoreContract):
    @pytest.fixture
    def store(self, tables: dict[str, str]) -> AddressStore:
        return DynamoAddressStore()


class TestCouponStoreOnDynamo(CouponStoreContract):
    @pytest.fixture
    def store(self, tables: dict[str, str]) -> CouponStore:
        return DynamoCouponStore()
