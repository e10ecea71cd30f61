"""Supplier consoles and carriers after the fan-out: a supplier's own paid orders (and nobody
else's), shipping a parcel with a method, positions (supplier or the named carrier), delivery.
A carrier sees only the parcels it carries and where they go (`CarrierOrderView`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Role
from chalicelib.checkout.model import SupplierOrder
from chalicelib.checkout.service import CheckoutServices
from chalicelib.checkout.views import carrier_order_view, carrier_parcel_view, supplier_order_view
from chalicelib.core.errors import FieldError, MalformedRequest, NotFound
from chalicelib.core.ids import is_id
from chalicelib.http.lists import list_body
from chalicelib.http.routing import Call, Query, Routes, models_module

if TYPE_CHECKING:  # the models bring pydantic: imported where a view or a document first reads one
    from chalicelib.checkout import schemas, view_models
    from chalicelib.http import fields, responses
else:
    fields = models_module("chalicelib.http.fields")
    responses = models_module("chalicelib.http.responses")
    schemas = models_module("chalicelib.checkout.schemas")
    view_models = models_module("chalicelib.checkout.view_models")

routes = Routes(__name__, CheckoutServices)
Checkout = Call[CheckoutServices]
ORDER_STATUSES = ("paid", "in_progress", "completed")
SUPPLIER_ORDER_QUERY = {
    "status": Query("only orders in this status", ORDER_STATUSES),
    "supplier_id": Query("whose orders (ops must name one; a supplier sees only its own)"),
}


@routes.route("/supplier/orders", methods=["GET"], roles=(Role.SUPPLIER, Role.OPS),
              response=lambda: responses.Page[view_models.SupplierOrderView],
              query=SUPPLIER_ORDER_QUERY)
def supplier_orders(call: Checkout) -> dict[str, Any]:
    """A supplier's paid orders, newest first (`?status=`; ops name `?supplier_id=`)."""
    status = call.query("status")
    if status is not None and status not in ORDER_STATUSES:
        raise MalformedRequest("unknown status", [FieldError("status", f"one of {', '.join(ORDER_STATUSES)}")])
    supplier_id = call.query("supplier_id")
    if supplier_id is not None and not is_id(supplier_id):
        raise MalformedRequest("not an id", [FieldError("supplier_id", "not an id")])
    page = call.services.supplier_orders.for_supplier(call.principal, supplier_id, status, *call.page())
    return list_body(page, lambda o: supplier_order_view(o, call.now))


@routes.route("/supplier/orders/{order_id}", methods=["GET"], roles=(Role.SUPPLIER, Role.CARRIER, Role.OPS),
              response=lambda: view_models.SupplierOrderView | view_models.CarrierOrderView)
def supplier_order(call: Checkout, order_id: str) -> dict[str, Any]:
    """One of the supplier's orders: its goods, prices and the shipping address (for a carrier,
    only the parcels it carries and where they go; the customer reads its record instead)."""
    caller = call.principal
    caller.require(Role.SUPPLIER, Role.CARRIER, Role.OPS)
    order = call.services.supplier_orders.get(caller, order_id)
    if caller.role is Role.CARRIER:
        return carrier_order_view(order, caller.sub, call.now)
    return supplier_order_view(order, call.now)


@routes.route("/parcels/{sub_order_id}/ship", methods=["POST"], roles=(Role.SUPPLIER, Role.OPS),
              body=lambda: schemas.ShipIn,
              response=lambda: view_models.SupplierOrderView)
def ship(call: Checkout, sub_order_id: str) -> dict[str, Any]:
    """The supplier ships a physical parcel with a method (and optionally names its carrier)."""
    order = call.services.supplier_orders.ship(call.principal, sub_order_id, call.body(schemas.ShipIn))
    return supplier_order_view(order, call.now)


@routes.route("/parcels/{sub_order_id}/positions", methods=["POST"], roles=(Role.SUPPLIER, Role.CARRIER, Role.OPS),
              body=lambda: fields.PointIn, response=lambda: view_models.CarrierParcelView)
def position(call: Checkout, sub_order_id: str) -> dict[str, Any]:
    """Where a shipped parcel is now (its supplier or its carrier): distance and ETA follow."""
    order = call.services.supplier_orders.locate(call.principal, sub_order_id, call.body(fields.PointIn))
    return _parcel(order, sub_order_id, call.now)


@routes.route("/parcels/{sub_order_id}/delivered", methods=["POST"], roles=(Role.SUPPLIER, Role.CARRIER, Role.OPS),
              response=lambda: view_models.CarrierParcelView)
def delivered(call: Checkout, sub_order_id: str) -> dict[str, Any]:
    """The parcel arrived."""
    order = call.services.supplier_orders.deliver(call.principal, sub_order_id)
    return _parcel(order, sub_order_id, call.now)


def _parcel(order: SupplierOrder, sub_order_id: str, now: int) -> dict[str, Any]:
    parcel = order.parcel(sub_order_id)
    if parcel is None:  # the decider found it before the commit; a parcel never leaves its order
        raise NotFound(f"parcel {sub_order_id} not found")
    return carrier_parcel_view(order, parcel, now)
