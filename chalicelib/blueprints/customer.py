"""Routes of the customer app (and `GET /orders/{id}`, which every party of the order may read)."""

from __future__ import annotations

from typing import Any

from chalice.app import Response

from chalicelib.http.routing import Call, Routes
from chalicelib.http.schemas import PlaceOrderIn, ResubmitIn
from chalicelib.orders.views import order_list_view, order_view

routes = Routes(__name__)


@routes.route("/orders", methods=["POST"], status=201)
def place_order(call: Call) -> Response:
    return call.created_once(PlaceOrderIn, lambda body: order_view(call.app.orders.place(call.principal, body),
                                                                   call.now))


@routes.route("/orders", methods=["GET"])
def my_orders(call: Call) -> dict[str, Any]:
    return order_list_view(call.app.orders.customer_orders(call.principal, *call.page()), call.now)


@routes.route("/orders/{order_id}", methods=["GET"])
def get_order(call: Call, order_id: str) -> dict[str, Any]:
    return order_view(call.app.orders.get(call.principal, order_id), call.now)


@routes.route("/orders/{order_id}/cancel", methods=["POST"])
def cancel_order(call: Call, order_id: str) -> dict[str, Any]:
    return order_view(call.app.orders.cancel(call.principal, order_id), call.now)


@routes.route("/orders/{order_id}/resubmit", methods=["POST"])
def resubmit_order(call: Call, order_id: str) -> dict[str, Any]:
    body = call.body(ResubmitIn)
    return order_view(call.app.orders.resubmit(call.principal, order_id, body), call.now)
