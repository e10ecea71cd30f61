"""Ops' discount codes for split-order checkouts."""

from __future__ import annotations

from typing import Any

from chalicelib.checkout.views import coupon_view
from chalicelib.http.checkout_schemas import CouponIn, CouponPatch
from chalicelib.http.routing import Call, Routes

routes = Routes(__name__)


@routes.route("/coupons", methods=["POST"], status=201)
def create_coupon(call: Call) -> dict[str, Any]:
    return coupon_view(call.app.coupons.create(call.principal, call.body(CouponIn)))


@routes.route("/coupons", methods=["GET"])
def list_coupons(call: Call) -> dict[str, Any]:
    page = call.app.coupons.page(call.principal, *call.page())
    return {"items": [coupon_view(c) for c in page.items], "next_token": page.next_token}


@routes.route("/coupons/{code}", methods=["PATCH"])
def patch_coupon(call: Call, code: str) -> dict[str, Any]:
    return coupon_view(call.app.coupons.set_active(call.principal, code, call.body(CouponPatch).active))
