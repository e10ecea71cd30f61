"""Group-buy as the customer app sees it: buying a deal and paying, the vouchers with their codes,
the slot list and picking slots, cancelling a booking, the shop's queue, the on-site video upload
(and its retry), and a deal's published videos."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Role
from chalicelib.groupbuy.service import GroupBuyServices
from chalicelib.groupbuy.views import booking_view, order_view, voucher_view
from chalicelib.http.lists import list_body
from chalicelib.http.routing import ANY_ROLE, Call, Routes, models_module

if TYPE_CHECKING:  # the models bring pydantic: imported where a view or a document first reads one
    from chalicelib.groupbuy import schemas, view_models
    from chalicelib.http import responses
else:
    responses = models_module("chalicelib.http.responses")
    schemas = models_module("chalicelib.groupbuy.schemas")
    view_models = models_module("chalicelib.groupbuy.view_models")

routes = Routes(__name__, GroupBuyServices)
GroupBuy = Call[GroupBuyServices]
BUYER = (Role.CUSTOMER,)
BUYER_OR_OPS = (Role.CUSTOMER, Role.OPS)


@routes.route("/group-buy/orders", methods=["POST"], roles=BUYER, status=201, body=lambda: schemas.GroupOrderIn,
              response=lambda: view_models.GroupOrderView, idempotent=True, problems=(404, 503))
def buy_deal(call: GroupBuy) -> dict[str, Any]:
    """A pending-payment order for a quantity of a deal: pay on `payment.pay_url` before the deadline."""
    return order_view(call.services.orders.create(call.principal, call.body(schemas.GroupOrderIn)), call.now)


@routes.route("/group-buy/orders", methods=["GET"], roles=BUYER,
              response=lambda: responses.Page[view_models.GroupOrderView])
def my_group_orders(call: GroupBuy) -> dict[str, Any]:
    """The customer's group-buy orders, newest first."""
    return list_body(call.services.orders.orders(call.principal, *call.page()), lambda o: order_view(o, call.now))


@routes.route("/group-buy/orders/{group_order_id}", methods=["GET"], roles=BUYER_OR_OPS,
              response=lambda: view_models.GroupOrderView)
def get_group_order(call: GroupBuy, group_order_id: str) -> dict[str, Any]:
    """An order with its payment window, and once paid its vouchers' ids."""
    return order_view(call.services.orders.get(call.principal, group_order_id), call.now)


@routes.route("/group-buy/orders/{group_order_id}/cancel", methods=["POST"], roles=BUYER_OR_OPS,
              response=lambda: view_models.GroupOrderView)
def cancel_group_order(call: GroupBuy, group_order_id: str) -> dict[str, Any]:
    """Cancel an unpaid order."""
    return order_view(call.services.orders.cancel(call.principal, group_order_id), call.now)


@routes.route("/group-buy/orders/{group_order_id}/reconcile", methods=["POST"], roles=BUYER_OR_OPS,
              response=lambda: view_models.GroupOrderView)
def reconcile_group_order(call: GroupBuy, group_order_id: str) -> dict[str, Any]:
    """Ask the provider instead of waiting for its callback (the app, back from the pay page)."""
    return order_view(call.services.orders.reconcile(call.principal, group_order_id), call.now)


@routes.route("/vouchers", methods=["GET"], roles=BUYER, response=lambda: responses.Page[view_models.VoucherView])
def my_vouchers(call: GroupBuy) -> dict[str, Any]:
    """The customer's vouchers, newest first."""
    return list_body(call.services.vouchers.mine(call.principal, *call.page()),
                     lambda v: voucher_view(v, None, call.now))


@routes.route("/vouchers/{voucher_id}", methods=["GET"], roles=(Role.CUSTOMER, Role.MERCHANT, Role.OPS),
              response=lambda: view_models.VoucherView)
def get_voucher(call: GroupBuy, voucher_id: str) -> dict[str, Any]:
    """A voucher with its code, QR payload and bookings (a shop sees it once it redeemed it, without the code)."""
    vouchers = call.services.vouchers
    voucher = vouchers.get(call.principal, voucher_id)
    return voucher_view(voucher, vouchers.bookings_of(voucher), call.now,
                        for_buyer=call.principal.role is not Role.MERCHANT)


@routes.route("/vouchers/{voucher_id}/slots", methods=["GET"], roles=BUYER_OR_OPS,
              response=lambda: view_models.SlotListView)
def voucher_slots(call: GroupBuy, voucher_id: str) -> dict[str, Any]:
    """The slots the voucher can be booked into now (the list `slots.offered` pushes)."""
    return call.services.vouchers.slots(call.principal, voucher_id)


@routes.route("/vouchers/{voucher_id}/bookings", methods=["POST"], roles=BUYER, body=lambda: schemas.BookingsIn,
              response=lambda: view_models.BookingsMadeView)
def book_slots(call: GroupBuy, voucher_id: str) -> dict[str, Any]:
    """Pick one slot or several: each becomes a booking with its queue updates; full slots are refused.
    Picking a slot the voucher holds answers its booking again (one booking per voucher and slot)."""
    return call.services.vouchers.book(call.principal, voucher_id, call.body(schemas.BookingsIn).slot_ids)


@routes.route("/vouchers/{voucher_id}/bookings/{booking_id}/cancel", methods=["POST"], roles=BUYER_OR_OPS,
              response=lambda: view_models.BookingView)
def cancel_booking(call: GroupBuy, voucher_id: str, booking_id: str) -> dict[str, Any]:
    """Cancel a booking: its queue updates stop and its place is given back."""
    return booking_view(call.services.vouchers.cancel_booking(call.principal, voucher_id, booking_id), call.now)


@routes.route("/shops/{shop_id}/queue", methods=["GET"], roles=ANY_ROLE,
              response=lambda: view_models.QueueView)
def shop_queue(call: GroupBuy, shop_id: str) -> dict[str, Any]:
    """The shop's queue as last reported, with the estimated wait."""
    return call.services.vouchers.queue(shop_id)


@routes.route("/vouchers/{voucher_id}/video-upload", methods=["POST"], roles=BUYER, body_required=False,
              response=lambda: view_models.UploadView)
def request_video_upload(call: GroupBuy, voucher_id: str) -> dict[str, Any]:
    """A presigned POST for the on-site video (only the buyer, only after the shop redeemed the voucher)."""
    return call.services.videos.request_upload(call.principal, voucher_id)


@routes.route("/vouchers/{voucher_id}/videos/{video_id}/retry", methods=["POST"], roles=BUYER_OR_OPS,
              body_required=False, response=lambda: view_models.VideoView)
def retry_video(call: GroupBuy, voucher_id: str, video_id: str) -> dict[str, Any]:
    """Process a failed upload again."""
    return call.services.videos.retry(call.principal, voucher_id, video_id)


@routes.route("/deals/{deal_id}/videos", methods=["GET"], roles=ANY_ROLE,
              response=lambda: responses.Page[view_models.VideoView])
def deal_videos(call: GroupBuy, deal_id: str) -> dict[str, Any]:
    """Buyers' on-site videos of the deal, newest first, each with short-lived links to the MP4 and poster."""
    videos = call.services.videos
    return list_body(videos.published(deal_id, *call.page()), lambda v: videos.view(v, call.now))
