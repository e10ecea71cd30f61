"""The models of the bodies `views.py` renders (orders, vouchers, bookings, slot lists, queues,
videos), for the routes that answer them, the messages that carry them and the API documents."""

from __future__ import annotations

from typing import Any

from chalicelib.http.responses import MoneyView, ResponseBody, Timestamp


class RefundView(ResponseBody):
    payment_id: str
    amount: MoneyView
    reason: str
    flagged_at: Timestamp


class OrderPaymentView(ResponseBody):
    provider: str
    payment_id: str
    pay_url: str | None
    """The page to pay on, while the order waits for its payment."""


class GroupOrderView(ResponseBody):
    order_id: str
    status: str
    deal_id: str
    shop_id: str
    title: str
    quantity: int
    unit_price: MoneyView
    total: MoneyView
    payment: OrderPaymentView
    payment_deadline: Timestamp
    remaining_ms: int
    vouchers_expire_at: Timestamp
    voucher_ids: list[str]
    created_at: Timestamp
    paid_at: Timestamp | None
    cancelled_at: Timestamp | None
    cancel_reason: str | None
    refund: RefundView | None
    server_time: Timestamp


class GroupOrderChangedView(GroupOrderView):
    previous_status: str
    cause: str


class BookingView(ResponseBody):
    booking_id: str
    voucher_id: str
    shop_id: str
    slot_id: str
    slot_start: Timestamp
    slot_end: Timestamp
    status: str
    next_update_at: Timestamp | None
    last_update_at: Timestamp | None
    created_at: Timestamp
    server_time: Timestamp


class BookingChangedView(BookingView):
    previous_status: str
    cause: str


class VoucherView(ResponseBody):
    voucher_id: str
    order_id: str | None
    """The buyer's order (a shop that redeemed the voucher does not see it)."""
    deal_id: str
    shop_id: str
    title: str
    status: str
    code: str | None
    """The redeem code (only its buyer sees it)."""
    qr_payload: str | None
    price: MoneyView
    expires_at: Timestamp
    used_at: Timestamp | None
    refund: RefundView | None
    """An unused voucher is refunded when it expires."""
    bookings: list[BookingView] | None
    created_at: Timestamp
    server_time: Timestamp


class SlotView(ResponseBody):
    slot_id: str
    meal: str
    local_date: str
    start: Timestamp
    end: Timestamp
    places_left: int | None
    """None: the shop sets no capacity."""
    booking_id: str | None
    """This voucher's booking of the slot, if it holds one."""


class SlotListView(ResponseBody):
    voucher_id: str
    deal_id: str
    shop_id: str
    shop_name: str
    time_zone: str
    reason: str
    """Why the list was sent: `paid`, `no_show`, or `requested` (fetched)."""
    expires_at: Timestamp
    slots: list[SlotView]
    server_time: Timestamp


class BookingsMadeView(ResponseBody):
    voucher_id: str
    bookings: list[BookingView]
    refused: list[dict[str, str]]
    """Slots picked that could not be booked, each with `reason` (`full`, `not_offered`, …)."""


class QueueView(ResponseBody):
    shop_id: str
    people_waiting: int
    estimated_wait_min: int
    minutes_per_person: float
    basis: str
    """`recent_rate` (from the shop's recent redemptions) or `default` (its per-person default)."""
    reported_at: Timestamp | None
    server_time: Timestamp


class QueueUpdateView(QueueView):
    booking: BookingView
    moment: Timestamp
    """The update moment this push is for (`slot start − lead + k · interval`)."""


class UploadView(ResponseBody):
    voucher_id: str
    video_id: str
    upload: dict[str, Any]
    """A presigned POST: `url` and the form `fields` to send with the file (field name `file`)."""
    max_bytes: int
    content_types: str
    max_source_s: int
    expires_at: Timestamp
    server_time: Timestamp


class VideoView(ResponseBody):
    video_id: str
    deal_id: str
    shop_id: str
    shop_name: str
    visit_date: str
    status: str
    reason: str | None
    detail: str | None
    duration_s: float | None
    width: int | None
    height: int | None
    video_url: str | None
    poster_url: str | None
    published_at: Timestamp | None
    created_at: Timestamp
    server_time: Timestamp
