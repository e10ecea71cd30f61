"""What call orders add to the calls package's contribution (`wiring.py` includes these): their
table with its grants and access patterns, and their payment windows on the engine."""

from __future__ import annotations

from chalicelib.contribution import ALL_INDEXES, READ, WRITE, AccessPattern, Function, Grant, Table, WaitingKind

API, FIRE = Function.API, Function.FIRE_ALARMS


def order_tables() -> tuple[Table, ...]:
    from chalicelib.calls.order_tables import CallOrderModel

    return (
        # fire_alarms expires unpaid orders and pushes the outcome; the API does everything else
        Table(CallOrderModel, (Grant((API, FIRE), (*READ, *WRITE), ALL_INDEXES),
                               # a reconnected terminal's pending calls list their orders, settled
                               Grant((Function.WS_MESSAGE,), (*READ, *WRITE), ("by_call",))), (
            AccessPattern("call order by id (app, console, callback, alarm)", "`ontime-call_orders`", "`id = :id`",
                          "strongly consistent; writes conditioned on `version`"),
            AccessPattern("a call's orders (the call's view, its pending work)", "`call_orders.by_call`",
                          "`call_id = :c`", "a call has a few: one page"),
            AccessPattern("a merchant's call orders, newest first", "`call_orders.by_merchant`",
                          "`merchant_id = :m`, sort `created_at` desc"),
            AccessPattern("a customer's sent call orders, newest first", "`call_orders.by_customer`",
                          "`customer_id = :u`, sort `sent_at` desc", "sparse: only sent orders carry `sent_at`, "
                          "so a customer never lists a draft"),
        )),
    )


def order_waiting() -> tuple[WaitingKind, ...]:
    from chalicelib.calls.call_order import ORDER_KIND
    from chalicelib.calls.order_tables import CallOrderModel

    return (WaitingKind(ORDER_KIND, CallOrderModel, "call orders' payment windows (unpaid orders expired)"),)
