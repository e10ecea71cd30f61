"""Split orders as the customer app sees them: the edit form, creating the pending-payment order,
its payment, "my purchases" (one panel per paid record), and the saved addresses that pre-fill
the form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Response

from chalicelib.auth.principal import Role
from chalicelib.checkout.model import Purchase
from chalicelib.checkout.service import CheckoutServices
from chalicelib.checkout.supplier_catalogue_views import saved_address_view
from chalicelib.checkout.views import purchase_view, record_view
from chalicelib.core.timefmt import iso
from chalicelib.http.lists import list_body
from chalicelib.http.routing import Call, NoContent, Routes, models_module

if TYPE_CHECKING:  # the models bring pydantic: imported where a view or a document first reads one
    from chalicelib.checkout import schemas, supplier_schemas, view_models
    from chalicelib.checkout import supplier_catalogue_view_models as catalogue_models
    from chalicelib.http import responses
else:
    responses = models_module("chalicelib.http.responses")
    schemas = models_module("chalicelib.checkout.schemas")
    catalogue_models = models_module("chalicelib.checkout.supplier_catalogue_view_models")
    supplier_schemas = models_module("chalicelib.checkout.supplier_schemas")
    view_models = models_module("chalicelib.checkout.view_models")

routes = Routes(__name__, CheckoutServices)
Checkout = Call[CheckoutServices]


def _purchase(call: Checkout, bought: Purchase) -> dict[str, Any]:
    return purchase_view(bought, call.services.checkout.records_of(bought), call.now)


@routes.route("/checkout/form", methods=["POST"], roles=(Role.CUSTOMER,), body=lambda: schemas.CartIn,
              response=lambda: view_models.CheckoutFormView)
def checkout_form(call: Checkout) -> dict[str, Any]:
    """The edit form for a cart: one section per supplier, address fields where goods ship."""
    return {**call.services.checkout.form(call.principal, call.body(schemas.CartIn)), "server_time": iso(call.now)}


@routes.route("/purchases", methods=["POST"], roles=(Role.CUSTOMER,), status=201, body=lambda: schemas.PurchaseIn,
              response=lambda: view_models.PurchaseView, idempotent=True, problems=(503,))
def create_purchase(call: Checkout) -> dict[str, Any]:
    """One pending-payment order for the whole checkout, split by supplier and type, stock held."""
    return _purchase(call, call.services.checkout.create(call.principal, call.body(schemas.PurchaseIn)))


@routes.route("/purchases", methods=["GET"], roles=(Role.CUSTOMER,),
              response=lambda: responses.Page[view_models.PurchaseView])
def my_purchases(call: Checkout) -> dict[str, Any]:
    """The customer's purchases, newest first."""
    page = call.services.checkout.purchases(call.principal, *call.page())
    return list_body(page, lambda p: purchase_view(p, None, call.now))


@routes.route("/purchases/{purchase_id}", methods=["GET"], roles=(Role.CUSTOMER, Role.OPS),
              response=lambda: view_models.PurchaseView)
def get_purchase(call: Checkout, purchase_id: str) -> dict[str, Any]:
    """A purchase with its payment window, and once paid its records."""
    return _purchase(call, call.services.checkout.get(call.principal, purchase_id))


@routes.route("/purchases/{purchase_id}/cancel", methods=["POST"], roles=(Role.CUSTOMER, Role.OPS),
              response=lambda: view_models.PurchaseView)
def cancel_purchase(call: Checkout, purchase_id: str) -> dict[str, Any]:
    """The customer (or ops) cancels an unpaid purchase; its stock goes back."""
    return _purchase(call, call.services.checkout.cancel(call.principal, purchase_id))


@routes.route("/purchases/{purchase_id}/reconcile", methods=["POST"], roles=(Role.CUSTOMER, Role.OPS),
              response=lambda: view_models.PurchaseView)
def reconcile_purchase(call: Checkout, purchase_id: str) -> dict[str, Any]:
    """Ask the provider instead of waiting for its callback (the app, back from the pay page)."""
    return _purchase(call, call.services.checkout.reconcile(call.principal, purchase_id))


@routes.route("/purchase-records", methods=["GET"], roles=(Role.CUSTOMER,),
              response=lambda: responses.Page[view_models.RecordView])
def my_records(call: Checkout) -> dict[str, Any]:
    """"My purchases": one panel per paid record, newest first."""
    page = call.services.supplier_orders.records(call.principal, *call.page())
    return list_body(page, lambda r: record_view(r, call.now))


@routes.route("/purchase-records/{record_id}", methods=["GET"], roles=(Role.CUSTOMER, Role.OPS),
              response=lambda: view_models.RecordView)
def get_record(call: Checkout, record_id: str) -> dict[str, Any]:
    """One panel: that supplier's sub-orders with their tracking (distance, ETA) or codes."""
    call.principal.require(Role.CUSTOMER, Role.OPS)
    return record_view(call.services.supplier_orders.get(call.principal, record_id), call.now)


# ── saved addresses ─────────────────────────────────────────────────────────────────────────

@routes.route("/me/addresses", methods=["GET"], roles=(Role.CUSTOMER,),
              response=lambda: responses.Items[catalogue_models.SavedAddressView])
def my_addresses(call: Checkout) -> dict[str, Any]:
    """All of them (at most 20, so no pages), oldest first; `default` marks at most one."""
    return {"items": [saved_address_view(a) for a in call.services.addresses.addresses(call.principal)]}


@routes.route("/me/addresses", methods=["POST"], roles=(Role.CUSTOMER,), status=201,
              body=lambda: supplier_schemas.SavedAddressIn,
              response=lambda: catalogue_models.SavedAddressView, idempotent=True)
def add_address(call: Checkout) -> dict[str, Any]:
    """Save an address (the first one becomes the default)."""
    return saved_address_view(call.services.addresses.add(call.principal, call.body(supplier_schemas.SavedAddressIn)))


@routes.route("/me/addresses/{address_id}", methods=["PUT"], roles=(Role.CUSTOMER,),
              body=lambda: supplier_schemas.SavedAddressIn,
              response=lambda: catalogue_models.SavedAddressView)
def replace_address(call: Checkout, address_id: str) -> dict[str, Any]:
    """Replace an address's label and fields (`default: true` also makes it the default)."""
    body = call.body(supplier_schemas.SavedAddressIn)
    return saved_address_view(call.services.addresses.replace(call.principal, address_id, body))


@routes.route("/me/addresses/{address_id}", methods=["DELETE"], roles=(Role.CUSTOMER,), status=204, response=NoContent)
def delete_address(call: Checkout, address_id: str) -> Response:
    """Delete an address (deleting the default leaves none)."""
    call.services.addresses.delete(call.principal, address_id)
    return Response(body="", status_code=204)


@routes.route("/me/addresses/{address_id}/default", methods=["POST"], roles=(Role.CUSTOMER,),
              response=lambda: catalogue_models.SavedAddressView)
def make_default(call: Checkout, address_id: str) -> dict[str, Any]:
    """Make this address the one that pre-fills the checkout form."""
    return saved_address_view(call.services.addresses.make_default(call.principal, address_id))
