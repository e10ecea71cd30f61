"""Catalogue routes: ops create merchants; ops and the merchant's staff manage them; anyone
signed in lists the merchants, reads one and its menu (the stock count only ops and the merchant's staff)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Role
from chalicelib.catalogue.model import Merchant
from chalicelib.catalogue.service import CatalogueService
from chalicelib.catalogue.views import merchant_view, product_view, public_product_view
from chalicelib.http.lists import list_body
from chalicelib.http.routing import ANY_ROLE, Call, Routes, models_module

if TYPE_CHECKING:  # the models bring pydantic: imported where a view or a document first reads one
    from chalicelib.catalogue import schemas, view_models
    from chalicelib.http import responses
else:
    responses = models_module("chalicelib.http.responses")
    schemas = models_module("chalicelib.catalogue.schemas")
    view_models = models_module("chalicelib.catalogue.view_models")

routes = Routes(__name__, CatalogueService)
Catalogue = Call[CatalogueService]


def _merchant(call: Catalogue, merchant: Merchant) -> dict[str, Any]:
    return merchant_view(merchant, call.services.default_answer_window_s)


@routes.route("/merchants", methods=["POST"], roles=(Role.OPS,), status=201, body=lambda: schemas.MerchantIn,
              response=lambda: view_models.MerchantView, idempotent=True)
def create_merchant(call: Catalogue) -> dict[str, Any]:
    """Ops create a merchant (name, time zone, business hours, answer window)."""
    return _merchant(call, call.services.create_merchant(call.principal, call.body(schemas.MerchantIn)))


@routes.route("/merchants", methods=["GET"], roles=ANY_ROLE, response=lambda: responses.Page[view_models.MerchantView])
def list_merchants(call: Catalogue) -> dict[str, Any]:
    """The merchants a customer can order from (verified; paused ones marked), by name, a page at a time."""
    return list_body(call.services.merchants(*call.page()), lambda m: _merchant(call, m))


@routes.route("/merchants/{merchant_id}", methods=["GET"], roles=ANY_ROLE, response=lambda: view_models.MerchantView)
def get_merchant(call: Catalogue, merchant_id: str) -> dict[str, Any]:
    """A merchant's profile, for anyone signed in."""
    return _merchant(call, call.services.merchant(merchant_id))


@routes.route("/merchants/{merchant_id}", methods=["PATCH"], roles=(Role.OPS, Role.MERCHANT),
              body=lambda: schemas.MerchantPatch,
              response=lambda: view_models.MerchantView)
def patch_merchant(call: Catalogue, merchant_id: str) -> dict[str, Any]:
    """Ops or the merchant's staff open or pause the store, change its hours or window."""
    patch = call.body(schemas.MerchantPatch)
    return _merchant(call, call.services.patch_merchant(call.principal, merchant_id, patch))


@routes.route("/merchants/{merchant_id}/products", methods=["POST"], roles=(Role.OPS, Role.MERCHANT), status=201,
              body=lambda: schemas.ProductIn, response=lambda: view_models.ProductView, idempotent=True)
def add_product(call: Catalogue, merchant_id: str) -> dict[str, Any]:
    """Ops or the merchant's staff add a product to the menu."""
    return product_view(call.services.add_product(call.principal, merchant_id, call.body(schemas.ProductIn)))


@routes.route("/merchants/{merchant_id}/products", methods=["GET"], roles=ANY_ROLE,
              response=lambda: responses.Page[view_models.ProductView] | responses.Page[view_models.PublicProductView])
def list_products(call: Catalogue, merchant_id: str) -> dict[str, Any]:
    """A merchant's menu, one page at a time (with the stock count for ops and its staff)."""
    view = product_view if call.principal.acts_for_merchant(merchant_id) else public_product_view
    return list_body(call.services.products(merchant_id, *call.page()), view)


@routes.route("/merchants/{merchant_id}/products/{product_id}", methods=["PATCH"], roles=(Role.OPS, Role.MERCHANT),
              body=lambda: schemas.ProductPatch, response=lambda: view_models.ProductView)
def patch_product(call: Catalogue, merchant_id: str, product_id: str) -> dict[str, Any]:
    """Ops or the merchant's staff change a product (price, stock, on sale)."""
    patch = call.body(schemas.ProductPatch)
    return product_view(call.services.patch_product(call.principal, merchant_id, product_id, patch))
