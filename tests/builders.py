"""Small builders of domain objects for tests: an order, a merchant, a product, a principal."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalicelib.auth.principal import Principal, Role
from chalicelib.catalogue.model import Merchant, Product
from chalicelib.core.address import Address
from chalicelib.orders.model import (
    Answer,
    Cancel,
    Deadline,
    Fetch,
    HistoryEntry,
    MerchantAction,
    Order,
    OrderEvent,
    OrderLine,
    RejectReason,
    Resubmit,
    Status,
)

T0 = 1_795_000_000_000
"""The FakeClock's default start: Wednesday 2026-11-18 11:06:40 UTC (19:06:40 in Asia/Shanghai)."""

WINDOW_MS = 120_000


def cny(amount: int) -> dict[str, Any]:
    """An amount of yuan (in fen) as the API takes and answers money."""
    return {"amount": amount, "currency": "CNY"}


def an_order(*, id: str = "ord_1", now: int = T0, window_ms: int = WINDOW_MS, **changes: Any) -> Order:
    order = Order(
        id=id, customer_id="u1", merchant_id="m1", status=Status.NEW,
        lines=(OrderLine("p1", "Beef noodles", 2800, 2),), currency="CNY",
        address=Address(line1="1 Road", city="Shanghai"), note=None,
        created_at=now, updated_at=now, window_ms=window_ms, window_started_at=now,
        answer_deadline=now + window_ms, history=(HistoryEntry(now, Status.NEW, "place"),),
    )
    return replace(order, **changes)


def a_resubmit(window_ms: int = WINDOW_MS, quantity: int = 1) -> Resubmit:
    return Resubmit(lines=(OrderLine("p1", "Beef noodles", 2800, quantity),),
                    address=Address(line1="2 Road", city="Shanghai"), note="one is enough", window_ms=window_ms)


def a_merchant(**changes: Any) -> Merchant:
    return replace(Merchant(id="m1", name="Noodles", time_zone="Asia/Shanghai"), **changes)


def a_product(**changes: Any) -> Product:
    return replace(Product(merchant_id="m1", id="p1", name="Beef noodles", price=2800, stock=10), **changes)


def a_principal(role: str = "customer", sub: str = "u1", **changes: Any) -> Principal:
    return replace(Principal(sub=sub, role=Role(role)), **changes)


def event_named(name: str, order: Order) -> OrderEvent:
    """The decider's event for a transition name of `ORDER_TABLE` (with the reason/note it needs)."""
    events: dict[str, OrderEvent] = {
        "fetch": Fetch(),
        "accept": Answer(MerchantAction.ACCEPT),
        "reject": Answer(MerchantAction.REJECT, RejectReason.BUSY.value),
        "return": Answer(MerchantAction.RETURN, reason="no beef today"),
        "dispatch": Answer(MerchantAction.DISPATCH),
        "complete": Answer(MerchantAction.COMPLETE),
        "cancel": Cancel(),
        "resubmit": a_resubmit(),
        "deadline": Deadline(order.answer_deadline),
    }
    return events[name]
