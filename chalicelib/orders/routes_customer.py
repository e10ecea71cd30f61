"""Routes of the customer app (and `GET /orders/{id}`, which every party of the order may read)."""

from __future__ import annotations

from typing import Any

from chalicelib.auth.principal import Role
from chalicelib.http.responses import TimedPage
from chalicelib.http.routing import Call, Routes
from chalicelib.orders.schemas import PlaceOrderIn, ResubmitIn
from chalicelib.orders.service import OrderService
from chalicelib.orders.view_models import OrderView
from chalicelib.orders.views import order_list_view, order_view

routes = Routes(__name__, OrderService)
Orders = Call[OrderService]


@routes.route("/orders", methods=["POST"], roles=(Role.CUSTOMER,), status=201, body=PlaceOrderIn, response=OrderView,
              idempotent=True)
def place_order(call: Orders) -> dict[str, Any]:
    """A customer places an order; the merchant's answer window starts now (`Idempotency-Key`)."""
    return order_view(call.services.place(call.principal, call.body(PlaceOrderIn)), call.now)


@routes.route("/orders", methods=["GET"], roles=(Role.CUSTOMER,), response=TimedPage[OrderView])
def my_orders(call: Orders) -> dict[str, Any]:
    """The customer's orders, newest first."""
    return order_list_view(call.services.customer_orders(call.principal, *call.page()), call.now)


@routes.route("/orders/{order_id}", methods=["GET"], roles=(Role.CUSTOMER, Role.MERCHANT, Role.OPS), response=OrderView)
def get_order(call: Orders, order_id: str) -> dict[str, Any]:
    """The order with its current status, for its customer, its merchant and ops."""
    return order_view(call.services.get(call.principal, order_id), call.now)


@routes.route("/orders/{order_id}/cancel", methods=["POST"], roles=(Role.CUSTOMER,), response=OrderView)
def cancel_order(call: Orders, order_id: str) -> dict[str, Any]:
    """The customer withdraws an order while it waits for an answer."""
    return order_view(call.services.cancel(call.principal, order_id), call.now)


@routes.route("/orders/{order_id}/resubmit", methods=["POST"], roles=(Role.CUSTOMER,), body=ResubmitIn,
              response=OrderView)
def resubmit_order(call: Orders, order_id: str) -> dict[str, Any]:
    """The customer sends a returned order again, edited: a fresh answer window."""
    body = call.body(ResubmitIn)
    return order_view(call.services.resubmit(call.principal, order_id, body), call.now)
