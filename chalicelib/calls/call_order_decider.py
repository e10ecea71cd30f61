"""A call order's rules: `decide(order, event, now) -> Decision`. Pure: no clock, no AWS.

* **Draft**: the merchant edits it (only a draft is edited) and sends it, or cancels it. It has no
  alarm and no payment: the customer does not see it yet.
* **Sent** → `awaiting_payment`, with the payment the service created and the deadline it drew:
  the payment window of `payments/window.py` — paid in time (the provider's moment before the
  deadline) → `paid`; the deadline → `expired`; a payment after cancellation or expiry is kept as a
  refund to make and told to ops; another amount or currency is refused; a failure leaves the
  window open.
* **Cancel** by either party before payment → `cancelled` (the customer only once it was sent);
  cancelling a cancelled order again changes nothing; a paid or expired order is final.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from chalicelib.calls.call_order import (
    CallOrder,
    CallOrderEvent,
    CallOrderStatus,
    CancelOrder,
    EditDraft,
    OrderHistory,
    SendOrder,
)
from chalicelib.core.errors import InvalidTransition
from chalicelib.payments.port import RefundDue
from chalicelib.payments.window import (
    WINDOW_ELAPSED,
    PaymentFailed,
    PaymentSucceeded,
    PaymentWindow,
    PaymentWindowElapsed,
)
from chalicelib.waitstate.model import Decision

S = CallOrderStatus
TRANSITIONS: dict[CallOrderStatus, frozenset[CallOrderStatus]] = {
    S.DRAFT: frozenset({S.DRAFT, S.AWAITING_PAYMENT, S.CANCELLED}),
    S.AWAITING_PAYMENT: frozenset({S.PAID, S.EXPIRED, S.CANCELLED}),
    S.PAID: frozenset(),
    S.EXPIRED: frozenset(),
    S.CANCELLED: frozenset(),
}
"""Where each status may go (the table the unit tests hold `decide` to)."""
INITIAL = S.DRAFT

SENT = "sent"
PAID_CAUSE = "payment"
CANCELLED_BY_MERCHANT = "cancelled_by_merchant"
CANCELLED_BY_CUSTOMER = "cancelled_by_customer"


@dataclass(frozen=True)
class OrderSent:
    order: CallOrder


@dataclass(frozen=True)
class OrderChanged:
    """Paid, expired or cancelled."""

    order: CallOrder
    previous: CallOrderStatus
    cause: str


@dataclass(frozen=True)
class RefundFlagged:
    order: CallOrder


@dataclass(frozen=True)
class PaymentDeclined:
    order: CallOrder


class _Window:
    """A call order as `payments/window.py` decides its payment."""

    def awaiting(self, order: CallOrder) -> bool:
        return order.status is S.AWAITING_PAYMENT

    def paid(self, order: CallOrder) -> bool:
        return order.status is S.PAID

    def deadline(self, order: CallOrder) -> int:
        assert order.payment_deadline is not None, "only a sent order has a payment window"
        return order.payment_deadline

    def price(self, order: CallOrder) -> tuple[int, str]:
        return order.terms.price, order.terms.currency

    def refund(self, order: CallOrder) -> RefundDue | None:
        return order.refund

    def declined_at(self, order: CallOrder, at: int) -> bool:
        return any(h.cause == "payment_failed" and h.at == at for h in order.history)

    def elapse(self, order: CallOrder, now: int) -> Decision[CallOrder]:
        return _ended(order, S.EXPIRED, WINDOW_ELAPSED, now)

    def pay(self, order: CallOrder, payment: PaymentSucceeded, now: int) -> Decision[CallOrder]:
        paid = replace(order, status=S.PAID, paid_at=now, updated_at=now,
                       history=(*order.history, OrderHistory(now, S.PAID, PAID_CAUSE)))
        return Decision(paid, (OrderChanged(paid, order.status, PAID_CAUSE),))

    def flag_refund(self, order: CallOrder, refund: RefundDue, now: int) -> Decision[CallOrder]:
        flagged = replace(order, updated_at=now, refund=refund,
                          history=(*order.history, OrderHistory(now, order.status, "refund_due")))
        return Decision(flagged, (RefundFlagged(flagged),))

    def decline(self, order: CallOrder, failure: PaymentFailed, now: int) -> Decision[CallOrder]:
        declined = replace(order, updated_at=now,
                           history=(*order.history, OrderHistory(failure.at, order.status, "payment_failed")))
        return Decision(declined, (PaymentDeclined(declined),))


WINDOW: PaymentWindow[CallOrder, PaymentSucceeded] = PaymentWindow(_Window())


def decide(order: CallOrder, event: CallOrderEvent, now: int) -> Decision[CallOrder]:
    if order.payment is None and isinstance(event, PaymentWindowElapsed | PaymentSucceeded | PaymentFailed):
        return Decision(order)  # a draft has no payment and no window: nothing of the provider's is about it
    return WINDOW.decide(order, event, now, lambda current: _merchant_or_customer(current, event, now))


def _merchant_or_customer(order: CallOrder, event: object, now: int) -> Decision[CallOrder]:
    match event:
        case EditDraft(terms=terms):
            if order.status is not S.DRAFT:
                return _refused(order, "only a draft is edited; a sent order is as the customer received it")
            if terms == order.terms:
                return Decision(order)
            return Decision(replace(order, terms=terms, updated_at=now))
        case SendOrder(payment=payment, payment_deadline=deadline):
            if order.status is not S.DRAFT:
                return _refused(order, "only a draft is sent, once")
            sent = replace(order, status=S.AWAITING_PAYMENT, payment=payment, payment_deadline=deadline,
                           sent_at=now, updated_at=now,
                           history=(*order.history, OrderHistory(now, S.AWAITING_PAYMENT, SENT)))
            return Decision(sent, (OrderSent(sent),))
        case CancelOrder():
            return _cancel(order, event, now)
    raise TypeError(f"unknown call order event {event!r}")


def _cancel(order: CallOrder, cancel: CancelOrder, now: int) -> Decision[CallOrder]:
    if order.status is S.CANCELLED:
        return Decision(order)  # asked twice: it is cancelled
    if order.status is S.PAID:
        return _refused(order, "a paid order is final")
    if order.status is S.EXPIRED:
        return _refused(order, "the order expired unpaid; it is final")
    if order.status is S.DRAFT and cancel.by_customer:
        return _refused(order, "the customer has not been sent this order")  # the service never lets one get here
    cause = CANCELLED_BY_CUSTOMER if cancel.by_customer else CANCELLED_BY_MERCHANT
    return _ended(order, S.CANCELLED, cause, now)


def _ended(order: CallOrder, status: CallOrderStatus, cause: str, now: int) -> Decision[CallOrder]:
    cancelled_at = now if status is S.CANCELLED else None
    ended = replace(order, status=status, updated_at=now, cancelled_at=cancelled_at,
                    cancel_reason=cause if status is S.CANCELLED else None,
                    history=(*order.history, OrderHistory(now, status, cause)))
    return Decision(ended, (OrderChanged(ended, order.status, cause),))


def _refused(order: CallOrder, detail: str) -> Decision[CallOrder]:
    return Decision(order, refusal=InvalidTransition(detail, current_status=order.status.value))
