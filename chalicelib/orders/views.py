"""How an order looks on the wire (the same for the customer app and the merchant console)."""

from __future__ import annotations

from typing import Any

from chalicelib.core.money import money_of
from chalicelib.core.timefmt import iso, iso_or_none
from chalicelib.http.lists import list_body
from chalicelib.orders.model import Order
from chalicelib.persistence.paging import Page


def order_view(order: Order, now_ms: int) -> dict[str, Any]:
    total = order.total
    return {
        "order_id": order.id,
        "status": order.status.value,
        "merchant_id": order.merchant_id,
        "customer_id": order.customer_id,
        "items": [
            {"product_id": line.product_id, "name": line.name, "unit_price": money_of(line.unit_price, order.currency),
             "quantity": line.quantity, "amount": money_of(line.amount, order.currency)}
            for line in order.lines
        ],
        "total": total.as_map(),
        "delivery_address": order.address.as_map(),
        "note": order.note,
        "answer_deadline": iso(order.answer_deadline),
        "answer_window_s": order.window_ms // 1000,
        "window_open": order.is_waiting and now_ms < order.answer_deadline,
        "server_time": iso(now_ms),
        "round": order.round,
        "created_at": iso(order.created_at),
        "updated_at": iso(order.updated_at),
        "connected_at": iso_or_none(order.connected_at),
        "answered_at": iso_or_none(order.answered_at),
        "reason": order.reason,
        "history": [{"at": iso(h.at), "status": h.status.value, "cause": h.cause} for h in order.history],
    }


def order_list_view(page: Page[Order], now_ms: int) -> dict[str, Any]:
    """One page of orders, with the server's time for every countdown on it."""
    return list_body(page, lambda order: order_view(order, now_ms), now_ms)
