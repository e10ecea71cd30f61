"""What video-call orders (workflow 05) contribute: calls on the engine (the ring deadline, then
presence checks), the signalling relay as the terminals' `call.signal` action, ICE settings, the
customer's details synced into the merchant's form, and the orders drafted in a call and paid
through the platform's payment port (`cor_…` references); the customer's and the merchant's
routes, the tables, alarms and graphs."""

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
    from chalicelib.calls.services import CallServices
    from chalicelib.http.routing import Routes
    from chalicelib.push.messages import Action, Message
    from chalicelib.settings import Settings

API, FIRE, WS = Function.API, Function.FIRE_ALARMS, Function.WS_MESSAGE
SIGNAL_ACTION = "call.signal"


def build(platform: Platform) -> Wired[CallServices]:
    from chalicelib.calls.call_orders import build_orders, order_workflow
    from chalicelib.calls.call_store import DynamoCallSettingsStore, DynamoCallStore
    from chalicelib.calls.calls import CallService, call_workflow
    from chalicelib.calls.ports import CallSettingsStore, CallStore, Merchants
    from chalicelib.calls.relay import SignalRelay
    from chalicelib.calls.services import CallServices
    from chalicelib.calls.settings import CallSettings
    from chalicelib.calls.terminals import CallTerminals

    settings = CallSettings.of(platform.settings)
    shards = platform.settings.due_shards
    store = platform.port(CallStore, lambda: DynamoCallStore(shards))
    terminals = CallTerminals(store, platform.clock)
    calls = CallService(
        platform.engine, store, platform.port(CallSettingsStore, DynamoCallSettingsStore),
        cast(Merchants, platform.need("menus")), platform.connections, platform.notifier, platform.clock,
        platform.metrics, settings, terminals)
    orders = build_orders(platform, calls)
    calls.orders = orders
    relay = SignalRelay(terminals, platform.notifier)
    return Wired(CallServices(calls, orders), workflows=(call_workflow(calls), order_workflow(orders)),
                 pending_work={"merchant": calls.pending_work, "customer": calls.pending_work},
                 payees={"cor": orders}, actions={SIGNAL_ACTION: relay.relay})


def routes() -> tuple[Routes[Any], ...]:
    from chalicelib.calls import routes_customer, routes_customer_orders, routes_merchant, routes_merchant_orders

    # In the order a call goes: orders drafted and sent, then the customer's steps, hanging up last.
    return routes_merchant_orders.routes, routes_customer_orders.routes, routes_customer.routes, routes_merchant.routes


def messages() -> tuple[Message, ...]:
    from chalicelib.calls.messages import MESSAGES
    from chalicelib.calls.order_messages import ORDER_MESSAGES

    return (*MESSAGES, *ORDER_MESSAGES)


def actions() -> tuple[Action, ...]:
    from chalicelib.calls.messages import ACTIONS

    return ACTIONS


def settings(config: Settings) -> object:
    from chalicelib.calls.settings import CallSettings

    return CallSettings.of(config)


def waiting() -> tuple[WaitingKind, ...]:
    from chalicelib.calls.order_wiring import order_waiting
    from chalicelib.calls.tables import CALL_KIND, CallModel

    return (WaitingKind(CALL_KIND, CallModel, "video calls' ring deadlines and presence checks"), *order_waiting())


def tables() -> tuple[Table, ...]:
    from chalicelib.calls.order_wiring import order_tables
    from chalicelib.calls.tables import CallModel, CallSettingsModel

    return (
        Table(CallModel, (Grant((API, FIRE), (*READ, *WRITE), ALL_INDEXES),
                          # the relay reads the call; a reconnected terminal lists its party's live calls
                          Grant((WS,), ("dynamodb:GetItem", "dynamodb:Query"),
                                ("live_by_merchant", "live_by_customer"))), (
            AccessPattern("call by id (answer, details, alarm, each relayed signal)", "`ontime-calls`", "`id = :id`",
                          "strongly consistent; every write conditioned on `version`; a signal is 1 read"),
            AccessPattern("a merchant's live calls (a reconnected console)", "`calls.live_by_merchant`",
                          "`live_merchant_id = :m`", "sparse: ringing and connected calls only"),
            AccessPattern("a customer's live calls (a reconnected app)", "`calls.live_by_customer`",
                          "`live_customer_id = :u`", "sparse: ringing and connected calls only"),
        )),
        Table(CallSettingsModel, (Grant((API,), (*READ, *WRITE)),), (
            AccessPattern("a merchant's ring deadline", "`ontime-call_settings`", "`merchant_id = :m`",
                          "no item: 30 s"),
        )),
        *order_tables(),
    )


CALLS = Contribution(
    name="calls",
    summary="video-call orders (workflow 05): ringing with a deadline, WebRTC signalling, details typed live, "
            "orders drafted in the call and paid",
    build=build,
    load_routes=routes,
    load_messages=messages,
    load_actions=actions,
    settings=settings,
    load_tables=tables,
    load_waiting=waiting,
    actions=(SIGNAL_ACTION,),
    pending_roles=("merchant", "customer"),
    widgets=(
        Widget("Calls: placed and outcomes (count per 5 min)", (
            ("ontime", "CallPlaced", {"stat": "Sum"}),
            ({"expression": "SEARCH('{ontime,outcome} MetricName=\"CallOutcome\"', 'Sum', 300)",
              "id": "outcomes", "label": "calls ${PROP('Dim.outcome')}"},),
        ), stacked=True),
    ),
    data_notes="placing a call = 1 read of the merchant's terminals + 1 of its ring deadline + 1 put; each relayed "
               "signal = 1 post (the call's two terminals read once per burst and container, the connection's "
               "budget counted in memory and written every 10 actions); a presence check = the alarm's write + 2 "
               "connection reads.",
)
