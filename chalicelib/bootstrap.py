"""The composition root: everything is built here, once per Lambda container, at first use.

Importing this module builds nothing and reads no environment; `container()` does, on the first
request or event. Tests call `install(...)` with fakes (clock, push sender, alarm queue).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.catalog_store import CatalogStore
from chalicelib.adapters.connections import DynamoConnectionRegistry
from chalicelib.adapters.coupon_store import CouponStore
from chalicelib.adapters.idempotency_store import DynamoIdempotencyStore
from chalicelib.adapters.installation_store import InstallationStore
from chalicelib.adapters.installer_store import InstallerStore
from chalicelib.adapters.models import configure_models
from chalicelib.adapters.order_store import OrderStore
from chalicelib.adapters.photo_store import S3PhotoStore
from chalicelib.adapters.purchase_store import PurchaseStore
from chalicelib.adapters.supplier_order_store import SupplierOrderStore
from chalicelib.adapters.supplier_store import AddressStore, SupplierStore
from chalicelib.auth.tokens import DevTokenIssuer, JwksVerifier, TokenVerifier
from chalicelib.catalog.service import CatalogService
from chalicelib.checkout.addresses import AddressBook
from chalicelib.checkout.catalogue import SupplierCatalogue
from chalicelib.checkout.coupons import Coupons
from chalicelib.checkout.payments import PaymentProvider
from chalicelib.checkout.service import PURCHASE_KIND, CheckoutService, purchase_workflow
from chalicelib.checkout.supplier_orders import SUPPLIER_ORDER_KIND, SupplierOrderService, supplier_order_workflow
from chalicelib.core.clock import Clock, SystemClock
from chalicelib.core.observability import EmfMetrics, MetricsSink, configure_logging
from chalicelib.dispatch.photos import PhotoStore
from chalicelib.dispatch.service import INSTALLATION_KIND, InstallationService, installation_workflow
from chalicelib.dispatch.workforce import Workforce
from chalicelib.idempotency import Idempotency
from chalicelib.orders.service import ORDER_KIND, OrderService, order_workflow
from chalicelib.push.notifier import Notifier
from chalicelib.push.party import Party
from chalicelib.push.ports import ConnectionRegistry, PushSender
from chalicelib.push.recent_terminals import RecentTerminals
from chalicelib.push.terminal import PendingList
from chalicelib.settings import Settings, settings
from chalicelib.waitstate.engine import WaitStateEngine
from chalicelib.waitstate.model import AlarmQueue


@dataclass
class Container:
    settings: Settings
    clock: Clock
    metrics: MetricsSink
    engine: WaitStateEngine
    notifier: Notifier
    connections: ConnectionRegistry
    verifier: TokenVerifier
    dev_issuer: DevTokenIssuer | None
    idempotency: Idempotency
    catalog: CatalogService
    orders: OrderService
    workforce: Workforce
    installations: InstallationService
    suppliers: SupplierCatalogue
    addresses: AddressBook
    coupons: Coupons
    checkout: CheckoutService
    supplier_orders: SupplierOrderService

    def pending_work(self, of: Party, now: int) -> PendingList:
        """What a (re)connected terminal must still act on, whichever workflow it belongs to."""
        if of.role == "installer":
            return PendingList("dispatches.listed", self.installations.pending_views(of, now))
        if of.role == "supplier":
            return PendingList("supplier_orders.listed", self.supplier_orders.pending_views(of, now))
        return PendingList("orders.listed", self.orders.pending_views(of, now))


_lock = threading.Lock()
_container: Container | None = None


def build(config: Settings, *, clock: Clock | None = None, metrics: MetricsSink | None = None,
          push_sender: PushSender | None = None, alarm_queue: AlarmQueue | None = None,
          verifier: TokenVerifier | None = None, photos: PhotoStore | None = None,
          payments: PaymentProvider | None = None) -> Container:
    configure_logging()
    configure_models(config)
    clock = clock or SystemClock()
    metrics = metrics or EmfMetrics()
    push_sender = push_sender or _api_gateway_sender(config)
    alarm_queue = alarm_queue or _sqs_alarm_queue(config)
    dev_issuer = DevTokenIssuer(config.dev_signing_secret, config.jwt_issuer) if (
        config.is_local and config.dev_signing_secret) else None
    verifier = verifier or dev_issuer or _jwks_verifier(config)
    engine = WaitStateEngine(alarm_queue, clock, metrics, due_shards=config.due_shards,
                             sweep_interval_s=config.sweep_interval_s, overdue_grace_s=config.overdue_grace_s)
    connections = RecentTerminals(DynamoConnectionRegistry(), clock)
    notifier = Notifier(connections, push_sender)
    catalog = CatalogService(CatalogStore(), clock, config)
    orders = OrderService(engine, OrderStore(config.due_shards), catalog, notifier, clock, metrics)
    engine.register(order_workflow(orders))
    workforce = Workforce(InstallerStore(), clock, config)
    installations = InstallationService(
        engine, InstallationStore(config.due_shards), workforce, photos or _s3_photo_store(config), notifier, clock,
        metrics, retry_s=config.installer_retry_s, photo_max_bytes=config.photo_max_bytes)
    engine.register(installation_workflow(installations))
    suppliers = SupplierCatalogue(SupplierStore(), clock)
    addresses = AddressBook(AddressStore(), clock)
    supplier_order_store = SupplierOrderStore(config.due_shards)
    coupons = Coupons(CouponStore(), clock)
    checkout = CheckoutService(
        engine, PurchaseStore(config.due_shards, supplier_order_store), supplier_order_store, suppliers, addresses,
        coupons, payments or _payment_provider(config, clock), notifier, clock, metrics,
        window_s=config.payment_window_s, webhook_secrets=config.payment_webhook_secrets,
        redeem_base_url=config.redeem_base_url)
    engine.register(purchase_workflow(checkout))
    supplier_orders = SupplierOrderService(engine, supplier_order_store, notifier, metrics)
    engine.register(supplier_order_workflow(supplier_orders))
    return Container(config, clock, metrics, engine, notifier, connections, verifier, dev_issuer,
                     Idempotency(DynamoIdempotencyStore(), clock), catalog, orders, workforce, installations,
                     suppliers, addresses, coupons, checkout, supplier_orders)


def container() -> Container:
    global _container
    if _container is None:
        with _lock:
            if _container is None:
                _container = build(settings())
    return _container


def install(built: Container | None) -> None:
    """Replace (or, with None, forget) the container: for tests and the local stack."""
    global _container
    _container = built


def _api_gateway_sender(config: Settings) -> PushSender:
    import boto3

    from chalicelib.adapters.push_api import ApiGatewayPushSender

    client: Any = boto3.client("apigatewaymanagementapi", region_name=config.region,
                               endpoint_url=config.ws_management_endpoint)
    return ApiGatewayPushSender(client)


def _sqs_alarm_queue(config: Settings) -> AlarmQueue:
    import boto3

    from chalicelib.adapters.alarm_queue import SqsAlarmQueue

    if not config.alarm_queue_url:
        raise RuntimeError("ONTIME_ALARM_QUEUE_URL is not set")
    return SqsAlarmQueue(boto3.client("sqs", region_name=config.region), config.alarm_queue_url)


def _s3_photo_store(config: Settings) -> PhotoStore:
    def client() -> Any:
        import boto3
        from botocore.config import Config

        # SigV4 and a regional endpoint, so presigned POSTs work from a phone; path-style
        # addressing for a local endpoint such as http://127.0.0.1:5000.
        style = "path" if config.s3_endpoint_url else "auto"
        return boto3.client("s3", region_name=config.region, endpoint_url=config.s3_endpoint_url,
                            config=Config(signature_version="s3v4", s3={"addressing_style": style}))

    return S3PhotoStore(client, config.photo_bucket)


def _jwks_verifier(config: Settings) -> TokenVerifier:
    if not config.jwks_url or not config.jwt_issuer:
        raise RuntimeError("ONTIME_JWKS_URL and ONTIME_JWT_ISSUER must be set outside the local stage")
    return JwksVerifier(config.jwks_url, config.jwt_issuer, config.jwt_audience)


def _payment_provider(config: Settings, clock: Clock) -> PaymentProvider:
    """The stage's payment provider: the sandbox (local), or none (checkouts answer 503)."""
    if config.payment_provider == "none":
        from chalicelib.checkout.payments import NoPaymentProvider

        return NoPaymentProvider()
    if config.payment_provider == "sandbox":
        from chalicelib.adapters.sandbox_payments import SandboxProvider

        if not config.payment_webhook_secrets or not config.payment_webhook_secrets[0]:
            raise RuntimeError("the sandbox payment provider needs ONTIME_PAYMENT_WEBHOOK_SECRETS to sign callbacks")
        base = config.sandbox_base_url or "http://127.0.0.1:8000"
        callback = config.payment_callback_url or base.rstrip("/") + "/payments/callback"
        return SandboxProvider(config.payment_webhook_secrets[0].encode(), base, callback, clock)
    raise RuntimeError(f"unknown payment provider {config.payment_provider!r} (ONTIME_PAYMENT_PROVIDER: "
                       "sandbox or none)")


__all__ = ["INSTALLATION_KIND", "ORDER_KIND", "PURCHASE_KIND", "SUPPLIER_ORDER_KIND", "Container", "build",
           "container", "install"]
