"""Routes of the merchant console."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Role
from chalicelib.http.routing import Call, Query, Routes, models_module
from chalicelib.orders.model import Status
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
ORDER_STATUS_FILTER = Query("`pending` (default): awaiting an answer; `all`; or one order status",
                            ("pending", "all", *(s.value for s in Status)))


@routes.route("/merchant/orders", methods=["GET"], roles=(Role.MERCHANT,),
              response=lambda: responses.TimedPage[view_models.OrderView],
              query={"status": ORDER_STATUS_FILTER}, problems=(422,))
def list_orders(call: Orders) -> dict[str, Any]:
    """The merchant's orders: `?status=pending` (default) awaiting an answer, `all`, or one status."""
    page = call.services.merchant_orders(call.principal, call.query("status"), *call.page())
    return order_list_view(page, call.now)


@routes.route("/merchant/orders/{order_id}", methods=["GET"], roles=(Role.MERCHANT,),
              response=lambda: view_models.OrderView)
def fetch_order(call: Orders, order_id: str) -> dict[str, Any]:
    """The full order; the first fetch proves receipt (`new` → `connected`)."""
    return order_view(call.services.fetch(call.principal, order_id), call.now)


@routes.route("/merchant/orders/{order_id}/actions", methods=["POST"], roles=(Role.MERCHANT,),
              body=lambda: schemas.ActionIn,
              response=lambda: view_models.OrderView)
def act_on_order(call: Orders, order_id: str) -> dict[str, Any]:
    """Accept, reject (with a reason), return (with a note), dispatch or complete."""
    body = call.body(schemas.ActionIn)
    return order_view(call.services.answer(call.principal, order_id, body), call.now)
