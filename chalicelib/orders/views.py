"""How an order looks on the wire (the same for the customer app and the merchant console)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from chalicelib.adapters.paging import Page
from chalicelib.catalog.model import Merchant, Product
from chalicelib.core.timefmt import iso, iso_or_none
from chalicelib.orders.model import Order


def order_view(order: Order, now_ms: int) -> dict[str, Any]:
    total = order.total
    return {
        "order_id": order.id,
        "status": order.status.value,
        "merchant_id": order.merchant_id,
        "customer_id": order.customer_id,
        "items": [
            {"product_id": line.product_id, "name": line.name, "unit_price": line.unit_price,
             "quantity": line.quantity, "amount": line.amount}
            for line in order.lines
        ],
        "total": {"amount": total.amount, "currency": total.currency},
        "delivery_address": {k: v for k, v in asdict(order.address).items() if v is not None},
        "note": order.note,
        "answer_deadline": iso(order.answer_deadline),
        "window_seconds": order.window_ms / 1000,
        "window_open": order.is_waiting and now_ms < order.answer_deadline,
        "server_time": iso(now_ms),
        "round": order.round,
        "created_at": iso(order.created_at),
        "updated_at": iso(order.updated_at),
        "connected_at": iso_or_none(order.connected_at),
        "answered_at": iso_or_none(order.answered_at),
        "reason": order.reason,
        "merchant_note": order.merchant_note,
        "history": [{"at": iso(h.at), "status": h.status.value, "cause": h.cause} for h in order.history],
    }


def order_list_view(page: Page[Order], now_ms: int) -> dict[str, Any]:
    """One page of orders, with the server's time for every countdown on it."""
    return {"items": [order_view(o, now_ms) for o in page.items], "next_token": page.next_token,
            "server_time": iso(now_ms)}


def merchant_view(merchant: Merchant, default_window_s: int) -> dict[str, Any]:
    return {
        "merchant_id": merchant.id,
        "name": merchant.name,
        "time_zone": merchant.time_zone,
        "business_hours": merchant.business_hours,
        "paused": merchant.paused,
        "verified": merchant.verified,
        "answer_window_s": merchant.answer_window_s or default_window_s,
        "currency": merchant.currency,
    }


def product_view(product: Product) -> dict[str, Any]:
    return {
        "product_id": product.id,
        "merchant_id": product.merchant_id,
        "name": product.name,
        "price": product.price,
        "stock": product.stock,
        "on_sale": product.on_sale,
        "max_per_order": product.max_per_order,
    }
