"""A customer's saved shipping addresses (`/me/addresses`); the default pre-fills the checkout form."""

from __future__ import annotations

from typing import Any

from chalice.app import Response

from chalicelib.checkout.catalogue_views import saved_address_view
from chalicelib.http.routing import Call, Routes
from chalicelib.http.supplier_schemas import SavedAddressIn

routes = Routes(__name__)


@routes.route("/me/addresses", methods=["GET"])
def my_addresses(call: Call) -> dict[str, Any]:
    """All of them (at most 20, so no pages), oldest first; `default` marks at most one."""
    return {"items": [saved_address_view(a) for a in call.app.addresses.addresses(call.principal)]}


@routes.route("/me/addresses", methods=["POST"], status=201)
def add_address(call: Call) -> Response:
    return call.created_once(SavedAddressIn,
                             lambda body: saved_address_view(call.app.addresses.add(call.principal, body)))


@routes.route("/me/addresses/{address_id}", methods=["PUT"])
def replace_address(call: Call, address_id: str) -> dict[str, Any]:
    return saved_address_view(call.app.addresses.replace(call.principal, address_id, call.body(SavedAddressIn)))


@routes.route("/me/addresses/{address_id}", methods=["DELETE"])
def delete_address(call: Call, address_id: str) -> Response:
    call.app.addresses.delete(call.principal, address_id)
    return Response(body="", status_code=204)


@routes.route("/me/addresses/{address_id}/default", methods=["POST"])
def make_default(call: Call, address_id: str) -> dict[str, Any]:
    return saved_address_view(call.app.addresses.make_default(call.principal, address_id))
