"""Every store contract of `tests/contracts/` on the in-memory fakes of `tests/fakes/` (the same
contracts run on the DynamoDB stores in `tests/integration/`)."""

from __future__ import annotations

import pytest

from chalicelib.catalogue.ports import CatalogueStore
from chalicelib.checkout.ports import AddressStore, CouponStore, SupplierStore
from chalicelib.dispatch.photos import PhotoStore
from chalicelib.dispatch.ports import InstallerStore
from chalicelib.groupbuy.ports import DealStore
from chalicelib.idempotency import IdempotencyStore
from chalicelib.objects import ObjectStore
from chalicelib.orders.ports import OrderStore
from chalicelib.push.ports import ConnectionRegistry, RateLimiter
from tests.contracts.catalogue_store import CatalogueStoreContract
from tests.contracts.deal_store import DealStoreContract
from tests.contracts.installation_store import DispatchStores, InstallationStoreContract
from tests.contracts.installer_store import InstallerStoreContract
from tests.contracts.object_store import ObjectStoreContract
from tests.contracts.order_store import OrderStoreContract
from tests.contracts.platform_stores import (
    LIMIT,
    WINDOW_S,
    ConnectionRegistryContract,
    IdempotencyStoreContract,
    PhotoStoreContract,
    RateLimiterContract,
)
from tests.contracts.purchase_store import CheckoutStores, PurchaseStoreContract, SupplierOrderStoreContract
from tests.contracts.supplier_store import AddressStoreContract, CouponStoreContract, SupplierStoreContract
from tests.fakes.catalogue import InMemoryCatalogueStore
from tests.fakes.checkout import (
    InMemoryAddressStore,
    InMemoryCouponStore,
    InMemoryPurchaseStore,
    InMemorySupplierOrderStore,
    InMemorySupplierStore,
)
from tests.fakes.dispatch import InMemoryInstallationStore, InMemoryInstallerStore, InMemoryPhotoStore
from tests.fakes.groupbuy import InMemoryDealStore
from tests.fakes.objects import InMemoryObjects
from tests.fakes.orders import InMemoryOrderStore
from tests.fakes.platform_ports import InMemoryConnectionRegistry, InMemoryIdempotencyStore, InMemoryRateLimiter


class TestOrderStoreInMemory(OrderStoreContract):
    @pytest.fixture
    def store(self) -> OrderStore:
        return InMemoryOrderStore()


class TestCatalogueStoreInMemory(CatalogueStoreContract):
    @pytest.fixture
    def store(self) -> CatalogueStore:
        return InMemoryCatalogueStore()


class TestInstallationStoreInMemory(InstallationStoreContract):
    @pytest.fixture
    def stores(self) -> DispatchStores:
        installers = InMemoryInstallerStore()
        return DispatchStores(InMemoryInstallationStore(installers), installers)


class TestInstallerStoreInMemory(InstallerStoreContract):
    @pytest.fixture
    def store(self) -> InstallerStore:
        return InMemoryInstallerStore()


def in_memory_checkout() -> CheckoutStores:
    suppliers, orders = InMemorySupplierStore(), InMemorySupplierOrderStore()
    return CheckoutStores(InMemoryPurchaseStore(suppliers, orders), orders, suppliers)


class TestPurchaseStoreInMemory(PurchaseStoreContract):
    @pytest.fixture
    def stores(self) -> CheckoutStores:
        return in_memory_checkout()


class TestSupplierOrderStoreInMemory(SupplierOrderStoreContract):
    @pytest.fixture
    def stores(self) -> CheckoutStores:
        return in_memory_checkout()


class TestSupplierStoreInMemory(SupplierStoreContract):
    @pytest.fixture
    def empty(self) -> SupplierStore:
        return InMemorySupplierStore()


class TestAddressStoreInMemory(AddressStoreContract):
    @pytest.fixture
    def store(self) -> AddressStore:
        return InMemoryAddressStore()


class TestCouponStoreInMemory(CouponStoreContract):
    @pytest.fixture
    def store(self) -> CouponStore:
        return InMemoryCouponStore()


class TestIdempotencyStoreInMemory(IdempotencyStoreContract):
    @pytest.fixture
    def store(self) -> IdempotencyStore:
        return InMemoryIdempotencyStore()


class TestConnectionRegistryInMemory(ConnectionRegistryContract):
    @pytest.fixture
    def registry(self) -> ConnectionRegistry:
        return InMemoryConnectionRegistry()


class TestRateLimiterInMemory(RateLimiterContract):
    @pytest.fixture
    def limiter(self) -> RateLimiter:
        return InMemoryRateLimiter(LIMIT, WINDOW_S)


class TestPhotoStoreInMemory(PhotoStoreContract):
    @pytest.fixture
    def photos(self) -> PhotoStore:
        return InMemoryPhotoStore()

    def upload(self, photos: PhotoStore, key: str, body: bytes, content_type: str) -> None:
        assert isinstance(photos, InMemoryPhotoStore)
        photos.put(key, body, content_type)


class TestObjectStoreInMemory(ObjectStoreContract):
    @pytest.fixture
    def objects(self) -> ObjectStore:
        return InMemoryObjects()


class TestDealStoreInMemory(DealStoreContract):
    @pytest.fixture
    def store(self) -> DealStore:
        return InMemoryDealStore()
