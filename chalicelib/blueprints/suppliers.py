"""Suppliers and their products: ops manage suppliers, a supplier (or ops) its products, and every
authenticated caller browses what is on sale (see `chalicelib.checkout.catalogue` for who sees what)."""

from __future__ import annotations

from typing import Any

from chalice.app import Response

from chalicelib.checkout.catalogue import manages
from chalicelib.checkout.catalogue_views import listed_view, public_supplier_view, shelf_view, supplier_view
from chalicelib.http.requests import parse
from chalicelib.http.routing import Call, Routes
from chalicelib.http.supplier_schemas import ProductIn, RestockIn, SupplierIn, SupplierPatch

routes = Routes(__name__)
JSON: dict[str, str | list[str]] = {"Content-Type": "application/json"}


# ── suppliers ───────────────────────────────────────────────────────────────────────────────

@routes.route("/suppliers", methods=["POST"], status=201)
def create_supplier(call: Call) -> Response:
    return call.created_once(SupplierIn,
                             lambda body: supplier_view(call.app.suppliers.create_supplier(call.principal, body)))


@routes.route("/suppliers", methods=["GET"])
def list_suppliers(call: Call) -> dict[str, Any]:
    page = call.app.suppliers.suppliers_page(call.principal, *call.page())
    return {"items": [supplier_view(s) for s in page.items], "next_token": page.next_token}


@routes.route("/suppliers/{supplier_id}", methods=["GET"])
def get_supplier(call: Call, supplier_id: str) -> dict[str, Any]:
    supplier = call.app.suppliers.supplier(call.principal, supplier_id)
    return supplier_view(supplier) if manages(call.principal, supplier_id) else public_supplier_view(supplier)


@routes.route("/suppliers/{supplier_id}", methods=["PATCH"])
def patch_supplier(call: Call, supplier_id: str) -> dict[str, Any]:
    return supplier_view(call.app.suppliers.patch_supplier(call.principal, supplier_id, call.body(SupplierPatch)))


# ── products ────────────────────────────────────────────────────────────────────────────────

@routes.route("/suppliers/{supplier_id}/products", methods=["GET"])
def list_products(call: Call, supplier_id: str) -> dict[str, Any]:
    shelf = call.app.suppliers.products_page(call.principal, supplier_id, *call.page())
    return shelf_view(shelf, full=manages(call.principal, supplier_id))


@routes.route("/suppliers/{supplier_id}/products/{product_id}", methods=["GET"])
def get_product(call: Call, supplier_id: str, product_id: str) -> dict[str, Any]:
    listed = call.app.suppliers.product(call.principal, supplier_id, product_id)
    return listed_view(listed, full=manages(call.principal, supplier_id))


@routes.route("/suppliers/{supplier_id}/products/{product_id}", methods=["PUT"])
def put_product(call: Call, supplier_id: str, product_id: str) -> Response:
    """201 with the product when this created it, 200 when it updated it (its stock unchanged)."""
    listed = call.app.suppliers.put_product(call.principal, supplier_id, product_id, call.body(ProductIn))
    return Response(body=listed_view(listed, full=True), status_code=201 if listed.created else 200, headers=JSON)


@routes.route("/suppliers/{supplier_id}/products/{product_id}/restock", methods=["POST"])
def restock(call: Call, supplier_id: str, product_id: str) -> Response:
    """Not idempotent by nature (a delta), so it honours `Idempotency-Key`: a retried restock with
    the same key and body answers the first response instead of adding the units twice."""
    raw = call.raw_json()
    body = parse(RestockIn, raw)
    principal = call.principal
    scope = f"{principal.sub}:POST /suppliers/{supplier_id}/products/{product_id}/restock"

    def produce() -> tuple[int, dict[str, Any]]:
        listed = call.app.suppliers.restock(principal, supplier_id, product_id, body.delta)
        return 200, listed_view(listed, full=True)

    status, view = call.app.idempotency.run(scope, call.header("idempotency-key"), raw, produce)
    return Response(body=view, status_code=status, headers=JSON)
