"""Supplier consoles and carriers after the fan-out: a supplier's own paid orders (and nobody
else's), shipping a parcel with a method, positions (supplier or the named carrier), delivery."""

from __future__ import annotations

from typing import Any

from chalicelib.checkout.views import supplier_order_view
from chalicelib.core.errors import FieldError, MalformedRequest
from chalicelib.http.checkout_schemas import PointIn, ShipIn
from chalicelib.http.routing import Call, Routes
from chalicelib.http.schemas import is_id

routes = Routes(__name__)
ORDER_STATUSES = ("paid", "in_progress", "completed")


@routes.route("/supplier/orders", methods=["GET"])
def supplier_orders(call: Call) -> dict[str, Any]:
    status = call.query("status")
    if status is not None and status not in ORDER_STATUSES:
        raise MalformedRequest("unknown status", [FieldError("status", f"one of {', '.join(ORDER_STATUSES)}")])
    supplier_id = call.query("supplier_id")
    if supplier_id is not None and not is_id(supplier_id):
        raise MalformedRequest("not an id", [FieldError("supplier_id", "not an id")])
    page = call.app.supplier_orders.for_supplier(call.principal, supplier_id, status, *call.page())
    return {"items": [supplier_order_view(o, call.now) for o in page.items], "next_token": page.next_token}


@routes.route("/supplier/orders/{order_id}", methods=["GET"])
def supplier_order(call: Call, order_id: str) -> dict[str, Any]:
    return supplier_order_view(call.app.supplier_orders.get(call.principal, order_id), call.now)


@routes.route("/parcels/{sub_order_id}/ship", methods=["POST"])
def ship(call: Call, sub_order_id: str) -> dict[str, Any]:
    order = call.app.supplier_orders.ship(call.principal, sub_order_id, call.body(ShipIn))
    return supplier_order_view(order, call.now)


@routes.route("/parcels/{sub_order_id}/positions", methods=["POST"])
def position(call: Call, sub_order_id: str) -> dict[str, Any]:
    order = call.app.supplier_orders.locate(call.principal, sub_order_id, call.body(PointIn))
    return _parcel(order, sub_order_id, call.now)


@routes.route("/parcels/{sub_order_id}/delivered", methods=["POST"])
def delivered(call: Call, sub_order_id: str) -> dict[str, Any]:
    order = call.app.supplier_orders.deliver(call.principal, sub_order_id)
    return _parcel(order, sub_order_id, call.now)


def _parcel(order: Any, sub_order_id: str, now: int) -> dict[str, Any]:
    """What a carrier may see: the parcel and where it goes, not the rest of the order."""
    view = supplier_order_view(order, now)
    parcel = next(p for p in view["sub_orders"] if p["sub_order_id"] == sub_order_id)
    return {"order_id": order.id, "shipping_address": view["shipping_address"], "parcel": parcel,
            "server_time": view["server_time"]}
