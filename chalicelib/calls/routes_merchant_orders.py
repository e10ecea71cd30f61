"""Call orders as the merchant's console sees them: drafting an order in a connected call, editing
the draft, sending it to the customer to pay, cancelling it, and the merchant's orders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Role
from chalicelib.calls.order_views import order_view
from chalicelib.calls.services import CallServices
from chalicelib.http.lists import list_body
from chalicelib.http.routing import Call, Routes, models_module

if TYPE_CHECKING:  # the models bring pydantic: imported where a view or a document first reads one
    from chalicelib.calls import order_view_models, schemas_orders
    from chalicelib.http import responses
else:
    responses = models_module("chalicelib.http.responses")
    schemas_orders = models_module("chalicelib.calls.schemas_orders")
    order_view_models = models_module("chalicelib.calls.order_view_models")

routes = Routes(__name__, CallServices)
Calls = Call[CallServices]
MERCHANT = (Role.MERCHANT,)


@routes.route("/merchant/calls/{call_id}/orders", methods=["POST"], roles=MERCHANT, status=201,
              body=lambda: schemas_orders.CallOrderIn, response=lambda: order_view_models.CallOrderView,
              idempotent=True, problems=(404, 409, 422))
def draft_call_order(call: Calls, call_id: str) -> dict[str, Any]:
    """A draft order in a connected call of this merchant: content, time and address default to the
    customer's details; the price is the merchant's, in its currency. 409 unless the call is connected."""
    body = call.body(schemas_orders.CallOrderIn)
    return order_view(call.services.orders.draft(call.principal, call_id, body), call.now)


@routes.route("/merchant/call-orders/{call_order_id}", methods=["PATCH"], roles=MERCHANT,
              body=lambda: schemas_orders.CallOrderPatch, response=lambda: order_view_models.CallOrderView,
              problems=(404, 409, 422))
def edit_call_order(call: Calls, call_order_id: str) -> dict[str, Any]:
    """Change any of the draft's fields; 409 once it was sent."""
    patch = call.body(schemas_orders.CallOrderPatch)
    return order_view(call.services.orders.edit(call.principal, call_order_id, patch), call.now)


@routes.route("/merchant/call-orders/{call_order_id}/send", methods=["POST"], roles=MERCHANT,
              response=lambda: order_view_models.CallOrderView, problems=(404, 409, 503))
def send_call_order(call: Calls, call_order_id: str) -> dict[str, Any]:
    """Send the draft to the customer (`call_order.created`): it awaits payment on `payment.pay_url`
    until `payment_deadline`."""
    return order_view(call.services.orders.send(call.principal, call_order_id), call.now)


@routes.route("/merchant/call-orders/{call_order_id}/cancel", methods=["POST"], roles=MERCHANT,
              response=lambda: order_view_models.CallOrderView, problems=(404, 409))
def merchant_cancel_call_order(call: Calls, call_order_id: str) -> dict[str, Any]:
    """Cancel a draft, or a sent order before it is paid."""
    return order_view(call.services.orders.merchant_cancel(call.principal, call_order_id), call.now)


@routes.route("/merchant/call-orders", methods=["GET"], roles=MERCHANT,
              response=lambda: responses.TimedPage[order_view_models.CallOrderView])
def merchant_call_orders(call: Calls) -> dict[str, Any]:
    """The merchant's call orders, drafts too, newest first."""
    page = call.services.orders.merchant_orders(call.principal, *call.page())
    return list_body(page, lambda o: order_view(o, call.now), call.now)
