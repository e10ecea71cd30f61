"""Split orders as the management console sees them: coupons, any purchase with its history, and
the payments to refund."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Role
from chalicelib.checkout.service import CheckoutServices
from chalicelib.checkout.views import coupon_view, ops_purchase_view
from chalicelib.http.lists import list_body
from chalicelib.http.routing import Call, Routes, models_module

if TYPE_CHECKING:  # the models bring pydantic: imported where a view or a document first reads one
    from chalicelib.checkout import schemas, view_models
    from chalicelib.http import responses
else:
    responses = models_module("chalicelib.http.responses")
    schemas = models_module("chalicelib.checkout.schemas")
    view_models = models_module("chalicelib.checkout.view_models")

routes = Routes(__name__, CheckoutServices)
Checkout = Call[CheckoutServices]


@routes.route("/coupons", methods=["POST"], roles=(Role.OPS,), status=201, body=lambda: schemas.CouponIn,
              response=lambda: view_models.CouponView, idempotent=True)
def create_coupon(call: Checkout) -> dict[str, Any]:
    """Ops create a discount code (a fixed amount off a checkout's goods)."""
    return coupon_view(call.services.coupons.create(call.principal, call.body(schemas.CouponIn)))


@routes.route("/coupons", methods=["GET"], roles=(Role.OPS,), response=lambda: responses.Page[view_models.CouponView])
def list_coupons(call: Checkout) -> dict[str, Any]:
    """Every coupon (ops)."""
    return list_body(call.services.coupons.page(call.principal, *call.page()), coupon_view)


@routes.route("/coupons/{code}", methods=["PATCH"], roles=(Role.OPS,), body=lambda: schemas.CouponPatch,
              response=lambda: view_models.CouponView)
def patch_coupon(call: Checkout, code: str) -> dict[str, Any]:
    """Switch a coupon on or off."""
    return coupon_view(call.services.coupons.set_active(call.principal, code, call.body(schemas.CouponPatch).active))


@routes.route("/ops/purchases/{purchase_id}", methods=["GET"], roles=(Role.OPS,),
              response=lambda: view_models.OpsPurchaseView)
def ops_purchase(call: Checkout, purchase_id: str) -> dict[str, Any]:
    """Any purchase with its customer and full history (ops)."""
    call.principal.require(Role.OPS)
    return ops_purchase_view(call.services.checkout.get(call.principal, purchase_id), call.now)


@routes.route("/ops/refunds", methods=["GET"], roles=(Role.OPS,),
              response=lambda: responses.Page[view_models.OpsPurchaseView])
def refunds_due(call: Checkout) -> dict[str, Any]:
    """Payments that arrived for purchases already cancelled: to refund at the provider."""
    page = call.services.checkout.refunds_due(call.principal, *call.page())
    return list_body(page, lambda p: ops_purchase_view(p, call.now))
