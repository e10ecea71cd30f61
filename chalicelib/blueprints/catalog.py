"""Catalogue routes: ops create merchants; ops and the merchant's staff manage them; anyone
signed in reads a merchant and its menu."""

from __future__ import annotations

from typing import Any

from chalicelib.http.routing import Call, Routes
from chalicelib.http.schemas import MerchantIn, MerchantPatch, ProductIn, ProductPatch
from chalicelib.orders.views import merchant_view, product_view

routes = Routes(__name__)


def _merchant(call: Call, merchant: Any) -> dict[str, Any]:
    return merchant_view(merchant, call.app.settings.default_answer_window_s)


@routes.route("/merchants", methods=["POST"], status=201)
def create_merchant(call: Call) -> dict[str, Any]:
    return _merchant(call, call.app.catalog.create_merchant(call.principal, call.body(MerchantIn)))


@routes.route("/merchants/{merchant_id}", methods=["GET"])
def get_merchant(call: Call, merchant_id: str) -> dict[str, Any]:
    return _merchant(call, call.app.catalog.merchant(merchant_id))


@routes.route("/merchants/{merchant_id}", methods=["PATCH"])
def patch_merchant(call: Call, merchant_id: str) -> dict[str, Any]:
    patch = call.body(MerchantPatch)
    return _merchant(call, call.app.catalog.patch_merchant(call.principal, merchant_id, patch))


@routes.route("/merchants/{merchant_id}/products", methods=["POST"], status=201)
def add_product(call: Call, merchant_id: str) -> dict[str, Any]:
    return product_view(call.app.catalog.add_product(call.principal, merchant_id, call.body(ProductIn)))


@routes.route("/merchants/{merchant_id}/products", methods=["GET"])
def list_products(call: Call, merchant_id: str) -> dict[str, Any]:
    page = call.app.catalog.products(merchant_id, *call.page())
    return {"items": [product_view(p) for p in page.items], "next_token": page.next_token}


@routes.route("/merchants/{merchant_id}/products/{product_id}", methods=["PATCH"])
def patch_product(call: Call, merchant_id: str, product_id: str) -> dict[str, Any]:
    patch = call.body(ProductPatch)
    return product_view(call.app.catalog.patch_product(call.principal, merchant_id, product_id, patch))
