"""How group-buy orders, vouchers, bookings, slots, queues and videos look on the wire.

* The buyer sees its order (money, payment, status), its vouchers with their redeem code and QR
  payload, their bookings and the queue; a shop sees a voucher only once it has redeemed it, and
  never its code's QR payload again.
* Anyone sees a deal's published videos: the shop, the visit date and two short-lived links.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.money import money_of
from chalicelib.core.timefmt import iso, iso_or_none
from chalicelib.groupbuy.booking import Booking
from chalicelib.groupbuy.order import GroupOrder, OrderStatus
from chalicelib.groupbuy.ports import ShopQueue
from chalicelib.groupbuy.queue_estimate import QueueEstimate
from chalicelib.groupbuy.slots import Slot
from chalicelib.groupbuy.video import Video
from chalicelib.groupbuy.voucher import Voucher
from chalicelib.payments.port import RefundDue


def refund_view(refund: RefundDue | None) -> dict[str, Any] | None:
    if refund is None:
        return None
    return {"payment_id": refund.payment_id, "amount": money_of(refund.amount, refund.currency),
            "reason": refund.reason, "flagged_at": iso(refund.flagged_at)}


def order_view(order: GroupOrder, now: int) -> dict[str, Any]:
    pending = order.status is OrderStatus.PENDING_PAYMENT
    return {
        "order_id": order.id, "status": order.status.value, "deal_id": order.deal_id, "shop_id": order.shop_id,
        "title": order.title, "quantity": order.quantity, "unit_price": money_of(order.unit_price, order.currency),
        "total": money_of(order.total, order.currency),
        "payment": {"provider": order.payment.provider, "payment_id": order.payment.payment_id,
                    "pay_url": order.payment.pay_url if pending else None},
        "payment_deadline": iso(order.payment_deadline),
        "remaining_ms": max(0, order.payment_deadline - now) if pending else 0,
        "vouchers_expire_at": iso(order.vouchers_expire_at), "voucher_ids": list(order.voucher_ids),
        "created_at": iso(order.created_at), "paid_at": iso_or_none(order.paid_at),
        "cancelled_at": iso_or_none(order.cancelled_at), "cancel_reason": order.cancel_reason,
        "refund": refund_view(order.refund), "server_time": iso(now),
    }


def slot_view(slot: Slot, places_left: int | None = None, booking_id: str | None = None) -> dict[str, Any]:
    return {"slot_id": slot.slot_id, "meal": slot.meal, "local_date": slot.local_date, "start": iso(slot.start_ms),
            "end": iso(slot.end_ms), "places_left": places_left, "booking_id": booking_id}


def booking_view(booking: Booking, now: int) -> dict[str, Any]:
    return {
        "booking_id": booking.id, "voucher_id": booking.voucher_id, "shop_id": booking.shop_id,
        "slot_id": booking.slot_id, "slot_start": iso(booking.slot_start), "slot_end": iso(booking.slot_end),
        "status": booking.status.value, "next_update_at": iso_or_none(booking.next_update_at),
        "last_update_at": iso_or_none(booking.last_update_at), "created_at": iso(booking.created_at),
        "server_time": iso(now),
    }


def voucher_view(voucher: Voucher, bookings: list[Booking] | None, now: int, *, for_buyer: bool = True
                 ) -> dict[str, Any]:
    return {
        "voucher_id": voucher.id, "order_id": voucher.order_id if for_buyer else None, "deal_id": voucher.deal_id,
        "shop_id": voucher.shop_id, "title": voucher.title, "status": voucher.status.value,
        "code": voucher.code if for_buyer else None, "qr_payload": voucher.qr_payload if for_buyer else None,
        "price": money_of(voucher.price, voucher.currency), "expires_at": iso(voucher.expires_at),
        "used_at": iso_or_none(voucher.used_at), "refund": refund_view(voucher.refund),
        "bookings": None if bookings is None else [booking_view(b, now) for b in bookings],
        "created_at": iso(voucher.created_at), "server_time": iso(now),
    }


def queue_view(queue: ShopQueue, estimate: QueueEstimate, now: int) -> dict[str, Any]:
    return {
        "shop_id": queue.shop_id, "people_waiting": estimate.people_waiting,
        "estimated_wait_min": estimate.estimated_wait_min, "minutes_per_person": estimate.minutes_per_person,
        "basis": estimate.basis, "reported_at": iso_or_none(queue.reported_at), "server_time": iso(now),
    }


def video_view(video: Video, links: dict[str, str] | None, now: int) -> dict[str, Any]:
    return {
        "video_id": video.id, "deal_id": video.deal_id, "shop_id": video.shop_id, "shop_name": video.shop_name,
        "visit_date": video.visit_date, "status": video.status.value, "reason": video.reason,
        "detail": video.detail, "duration_s": video.duration_s, "width": video.width, "height": video.height,
        "video_url": None if links is None else links.get("video"),
        "poster_url": None if links is None else links.get("poster"),
        "published_at": iso_or_none(video.published_at), "created_at": iso(video.created_at),
        "server_time": iso(now),
    }
