"""Group-buy as a shop's console sees it: redeeming a voucher by its code, and reporting the queue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Role
from chalicelib.groupbuy.service import GroupBuyServices
from chalicelib.groupbuy.views import voucher_view
from chalicelib.http.routing import Call, Routes, models_module

if TYPE_CHECKING:
    from chalicelib.groupbuy import schemas, view_models
else:
    schemas = models_module("chalicelib.groupbuy.schemas")
    view_models = models_module("chalicelib.groupbuy.view_models")

routes = Routes(__name__, GroupBuyServices)
GroupBuy = Call[GroupBuyServices]


@routes.route("/merchant/vouchers/redeem", methods=["POST"], roles=(Role.MERCHANT,), body=lambda: schemas.RedeemIn,
              problems=(404,),
              response=lambda: view_models.VoucherView)
def redeem_voucher(call: GroupBuy) -> dict[str, Any]:
    """Scan or type a voucher's code: it becomes used, its bookings stop, its buyer is asked for a video.
    A wrong code or another shop's is 404; a used or expired one 409."""
    used = call.services.vouchers.redeem(call.principal, call.body(schemas.RedeemIn).code)
    return voucher_view(used, None, call.now, for_buyer=False)


@routes.route("/merchant/queue", methods=["PUT"], roles=(Role.MERCHANT,), body=lambda: schemas.QueueReportIn,
              response=lambda: view_models.QueueView)
def report_queue(call: GroupBuy) -> dict[str, Any]:
    """The staff's count of people waiting now; booked customers' next updates carry it."""
    caller = call.principal
    return call.services.vouchers.report_queue(caller, str(caller.merchant_id),
                                               call.body(schemas.QueueReportIn).waiting)
