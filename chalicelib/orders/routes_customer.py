"""Routes of the customer app (and `GET /orders/{id}`, which every party of the order may read)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Role
from chalicelib.http.routing import Call, Routes, models_module
from chalicelib.orders.service import OrderService
from chalicelib.orders.views import order_list_view, order_view

if TYPE_CHECKING:  # the models bring pydantic: imported where a view or a document first reads one
    from chalicelib.http import responses
    from chalicelib.orders import schemas, view_models
else:
    responses = models_module("chalicelib.http.responses")
    schemas = models_module("chalicelib.orders.schemas")
    view_models = models_module("chalicelib.orders.view_models")

routes = Routes(__name__, OrderService)
Orders = Call[OrderService]


@routes.route("/orders", methods=["POST"], roles=(Role.CUSTOMER,), status=201, body=lambda: schemas.PlaceOrderIn,
              response=lambda: view_models.OrderView,
              idempotent=True)
def place_order(call: Orders) -> dict[str, Any]:
    """A customer places an order; the merchant's answer window starts now (`Idempotency-Key`)."""
    return order_view(call.services.place(call.principal, call.body(schemas.PlaceOrderIn)), call.now)


@routes.route("/orders", methods=["GET"], roles=(Role.CUSTOMER,),
              response=lambda: responses.TimedPage[view_models.OrderView])
def my_orders(call: Orders) -> dict[str, Any]:
    """The customer's orders, newest first."""
    return order_list_view(call.services.customer_orders(call.principal, *call.page()), call.now)


@routes.route("/orders/{order_id}", methods=["GET"], roles=(Role.CUSTOMER, Role.MERCHANT, Role.OPS),
              response=lambda: view_models.OrderView)
def get_order(call: Orders, order_id: str) -> dict[str, Any]:
    """The order with its current status, for its customer, its merchant and ops."""
    return order_view(call.services.get(call.principal, order_id), call.now)


@routes.route("/orders/{order_id}/cancel", methods=["POST"], roles=(Role.CUSTOMER,),
              response=lambda: view_models.OrderView)
def cancel_order(call: Orders, order_id: str) -> dict[str, Any]:
    """The customer withdraws an order while it waits for an answer."""
    return order_view(call.services.cancel(call.principal, order_id), call.now)


@routes.route("/orders/{order_id}/resubmit", methods=["POST"], roles=(Role.CUSTOMER,), body=lambda: schemas.ResubmitIn,
              response=lambda: view_models.OrderView)
def resubmit_order(call: Orders, order_id: str) -> dict[str, Any]:
    """The customer sends a returned order again, edited: a fresh answer window."""
    body = call.body(schemas.ResubmitIn)
    return order_view(call.services.resubmit(call.principal, order_id, body), call.now)
