"""What timed orders (workflow 01) contribute: the order service on the engine, the customer's
and the merchant console's routes, the orders table, a merchant terminal's pending orders, and
the window-outcome graph. They read the merchants' menus through `menus` (the catalogue's)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from chalicelib.contribution import (
    ALL_INDEXES,
    READ,
    WRITE,
    AccessPattern,
    Contribution,
    Function,
    Grant,
    Platform,
    Table,
    WaitingKind,
    Widget,
    Wired,
)

if TYPE_CHECKING:
    from chalicelib.http.routing import Routes
    from chalicelib.orders.service import OrderService
    from chalicelib.push.messages import Message


def build(platform: Platform) -> Wired[OrderService]:
    from chalicelib.orders.ports import Menus, OrderStore
    from chalicelib.orders.service import OrderService, order_workflow
    from chalicelib.orders.store import DynamoOrderStore

    store = platform.port(OrderStore, lambda: DynamoOrderStore(platform.settings.due_shards))
    menus = cast(Menus[Any], platform.need("menus"))
    service = OrderService(platform.engine, store, menus, platform.notifier, platform.clock, platform.metrics)
    return Wired(service, workflows=(order_workflow(service),), pending_work={"merchant": service.pending_work})


def routes() -> tuple[Routes[Any], ...]:
    from chalicelib.orders import routes_customer, routes_merchant

    return routes_customer.routes, routes_merchant.routes


def messages() -> tuple[Message, ...]:
    from chalicelib.orders.messages import MESSAGES

    return MESSAGES


def tables() -> tuple[Table, ...]:
    from chalicelib.orders.tables import OrderModel

    return (Table(OrderModel, (
        Grant((Function.API,), (*READ, *WRITE), ALL_INDEXES),
        Grant((Function.WS_MESSAGE,), ("dynamodb:Query",), ("merchant_pending",)),
    ), (
        AccessPattern("order by id (every action, every alarm)", "`ontime-orders`", "`id = :id`",
                      "strongly consistent read; every write is conditioned on `version`"),
        AccessPattern("a merchant's orders awaiting an answer, soonest deadline first", "`orders.merchant_pending`",
                      "`pending_merchant_id = :m`", "sparse: the attribute exists only while `new`/`connected`"),
        AccessPattern("a merchant's orders, newest first, optionally one status", "`orders.by_merchant`",
                      "`merchant_id = :m`, sort `created_at` desc", "status as a filter"),
        AccessPattern("a customer's orders, newest first", "`orders.by_customer`",
                      "`customer_id = :u`, sort `created_at` desc"),
    )),)


def waiting() -> tuple[WaitingKind, ...]:
    from chalicelib.orders.tables import ORDER_KIND, OrderModel

    return (WaitingKind(ORDER_KIND, OrderModel, "order alarms (merchant answer windows)"),)


ORDERS = Contribution(
    name="orders",
    summary="timed orders (workflow 01): a merchant answers inside a countdown shared by everyone",
    build=build,
    load_routes=routes,
    load_messages=messages,
    load_tables=tables,
    load_waiting=waiting,
    pending_roles=("merchant",),
    widgets=(Widget("Window outcomes (count per 5 min, by outcome)", (
        ({"expression": "SEARCH('{ontime,outcome} MetricName=\"WindowOutcome\"', 'Sum', 300)", "id": "outcomes",
          "label": "${PROP('Dim.outcome')}"},),), stacked=True),),
    data_notes="writes per order (happy path, one merchant and one customer terminal): place = 1 conditional "
               "put + 1 SQS send; fetch, accept = 1 conditional put each; each transition pushes to both parties "
               "(1 query each). Adjudication by alarm = 1 read + 1 conditional put.",
)
