"""What group-buy pushes to terminals (`Contribution.messages`; `docs/asyncapi.json`)."""

from __future__ import annotations

from chalicelib.groupbuy.view_models import (
    BookingChangedView,
    GroupOrderChangedView,
    GroupOrderView,
    QueueUpdateView,
    SlotListView,
    UploadView,
    VideoView,
    VoucherView,
)
from chalicelib.http.responses import ResponseBody
from chalicelib.push.messages import Message


class GroupBuyAlertView(ResponseBody):
    """Something managers must look at: `refund_due` (a late payment, an expired voucher),
    `payment_mismatch`, `video_processing_failed`; with the order, voucher or video concerned."""

    kind: str
    group_order: GroupOrderView | None = None
    voucher: VoucherView | None = None
    video: VideoView | None = None


CUSTOMER = ("customer",)
MESSAGES = (
    Message("group_order.status_changed", GroupOrderChangedView, "A group-buy order was paid or cancelled.", CUSTOMER),
    Message("group_order.payment_failed", GroupOrderView, "The provider declined the payment; the window is still "
            "open.", CUSTOMER),
    Message("group_order.refund_due", GroupOrderView, "A payment arrived for an order already cancelled: it will be "
            "refunded.", CUSTOMER),
    Message("voucher.issued", VoucherView, "A paid order's voucher, with its redeem code and QR payload.", CUSTOMER),
    Message("slots.offered", SlotListView, "The slots a voucher can be booked into: after payment (`reason: paid`) "
            "and after a missed slot (`reason: no_show`).", CUSTOMER),
    Message("booking.changed", BookingChangedView, "A booking was cancelled, used, missed or booked again.", CUSTOMER),
    Message("queue.updated", QueueUpdateView, "The shop's queue ahead of a booked slot: at `slot start − lead`, then "
            "every interval until the slot ends or the voucher is used.", CUSTOMER),
    Message("voucher.redeemed", VoucherView, "The shop redeemed the voucher.", CUSTOMER),
    Message("voucher.expired", VoucherView, "The voucher expired unused: its price is refunded.", CUSTOMER),
    Message("video.requested", UploadView, "After redemption: record the visit and upload it with this presigned "
            "POST.", CUSTOMER),
    Message("video.published", VideoView, "The uploaded video was processed and is on the deal's page.", CUSTOMER),
    Message("video.rejected", VideoView, "The upload was refused (`reason`: not_a_video, audio_only, truncated, "
            "too_long, too_large, unreadable); nothing was published.", CUSTOMER),
    Message("video.failed", VideoView, "Processing failed; the upload is kept and can be retried.", CUSTOMER),
    Message("alert.raised", GroupBuyAlertView, "A group-buy order, voucher or video needs a manager.", ("ops",)),
)
