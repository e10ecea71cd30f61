"""A group-buy order's rules: `decide(order, event, now) -> Decision`. Pure: no clock, no AWS.

The order waits for one payment inside its payment window (the same rules as a split order's,
workflow 03):

* **Paid in time** (the provider's signed moment of payment before the deadline) → `paid`, and in
  the same transaction its vouchers are created, one per unit, each with the code the service drew
  and its own expiry alarm: paid once, vouchers issued once.
* **The window elapses** (or the customer cancels) → `cancelled`; nothing was issued.
* **A payment after cancellation** is kept as a refund to make, pushed to ops: never lost.

Duplicated and out-of-order callbacks change nothing once the order is final.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from chalicelib.core.errors import InvalidTransition
from chalicelib.groupbuy.order import (
    CancelOrder,
    GroupOrder,
    OrderEvent,
    OrderHistory,
    OrderStatus,
    PaymentSucceeded,
)
from chalicelib.groupbuy.voucher import Voucher, VoucherHistory, VoucherStatus
from chalicelib.payments.port import RefundDue
from chalicelib.payments.window import WINDOW_ELAPSED, PaymentFailed, PaymentWindow
from chalicelib.waitstate.model import Decision

CANCELLED_BY_CUSTOMER = "cancelled_by_customer"


@dataclass(frozen=True)
class OrderChanged:
    order: GroupOrder
    previous: OrderStatus
    cause: str


@dataclass(frozen=True)
class VouchersIssued:
    order: GroupOrder
    vouchers: tuple[Voucher, ...]


@dataclass(frozen=True)
class RefundFlagged:
    order: GroupOrder


@dataclass(frozen=True)
class PaymentDeclined:
    order: GroupOrder


@dataclass(frozen=True)
class NewVoucher:
    """Written with the payment: the voucher, and its code claimed (a code names one voucher)."""

    voucher: Voucher


class _Window:
    """A group-buy order as `payments/window.py` decides its payment."""

    def awaiting(self, order: GroupOrder) -> bool:
        return order.status is OrderStatus.PENDING_PAYMENT

    def paid(self, order: GroupOrder) -> bool:
        return order.status is OrderStatus.PAID

    def deadline(self, order: GroupOrder) -> int:
        return order.payment_deadline

    def price(self, order: GroupOrder) -> tuple[int, str]:
        return order.total, order.currency

    def refund(self, order: GroupOrder) -> RefundDue | None:
        return order.refund

    def declined_at(self, order: GroupOrder, at: int) -> bool:
        return any(h.cause == "payment_failed" and h.at == at for h in order.history)

    def elapse(self, order: GroupOrder, now: int) -> Decision[GroupOrder]:
        return _cancelled(order, WINDOW_ELAPSED, now)

    def pay(self, order: GroupOrder, payment: PaymentSucceeded, now: int) -> Decision[GroupOrder]:
        vouchers = vouchers_of(order, payment.drawn, now)
        paid = replace(order, status=OrderStatus.PAID, paid_at=now, updated_at=now,
                       voucher_ids=tuple(v.id for v in vouchers),
                       history=(*order.history, OrderHistory(now, OrderStatus.PAID, "payment")))
        return Decision(paid, (OrderChanged(paid, order.status, "payment"), VouchersIssued(paid, vouchers)),
                        writes=tuple(NewVoucher(v) for v in vouchers))

    def flag_refund(self, order: GroupOrder, refund: RefundDue, now: int) -> Decision[GroupOrder]:
        flagged = replace(order, updated_at=now, refund=refund,
                          history=(*order.history, OrderHistory(now, order.status, "refund_due")))
        return Decision(flagged, (RefundFlagged(flagged),))

    def decline(self, order: GroupOrder, failure: PaymentFailed, now: int) -> Decision[GroupOrder]:
        declined = replace(order, updated_at=now,
                           history=(*order.history, OrderHistory(failure.at, order.status, "payment_failed")))
        return Decision(declined, (PaymentDeclined(declined),))


WINDOW: PaymentWindow[GroupOrder, PaymentSucceeded] = PaymentWindow(_Window())


def decide(order: GroupOrder, event: OrderEvent, now: int) -> Decision[GroupOrder]:
    return WINDOW.decide(order, event, now, lambda current: _cancel(current, event, now))


def _cancel(order: GroupOrder, event: object, now: int) -> Decision[GroupOrder]:
    if not isinstance(event, CancelOrder):
        raise TypeError(f"unknown order event {event!r}")
    if order.status is OrderStatus.CANCELLED:
        return Decision(order)
    if order.status is OrderStatus.PAID:
        return Decision(order, refusal=InvalidTransition(
            "a paid group-buy order is not cancelled; its unused vouchers are refunded when they expire",
            current_status=order.status.value))
    return _cancelled(order, CANCELLED_BY_CUSTOMER, now)


def vouchers_of(order: GroupOrder, drawn: tuple[tuple[str, str], ...], now: int) -> tuple[Voucher, ...]:
    if len(drawn) != order.quantity:
        raise ValueError(f"{len(drawn)} codes drawn for {order.quantity} vouchers")  # a service bug
    return tuple(Voucher(
        id=voucher_id, order_id=order.id, customer_id=order.customer_id, deal_id=order.deal_id,
        shop_id=order.shop_id, title=order.title, code=code, price=order.unit_price, currency=order.currency,
        payment_id=order.payment.payment_id, status=VoucherStatus.ACTIVE, expires_at=order.vouchers_expire_at,
        created_at=now, history=(VoucherHistory(now, VoucherStatus.ACTIVE.value, "paid"),))
        for voucher_id, code in drawn)


def _cancelled(order: GroupOrder, cause: str, now: int) -> Decision[GroupOrder]:
    cancelled = replace(order, status=OrderStatus.CANCELLED, cancelled_at=now, cancel_reason=cause, updated_at=now,
                        history=(*order.history, OrderHistory(now, OrderStatus.CANCELLED, cause)))
    return Decision(cancelled, (OrderChanged(cancelled, order.status, cause),))
