"""The app's container with every store an in-memory fake: services tested through their public
methods in milliseconds, with the same wiring as the Lambda functions (`bootstrap.build`).

    world = fake_container()
    merchant = world.catalogue.create_merchant(OPS, MerchantIn(...))
    world.stores.catalogue.merchants["m1"]          # what is stored, to look at or arrange
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from chalicelib import bootstrap
from chalicelib.auth.principal import Principal, Role
from chalicelib.calls.call_order import CallOrderStore
from chalicelib.calls.ports import CallSettingsStore, CallStore
from chalicelib.catalogue.ports import CatalogueStore
from chalicelib.catalogue.service import CatalogueService
from chalicelib.checkout.ports import AddressStore, CouponStore, PurchaseStore, SupplierOrderStore, SupplierStore
from chalicelib.checkout.service import CheckoutServices
from chalicelib.contribution import Contribution
from chalicelib.core.clock import FakeClock
from chalicelib.core.observability import RecordingMetrics
from chalicelib.dispatch.photos import PhotoStore
from chalicelib.dispatch.ports import InstallationStore, InstallerStore
from chalicelib.dispatch.service import DispatchServices
from chalicelib.groupbuy.ports import (
    BookingStore,
    DealStore,
    GroupOrderStore,
    QueueStore,
    UploadQueue,
    VideoStore,
    VoucherStore,
)
from chalicelib.groupbuy.service import GroupBuyServices
from chalicelib.idempotency import IdempotencyStore
from chalicelib.objects import ObjectStore
from chalicelib.orders.ports import OrderStore
from chalicelib.orders.service import OrderService
from chalicelib.payments.mismatches import MismatchLog
from chalicelib.push.ports import RateLimiter
from chalicelib.settings import Settings
from chalicelib.waitstate.engine import FireOutcome
from devstack.sandbox.provider import SandboxProvider
from devstack.tokens import DevTokenIssuer
from tests.fakes.calls import InMemoryCallOrderStore, InMemoryCallSettingsStore, InMemoryCallStore
from tests.fakes.catalogue import InMemoryCatalogueStore
from tests.fakes.checkout import (
    InMemoryAddressStore,
    InMemoryCouponStore,
    InMemoryPurchaseStore,
    InMemorySupplierOrderStore,
    InMemorySupplierStore,
)
from tests.fakes.dispatch import InMemoryInstallationStore, InMemoryInstallerStore, InMemoryPhotoStore
from tests.fakes.doubles import RecordingAlarmQueue, RecordingPushSender
from tests.fakes.groupbuy import (
    InMemoryBookingStore,
    InMemoryDealStore,
    InMemoryGroupOrderStore,
    InMemoryQueueStore,
    InMemoryVideoStore,
    InMemoryVoucherStore,
    RecordingUploadQueue,
)
from tests.fakes.objects import InMemoryObjects
from tests.fakes.orders import InMemoryOrderStore
from tests.fakes.platform_ports import (
    InMemoryConnectionRegistry,
    InMemoryIdempotencyStore,
    InMemoryMismatchLog,
    InMemoryRateLimiter,
)

S = TypeVar("S")
WEBHOOK_SECRET = "a-webhook-secret-only-the-tests-know"
SANDBOX_URL = "http://127.0.0.1:8000"
PAGE_TOKEN_SECRET = "a-page-token-secret-only-the-tests-know"


@dataclass
class FakeStores:
    """Every store of the app, in memory (the purchases write into the suppliers' stock and the
    supplier orders, the installation requests into the installers' ledgers and open jobs)."""

    catalogue: InMemoryCatalogueStore = field(default_factory=InMemoryCatalogueStore)
    orders: InMemoryOrderStore = field(default_factory=InMemoryOrderStore)
    installers: InMemoryInstallerStore = field(default_factory=InMemoryInstallerStore)
    photos: InMemoryPhotoStore = field(default_factory=InMemoryPhotoStore)
    suppliers: InMemorySupplierStore = field(default_factory=InMemorySupplierStore)
    supplier_orders: InMemorySupplierOrderStore = field(default_factory=InMemorySupplierOrderStore)
    addresses: InMemoryAddressStore = field(default_factory=InMemoryAddressStore)
    coupons: InMemoryCouponStore = field(default_factory=InMemoryCouponStore)
    deals: InMemoryDealStore = field(default_factory=InMemoryDealStore)
    vouchers: InMemoryVoucherStore = field(default_factory=InMemoryVoucherStore)
    bookings: InMemoryBookingStore = field(default_factory=InMemoryBookingStore)
    queues: InMemoryQueueStore = field(default_factory=InMemoryQueueStore)
    videos: InMemoryVideoStore = field(default_factory=InMemoryVideoStore)
    video_files: InMemoryObjects = field(default_factory=lambda: InMemoryObjects("ontime-videos"))
    upload_retries: RecordingUploadQueue = field(default_factory=RecordingUploadQueue)
    idempotency: InMemoryIdempotencyStore = field(default_factory=InMemoryIdempotencyStore)
    mismatches: InMemoryMismatchLog = field(default_factory=InMemoryMismatchLog)
    connections: InMemoryConnectionRegistry = field(default_factory=InMemoryConnectionRegistry)
    budgets: InMemoryRateLimiter = field(default_factory=lambda: InMemoryRateLimiter(50, 5))
    calls: InMemoryCallStore = field(default_factory=InMemoryCallStore)
    call_settings: InMemoryCallSettingsStore = field(default_factory=InMemoryCallSettingsStore)
    call_orders: InMemoryCallOrderStore = field(default_factory=InMemoryCallOrderStore)
    """The connections' budgets of package actions (`fake_container` gives it the settings' limit)."""

    def __post_init__(self) -> None:
        self.installations = InMemoryInstallationStore(self.installers)
        self.purchases = InMemoryPurchaseStore(self.suppliers, self.supplier_orders)
        self.group_orders = InMemoryGroupOrderStore(self.vouchers)

    def by_port(self) -> dict[object, object]:
        """What `bootstrap.build(overrides=…)` takes: the fake for each port."""
        return {CatalogueStore: self.catalogue, OrderStore: self.orders, InstallationStore: self.installations,
                InstallerStore: self.installers, PhotoStore: self.photos, PurchaseStore: self.purchases,
                SupplierOrderStore: self.supplier_orders, SupplierStore: self.suppliers,
                AddressStore: self.addresses, CouponStore: self.coupons, DealStore: self.deals,
                GroupOrderStore: self.group_orders, VoucherStore: self.vouchers, BookingStore: self.bookings,
                QueueStore: self.queues, VideoStore: self.videos, ObjectStore: self.video_files,
                UploadQueue: self.upload_retries,
                IdempotencyStore: self.idempotency, MismatchLog: self.mismatches, RateLimiter: self.budgets,
                CallStore: self.calls,
                CallSettingsStore: self.call_settings, CallOrderStore: self.call_orders}


class Services:
    """The packages' services of a container, by name (a test world's `container` is the app's)."""

    container: bootstrap.Container

    def services(self, kind: type[S]) -> S:
        return self.container.services_of(kind)

    @property
    def catalogue(self) -> CatalogueService:
        return self.services(CatalogueService)

    @property
    def orders(self) -> OrderService:
        return self.services(OrderService)

    @property
    def dispatch(self) -> DispatchServices:
        return self.services(DispatchServices)

    @property
    def checkout(self) -> CheckoutServices:
        return self.services(CheckoutServices)

    @property
    def groupbuy(self) -> GroupBuyServices:
        return self.services(GroupBuyServices)


@dataclass
class FakeWorld(Services):
    """The container, its stores, and what the services sent out (pushes, alarm triggers, metrics)."""

    container: bootstrap.Container
    stores: FakeStores
    clock: FakeClock
    push: RecordingPushSender
    alarms: RecordingAlarmQueue
    metrics: RecordingMetrics
    sandbox: SandboxProvider

    def fire_queued(self) -> list[FireOutcome]:
        """Deliver every alarm trigger sent so far to the engine (what the SQS consumer does)."""
        return [self.container.engine.fire(message) for message in self.alarms.take()]


def fake_container(packages: Sequence[Contribution] | None = None, **env: str) -> FakeWorld:
    """The local stage (or the one `env` names) on in-memory stores, with a fake clock, recording
    push and alarm doubles and the sandbox payment provider (none outside the local stage); the
    platform's and every workflow package's contribution, or `packages`."""
    settings = Settings.from_env({"ONTIME_STAGE": "local", "AWS_DEFAULT_REGION": "us-east-1",
                                  "ONTIME_PAYMENT_WEBHOOK_SECRETS": WEBHOOK_SECRET,
                                  "ONTIME_PAGE_TOKEN_SECRETS": PAGE_TOKEN_SECRET, **env})
    stores = FakeStores(budgets=InMemoryRateLimiter(settings.ws_action_limit, settings.ws_action_window_s))
    clock, push, alarms, metrics = FakeClock(), RecordingPushSender(), RecordingAlarmQueue(), RecordingMetrics()
    sandbox = SandboxProvider(WEBHOOK_SECRET.encode(), SANDBOX_URL, f"{SANDBOX_URL}/payments/callback", clock)
    container = bootstrap.build(settings, clock=clock, metrics=metrics, push_sender=push, alarm_queue=alarms,
                                connections=stores.connections, verifier=DevTokenIssuer("a-fake-issuers-secret"),
                                payments=sandbox if settings.is_local else None, overrides=stores.by_port(),
                                packages=packages)
    return FakeWorld(container, stores, clock, push, alarms, metrics, sandbox)


def caller(role: str, sub: str = "", **claims: Any) -> Principal:
    """Who calls a service: `caller("merchant", merchant_id="m1")`, `caller("customer", "u1")`."""
    return Principal(sub=sub or f"{role}-1", role=Role(role), **claims)
