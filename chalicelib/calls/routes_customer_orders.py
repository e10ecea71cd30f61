"""Call orders as the customer app sees them (once the merchant sent them), paying and cancelling
them; ops read them too."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Role
from chalicelib.calls.order_views import order_view
from chalicelib.calls.services import CallServices
from chalicelib.http.lists import list_body
from chalicelib.http.routing import Call, Routes, models_module

if TYPE_CHECKING:  # the models bring pydantic: imported where a view or a document first reads one
    from chalicelib.calls import order_view_models
    from chalicelib.http import responses
else:
    responses = models_module("chalicelib.http.responses")
    order_view_models = models_module("chalicelib.calls.order_view_models")

routes = Routes(__name__, CallServices)
Calls = Call[CallServices]
CUSTOMER = (Role.CUSTOMER,)


@routes.route("/call-orders", methods=["GET"], roles=CUSTOMER,
              response=lambda: responses.TimedPage[order_view_models.CallOrderView])
def my_call_orders(call: Calls) -> dict[str, Any]:
    """The orders merchants sent the customer in calls, most recently sent first."""
    page = call.services.orders.customer_orders(call.principal, *call.page())
    return list_body(page, lambda o: order_view(o, call.now), call.now)


@routes.route("/call-orders/{call_order_id}", methods=["GET"], roles=(Role.CUSTOMER, Role.MERCHANT, Role.OPS),
              response=lambda: order_view_models.CallOrderView)
def get_call_order(call: Calls, call_order_id: str) -> dict[str, Any]:
    """An order with its payment window (the customer sees it once it was sent)."""
    return order_view(call.services.orders.get(call.principal, call_order_id), call.now)


@routes.route("/call-orders/{call_order_id}/cancel", methods=["POST"], roles=CUSTOMER,
              response=lambda: order_view_models.CallOrderView, problems=(404, 409))
def cancel_call_order(call: Calls, call_order_id: str) -> dict[str, Any]:
    """Cancel an order before paying it."""
    return order_view(call.services.orders.customer_cancel(call.principal, call_order_id), call.now)


@routes.route("/call-orders/{call_order_id}/reconcile", methods=["POST"], roles=CUSTOMER,
              response=lambda: order_view_models.CallOrderView, problems=(404,))
def reconcile_call_order(call: Calls, call_order_id: str) -> dict[str, Any]:
    """Ask the provider instead of waiting for its callback (the app, back from the pay page)."""
    return order_view(call.services.orders.reconcile(call.principal, call_order_id), call.now)
