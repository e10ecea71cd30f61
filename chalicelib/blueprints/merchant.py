"""Routes of the merchant console."""

from __future__ import annotations

from typing import Any

from chalicelib.http.routing import Call, Routes
from chalicelib.http.schemas import ActionIn
from chalicelib.orders.views import order_list_view, order_view

routes = Routes(__name__)


@routes.route("/merchant/orders", methods=["GET"])
def list_orders(call: Call) -> dict[str, Any]:
    page = call.app.orders.merchant_orders(call.principal, call.query("status"), *call.page())
    return order_list_view(page, call.now)


@routes.route("/merchant/orders/{order_id}", methods=["GET"])
def fetch_order(call: Call, order_id: str) -> dict[str, Any]:
    return order_view(call.app.orders.fetch(call.principal, order_id), call.now)


@routes.route("/merchant/orders/{order_id}/actions", methods=["POST"])
def act_on_order(call: Call, order_id: str) -> dict[str, Any]:
    body = call.body(ActionIn)
    return order_view(call.app.orders.answer(call.principal, order_id, body), call.now)
