"""What split orders (workflow 03) contribute: the checkout (purchases on the engine, paid once
through the platform's payment port, fanned out to supplier orders), the supplier catalogue,
coupons and saved addresses; the customer's, the supplier consoles' and the console's routes; six
tables; the supplier consoles' pending orders; the payment settlement of `pur_…` references; the
refund and mismatch alarms and the purchase graphs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.contribution import (
    ALL_INDEXES,
    READ,
    SCAN,
    WRITE,
    AccessPattern,
    Contribution,
    Function,
    Grant,
    MetricAlarm,
    Platform,
    Table,
    WaitingKind,
    Widget,
    Wired,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from chalicelib.checkout.service import CheckoutServices
    from chalicelib.contribution import SeedClient
    from chalicelib.http.routing import Routes
    from chalicelib.push.messages import Message
    from chalicelib.settings import Settings

API, FIRE = Function.API, Function.FIRE_ALARMS


def build(platform: Platform) -> Wired[CheckoutServices]:
    from chalicelib.checkout.address_store import DynamoAddressStore
    from chalicelib.checkout.addresses import AddressBook
    from chalicelib.checkout.coupon_store import DynamoCouponStore
    from chalicelib.checkout.coupons import Coupons
    from chalicelib.checkout.ports import AddressStore, CouponStore, PurchaseStore, SupplierOrderStore, SupplierStore
    from chalicelib.checkout.purchase_store import DynamoPurchaseStore
    from chalicelib.checkout.service import CheckoutService, CheckoutServices, purchase_workflow
    from chalicelib.checkout.settings import CheckoutSettings
    from chalicelib.checkout.supplier_catalogue import SupplierCatalogue
    from chalicelib.checkout.supplier_order_store import DynamoSupplierOrderStore
    from chalicelib.checkout.supplier_orders import SupplierOrderService, supplier_order_workflow
    from chalicelib.checkout.supplier_store import DynamoSupplierStore

    shards, clock = platform.settings.due_shards, platform.clock
    settings = CheckoutSettings.of(platform.settings)
    suppliers = SupplierCatalogue(platform.port(SupplierStore, DynamoSupplierStore), clock)
    addresses = AddressBook(platform.port(AddressStore, DynamoAddressStore), clock)
    coupons = Coupons(platform.port(CouponStore, DynamoCouponStore), clock)
    orders = platform.port(SupplierOrderStore, lambda: DynamoSupplierOrderStore(shards))
    checkout = CheckoutService(
        platform.engine, platform.port(PurchaseStore, lambda: DynamoPurchaseStore(shards)), orders, suppliers,
        addresses, coupons, platform.payments, platform.notifier, clock, platform.metrics,
        window_s=settings.payment_window_s, redeem_base_url=settings.redeem_base_url)
    supplier_orders = SupplierOrderService(platform.engine, orders, platform.notifier, platform.metrics)
    return Wired(CheckoutServices(checkout, supplier_orders, suppliers, addresses, coupons),
                 workflows=(purchase_workflow(checkout), supplier_order_workflow(supplier_orders)),
                 pending_work={"supplier": supplier_orders.pending_work}, payees={"pur": checkout})


def routes() -> tuple[Routes[Any], ...]:
    from chalicelib.checkout import routes_catalogue, routes_customer, routes_ops, routes_supplier

    return routes_customer.routes, routes_supplier.routes, routes_catalogue.routes, routes_ops.routes


def messages() -> tuple[Message, ...]:
    from chalicelib.checkout.messages import MESSAGES

    return MESSAGES


def tables() -> tuple[Table, ...]:
    from chalicelib.checkout.tables import (
        AddressModel,
        CouponModel,
        PurchaseModel,
        SupplierModel,
        SupplierOrderModel,
        SupplierProductModel,
    )

    return (
        Table(SupplierModel, (Grant((API,), (*READ, *WRITE, *SCAN)),), (
            AccessPattern("supplier profile (checkout, form)", "`ontime-suppliers`", "`BatchGetItem supplier_id`",
                          "ops list: `Scan`"),)),
        Table(SupplierProductModel, (
            Grant((API,), (*READ, *WRITE)),
            Grant((FIRE,), ("dynamodb:UpdateItem",)),  # an elapsed payment window gives the stock back
        ), (
            AccessPattern("a supplier's products / products of a checkout", "`ontime-supplier_products`",
                          "`Query supplier_id = :s` / `BatchGetItem (supplier_id, product_id)` (consistent)",
                          "`stock` moves only by conditional adds"),)),
        Table(CouponModel, (Grant((API,), (*READ, *WRITE, *SCAN)),), (
            AccessPattern("coupon by code (checkout)", "`ontime-coupons`", "`code = :c`", "ops list: `Scan`"),)),
        Table(AddressModel, (Grant((API,), (*READ, *WRITE)),), (
            AccessPattern("a customer's saved addresses", "`ontime-addresses`", "`Query customer_id = :u` (≤ 20)",
                          "changing the default is one transaction over them"),)),
        Table(PurchaseModel, (Grant((API,), (*READ, *WRITE, *SCAN), ALL_INDEXES),), (
            AccessPattern("purchase by id (every callback, action, alarm)", "`ontime-purchases`", "`id = :id`",
                          "strongly consistent; writes conditioned on `version`"),
            AccessPattern("a customer's purchases, newest first", "`purchases.by_customer`", "`customer_id = :u`"),
            AccessPattern("refunds due (ops)", "`ontime-purchases`", "`Scan` with `attribute_exists(refund)`",
                          "a console, not a hot path"),
        )),
        Table(SupplierOrderModel, (
            Grant((API,), (*READ, *WRITE), ALL_INDEXES),
            Grant((Function.WS_MESSAGE,), ("dynamodb:Query",), ("by_supplier",)),
        ), (
            AccessPattern("supplier order / record by id", "`ontime-supplier_orders`", "`id = :id` (`pur_…-n`)",
                          "a purchase's records: `BatchGetItem` of its known ids"),
            AccessPattern("a supplier's orders, newest first, optionally one status", "`supplier_orders.by_supplier`",
                          "`supplier_id = :s`", "status as a filter"),
            AccessPattern("a customer's records (\"my purchases\")", "`supplier_orders.by_customer`",
                          "`customer_id = :u`"),
        )),
    )


def waiting() -> tuple[WaitingKind, ...]:
    from chalicelib.checkout.tables import PURCHASE_KIND, PurchaseModel

    return (WaitingKind(PURCHASE_KIND, PurchaseModel,
                         "payment-window alarms (unpaid split orders cancelled, stock released)"),)


def settings(config: Settings) -> object:
    from chalicelib.checkout.settings import CheckoutSettings

    return CheckoutSettings.of(config)


def seed(client: SeedClient) -> Iterable[str]:
    from chalicelib.checkout.seed import seed as demo_data

    return demo_data(client)


CHECKOUT = Contribution(
    name="checkout",
    summary="split orders (workflow 03): one cart, N suppliers, paid once, fanned out, tracked to the door",
    build=build,
    load_routes=routes,
    load_messages=messages,
    settings=settings,
    load_tables=tables,
    load_waiting=waiting,
    pending_roles=("supplier",),
    alarms=(
        MetricAlarm("RefundDueAlarm", "ontime-refund-due",
                    "A payment arrived for a split order that had already been cancelled (payment window elapsed): "
                    "the money must be refunded. GET /ops/refunds lists them.", "RefundDue"),
        MetricAlarm("PaymentMismatchAlarm", "ontime-payment-mismatch",
                    "A signed payment callback named another amount or currency than its order; it was refused "
                    "(422). Check the provider account and the order (GET /ops/purchases/{id}).", "PaymentMismatch"),
    ),
    widgets=(
        Widget("Split orders: purchase outcomes (count per 5 min)", (
            ({"expression": "SEARCH('{ontime,outcome} MetricName=\"PurchaseOutcome\"', 'Sum', 300)",
              "id": "purchases", "label": "${PROP('Dim.outcome')}"},),), stacked=True),
        Widget("Split orders: created, refunds due, mismatches, parcels (count per 5 min)", (
            ("ontime", "PurchaseCreated", {"stat": "Sum"}),
            ("ontime", "RefundDue", {"stat": "Sum"}),
            ("ontime", "PaymentMismatch", {"stat": "Sum"}),
            ({"expression": "SEARCH('{ontime,outcome} MetricName=\"ParcelOutcome\"', 'Sum', 300)",
              "id": "parcels", "label": "parcels ${PROP('Dim.outcome')}"},),
        )),
    ),
    seed=seed,
    data_notes="creating a purchase = 2 batch reads (suppliers, products) + 1 transaction (purchase + one "
               "conditional stock decrement per product) + 1 SQS send (the payment deadline). Paying = 1 read + 1 "
               "transaction (purchase + N supplier orders) and N + N + 1 pushes (suppliers, records, status). "
               "Cancelling = 1 read + 1 transaction (purchase + one stock increment per product). A position = 1 "
               "read + 1 conditional put + 2 pushes.",
)
