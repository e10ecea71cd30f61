"""What the platform itself contributes, declared like a workflow package: the connections,
idempotency, WebSocket budget and payment mismatch tables, the health route, the API's own document,
the payment provider's callback and the payment mismatches ops list. (Its queue, topic, alarms and
dashboard rows are the generator's own: `infra/generate.py`.)"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.contribution import AccessPattern, Contribution, Function, Grant, Platform, Table, Wired

if TYPE_CHECKING:
    from chalicelib.http.routing import Routes
    from chalicelib.push.messages import Message

PUSHING = (Function.API, Function.FIRE_ALARMS, Function.WS_MESSAGE)
"""The functions that push to terminals: they find a party's connections and forget gone ones."""


def _nothing_to_build(platform: Platform) -> Wired[None]:
    return Wired(None)  # the platform's services are built by bootstrap itself


def _routes() -> tuple[Routes[Any], ...]:
    from chalicelib.http import docs, health
    from chalicelib.payments import routes as payment_routes
    from chalicelib.payments import routes_ops as payment_ops_routes

    return health.routes, docs.routes, payment_routes.routes, payment_ops_routes.routes


def _messages() -> tuple[Message, ...]:
    from chalicelib.push.messages import PLATFORM_MESSAGES

    return PLATFORM_MESSAGES


def _tables() -> tuple[Table, ...]:
    from chalicelib.payments.mismatch_store import PaymentMismatchModel
    from chalicelib.persistence.budgets import BudgetModel
    from chalicelib.persistence.connections import ConnectionModel
    from chalicelib.persistence.idempotency import IdempotencyModel

    return (
        Table(ConnectionModel, (
            Grant(PUSHING, ("dynamodb:Query", "dynamodb:DeleteItem"), ("by_party",)),
            # Who a connection is: the socket's own messages, and a REST call or an alarm that names
            # a terminal (a call bound to the connection that answered it).
            Grant(PUSHING, ("dynamodb:GetItem",)),
            Grant((Function.WS_CONNECT,), ("dynamodb:PutItem",)),
            Grant((Function.WS_DISCONNECT,), ("dynamodb:DeleteItem",)),
        ), (
            AccessPattern("all terminals of a party (push)", "`connections.by_party`",
                          "`party = :p` (`merchant#m_1`, `customer#u_1`, `ops#all`)",
                          "TTL 2 h (API Gateway's connection limit)"),
            AccessPattern("connection by id (`$disconnect`, 410 Gone, its owner)", "`ontime-connections`",
                          "`connection_id = :c`"),
        )),
        Table(BudgetModel, (
            Grant((Function.WS_MESSAGE,), ("dynamodb:UpdateItem",)),
        ), (
            AccessPattern("a connection's package actions in this window", "`ontime-ws_budgets`",
                          "`key = :connection#:window_start_s`",
                          "one conditional `ADD spent` per action (refused at the limit); TTL a minute after the "
                          "window"),
        )),
        Table(IdempotencyModel, (
            Grant((Function.API,), ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem")),
        ), (
            AccessPattern("idempotency record", "`ontime-idempotency`", "`key = :caller:route:key`",
                          "one conditional put claims it; TTL 24 h"),
        )),
        # The callback records a refused payment (one UpdateItem); the console lists them.
        Table(PaymentMismatchModel, (
            Grant((Function.API,), ("dynamodb:UpdateItem", "dynamodb:Scan")),
        ), (
            AccessPattern("a refused payment, by provider payment (callback)", "`ontime-payment_mismatches`",
                          "`payment_id = :p`", "a retry adds to `deliveries`: one item per payment"),
            AccessPattern("payment mismatches (ops)", "`ontime-payment_mismatches`", "`Scan` (paginated)",
                          "the table holds only mismatches, which are rare (alarmed): a console, not a hot path"),
        )),
    )


PLATFORM = Contribution(
    name="platform",
    summary="the wait-state engine, push, auth, HTTP and payments every workflow shares",
    build=_nothing_to_build,
    load_routes=_routes,
    load_messages=_messages,
    load_tables=_tables,
)
