"""The models of the call-order bodies `order_views.py` renders, for the routes that answer them,
the messages that carry them and the API documents."""

from __future__ import annotations

from chalicelib.http.responses import MoneyView, ResponseBody, Timestamp


class CallOrderRefundView(ResponseBody):
    payment_id: str
    amount: MoneyView
    reason: str
    flagged_at: Timestamp


class CallOrderPaymentView(ResponseBody):
    provider: str
    payment_id: str
    pay_url: str | None
    """The page to pay on, while the order awaits payment."""


class CallOrderView(ResponseBody):
    order_id: str
    call_id: str
    merchant_id: str
    customer_id: str
    status: str
    """`draft`, `awaiting_payment`, `paid`, `expired` or `cancelled`."""
    content: str
    price: MoneyView
    """The merchant's price, in the merchant's currency."""
    time: Timestamp | None
    """When to deliver or serve."""
    address: str | None
    note: str | None
    payment: CallOrderPaymentView | None
    """Created when the order is sent (null for a draft)."""
    payment_deadline: Timestamp | None
    remaining_ms: int
    created_at: Timestamp
    sent_at: Timestamp | None
    paid_at: Timestamp | None
    cancelled_at: Timestamp | None
    cancel_reason: str | None
    """`cancelled_by_merchant` or `cancelled_by_customer`."""
    refund: CallOrderRefundView | None
    """A payment that arrived after the order was cancelled or expired: to be refunded."""
    server_time: Timestamp


class CallOrderChangedView(CallOrderView):
    previous_status: str
    cause: str
    """`payment`, `payment_window_elapsed`, `cancelled_by_merchant` or `cancelled_by_customer`."""
