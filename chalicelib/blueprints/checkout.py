"""Split orders as the customer app sees them: the edit form, creating the pending-payment order,
its payment, and "my purchases" (one panel per paid record)."""

from __future__ import annotations

from typing import Any

from chalice.app import Response

from chalicelib.auth.principal import Role
from chalicelib.checkout.views import ops_purchase_view, purchase_view, record_view
from chalicelib.core.timefmt import iso
from chalicelib.http.checkout_schemas import CartIn, PurchaseIn
from chalicelib.http.routing import Call, Routes

routes = Routes(__name__)


def _purchase(call: Call, bought: Any) -> dict[str, Any]:
    return purchase_view(bought, call.app.checkout.records_of(bought), call.now)


@routes.route("/checkout/form", methods=["POST"])
def checkout_form(call: Call) -> dict[str, Any]:
    return {**call.app.checkout.form(call.principal, call.body(CartIn)), "server_time": iso(call.now)}


@routes.route("/purchases", methods=["POST"], status=201)
def create_purchase(call: Call) -> Response:
    return call.created_once(PurchaseIn, lambda body: _purchase(call, call.app.checkout.create(call.principal, body)))


@routes.route("/purchases", methods=["GET"])
def my_purchases(call: Call) -> dict[str, Any]:
    page = call.app.checkout.purchases(call.principal, *call.page())
    return {"items": [purchase_view(p, None, call.now) for p in page.items], "next_token": page.next_token}


@routes.route("/purchases/{purchase_id}", methods=["GET"])
def get_purchase(call: Call, purchase_id: str) -> dict[str, Any]:
    return _purchase(call, call.app.checkout.get(call.principal, purchase_id))


@routes.route("/purchases/{purchase_id}/cancel", methods=["POST"])
def cancel_purchase(call: Call, purchase_id: str) -> dict[str, Any]:
    return _purchase(call, call.app.checkout.cancel(call.principal, purchase_id))


@routes.route("/purchases/{purchase_id}/reconcile", methods=["POST"])
def reconcile_purchase(call: Call, purchase_id: str) -> dict[str, Any]:
    return _purchase(call, call.app.checkout.reconcile(call.principal, purchase_id))


@routes.route("/purchase-records", methods=["GET"])
def my_records(call: Call) -> dict[str, Any]:
    page = call.app.supplier_orders.records(call.principal, *call.page())
    return {"items": [record_view(r, call.now) for r in page.items], "next_token": page.next_token}


@routes.route("/purchase-records/{record_id}", methods=["GET"])
def get_record(call: Call, record_id: str) -> dict[str, Any]:
    call.principal.require(Role.CUSTOMER, Role.OPS)
    return record_view(call.app.supplier_orders.get(call.principal, record_id), call.now)


@routes.route("/ops/purchases/{purchase_id}", methods=["GET"])
def ops_purchase(call: Call, purchase_id: str) -> dict[str, Any]:
    call.principal.require(Role.OPS)
    return ops_purchase_view(call.app.checkout.get(call.principal, purchase_id), call.now)


@routes.route("/ops/refunds", methods=["GET"])
def refunds_due(call: Call) -> dict[str, Any]:
    page = call.app.checkout.refunds_due(call.principal, *call.page())
    return {"items": [ops_purchase_view(p, call.now) for p in page.items], "next_token": page.next_token}
