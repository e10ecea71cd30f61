"""How call orders look on the wire (`CallOrderView`, `order_view_models.py`): the same to the
merchant, the customer and ops. The pay page is shown only while the order awaits payment."""

from __future__ import annotations

from typing import Any

from chalicelib.calls.call_order import CallOrder, CallOrderStatus
from chalicelib.core.money import money_of
from chalicelib.core.timefmt import iso, iso_or_none
from chalicelib.payments.port import RefundDue


def refund_view(refund: RefundDue | None) -> dict[str, Any] | None:
    if refund is None:
        return None
    return {"payment_id": refund.payment_id, "amount": money_of(refund.amount, refund.currency),
            "reason": refund.reason, "flagged_at": iso(refund.flagged_at)}


def order_view(order: CallOrder, now: int) -> dict[str, Any]:
    awaiting = order.status is CallOrderStatus.AWAITING_PAYMENT
    terms, payment, deadline = order.terms, order.payment, order.payment_deadline
    return {
        "order_id": order.id, "call_id": order.call_id, "merchant_id": order.merchant_id,
        "customer_id": order.customer_id, "status": order.status.value, "content": terms.content,
        "price": money_of(terms.price, terms.currency), "time": iso_or_none(terms.time), "address": terms.address,
        "note": terms.note,
        "payment": None if payment is None else {"provider": payment.provider, "payment_id": payment.payment_id,
                                                 "pay_url": payment.pay_url if awaiting else None},
        "payment_deadline": iso_or_none(deadline),
        "remaining_ms": max(0, deadline - now) if awaiting and deadline is not None else 0,
        "created_at": iso(order.created_at), "sent_at": iso_or_none(order.sent_at),
        "paid_at": iso_or_none(order.paid_at), "cancelled_at": iso_or_none(order.cancelled_at),
        "cancel_reason": order.cancel_reason, "refund": refund_view(order.refund), "server_time": iso(now),
    }
