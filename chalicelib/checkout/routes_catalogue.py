"""Suppliers and their products: ops manage suppliers, a supplier (or ops) its products, and every
authenticated caller browses what is on sale (see `supplier_catalogue.py` for who sees what)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Response

from chalicelib.auth.principal import Role
from chalicelib.checkout.model import Supplier
from chalicelib.checkout.service import CheckoutServices
from chalicelib.checkout.supplier_catalogue import manages
from chalicelib.checkout.supplier_catalogue_views import listed_view, public_supplier_view, shelf_view, supplier_view
from chalicelib.http.lists import list_body
from chalicelib.http.routing import ANY_ROLE, JSON_HEADERS, Call, Routes, models_module

if TYPE_CHECKING:  # the models bring pydantic: imported where a view or a document first reads one
    from chalicelib.checkout import supplier_catalogue_view_models as catalogue_models
    from chalicelib.checkout import supplier_schemas
    from chalicelib.http import responses
else:
    responses = models_module("chalicelib.http.responses")
    catalogue_models = models_module("chalicelib.checkout.supplier_catalogue_view_models")
    supplier_schemas = models_module("chalicelib.checkout.supplier_schemas")

routes = Routes(__name__, CheckoutServices)
Checkout = Call[CheckoutServices]


# ── suppliers ───────────────────────────────────────────────────────────────────────────────

@routes.route("/suppliers", methods=["POST"], roles=(Role.OPS,), status=201, body=lambda: supplier_schemas.SupplierIn,
              response=lambda: catalogue_models.SupplierView, idempotent=True)
def create_supplier(call: Checkout) -> dict[str, Any]:
    """Ops add a supplier (currency, shipping fee)."""
    body = call.body(supplier_schemas.SupplierIn)
    return supplier_view(call.services.suppliers.create_supplier(call.principal, body))


@routes.route("/suppliers", methods=["GET"], roles=ANY_ROLE,
              response=lambda: responses.Page[catalogue_models.SupplierView | catalogue_models.PublicSupplierView])
def list_suppliers(call: Checkout) -> dict[str, Any]:
    """The supplier directory: all of them for ops, the active ones for others (public cards but the caller's own)."""
    def view(supplier: Supplier) -> dict[str, Any]:
        return supplier_view(supplier) if manages(call.principal, supplier.id) else public_supplier_view(supplier)

    return list_body(call.services.suppliers.suppliers_page(call.principal, *call.page()), view)


@routes.route("/suppliers/{supplier_id}", methods=["GET"], roles=ANY_ROLE,
              response=lambda: catalogue_models.SupplierView | catalogue_models.PublicSupplierView)
def get_supplier(call: Checkout, supplier_id: str) -> dict[str, Any]:
    """A supplier: the full view for ops and the supplier itself, the public card for others."""
    supplier = call.services.suppliers.supplier(call.principal, supplier_id)
    return supplier_view(supplier) if manages(call.principal, supplier_id) else public_supplier_view(supplier)


@routes.route("/suppliers/{supplier_id}", methods=["PATCH"], roles=(Role.OPS,),
              body=lambda: supplier_schemas.SupplierPatch,
              response=lambda: catalogue_models.SupplierView)
def patch_supplier(call: Checkout, supplier_id: str) -> dict[str, Any]:
    """Change a supplier (what is priced from now on; pending purchases keep theirs)."""
    body = call.body(supplier_schemas.SupplierPatch)
    return supplier_view(call.services.suppliers.patch_supplier(call.principal, supplier_id, body))


# ── products ────────────────────────────────────────────────────────────────────────────────

@routes.route("/suppliers/{supplier_id}/products", methods=["GET"], roles=ANY_ROLE,
              response=lambda: catalogue_models.ShelfView | catalogue_models.PublicShelfView)
def list_products(call: Checkout, supplier_id: str) -> dict[str, Any]:
    """A supplier's products: all of them for ops and the supplier, those on sale for others."""
    shelf = call.services.suppliers.products_page(call.principal, supplier_id, *call.page())
    return shelf_view(shelf, full=manages(call.principal, supplier_id))


@routes.route("/suppliers/{supplier_id}/products/{product_id}", methods=["GET"], roles=ANY_ROLE,
              response=lambda: catalogue_models.ProductView | catalogue_models.PublicProductView)
def get_product(call: Checkout, supplier_id: str, product_id: str) -> dict[str, Any]:
    """One product (with its stock for ops and the supplier)."""
    listed = call.services.suppliers.product(call.principal, supplier_id, product_id)
    return listed_view(listed, full=manages(call.principal, supplier_id))


@routes.route("/suppliers/{supplier_id}/products/{product_id}", methods=["PUT"], roles=(Role.SUPPLIER, Role.OPS),
              body=lambda: supplier_schemas.ProductIn,
              responses={200: lambda: catalogue_models.ProductView, 201: lambda: catalogue_models.ProductView})
def put_product(call: Checkout, supplier_id: str, product_id: str) -> Response:
    """201 with the product when this created it, 200 when it updated it (its stock unchanged)."""
    body = call.body(supplier_schemas.ProductIn)
    listed = call.services.suppliers.put_product(call.principal, supplier_id, product_id, body)
    return Response(body=listed_view(listed, full=True), status_code=201 if listed.created else 200,
                    headers=JSON_HEADERS)


@routes.route("/suppliers/{supplier_id}/products/{product_id}/restock", methods=["POST"],
              roles=(Role.SUPPLIER, Role.OPS), body=lambda: supplier_schemas.RestockIn,
              response=lambda: catalogue_models.ProductView, idempotent=True)
def restock(call: Checkout, supplier_id: str, product_id: str) -> dict[str, Any]:
    """Not idempotent by nature (a delta), so it honours `Idempotency-Key`: a retried restock with
    the same key and body answers the first response instead of adding the units twice."""
    delta = call.body(supplier_schemas.RestockIn).delta
    return listed_view(call.services.suppliers.restock(call.principal, supplier_id, product_id, delta), full=True)
