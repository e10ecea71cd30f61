"""A group-buy order: a quantity of one deal, paid once inside its payment window, and on payment
the vouchers it buys (one per unit, each with its own redeem code).

It is a waiting entity: its one alarm is the payment deadline while it waits for the money.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from chalicelib.payments import window
from chalicelib.payments.port import PaymentRef, RefundDue
from chalicelib.payments.window import PaymentFailed, PaymentWindowElapsed
from chalicelib.push.party import Party, customer


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class OrderHistory:
    at: int
    status: str
    cause: str


@dataclass(frozen=True)
class GroupOrder:
    id: str
    customer_id: str
    deal_id: str
    shop_id: str
    title: str
    """The deal's title when it was bought (a deal's later edits do not change what was sold)."""
    quantity: int
    unit_price: int
    currency: str
    status: OrderStatus
    payment: PaymentRef
    payment_deadline: int
    vouchers_expire_at: int
    created_at: int
    updated_at: int
    paid_at: int | None = None
    cancelled_at: int | None = None
    cancel_reason: str | None = None
    voucher_ids: tuple[str, ...] = ()
    refund: RefundDue | None = None
    history: tuple[OrderHistory, ...] = field(default=())
    version: int = 0

    @property
    def total(self) -> int:
        return self.unit_price * self.quantity

    @property
    def wake_at(self) -> int | None:
        return self.payment_deadline if self.status is OrderStatus.PENDING_PAYMENT else None

    @property
    def parties(self) -> tuple[Party, ...]:
        return (customer(self.customer_id),)


# ── events in: the payment window's (`payments/window.py`), and the customer's cancel ──────


@dataclass(frozen=True)
class PaymentSucceeded(window.PaymentSucceeded):
    drawn: tuple[tuple[str, str], ...] = ()
    """(voucher id, redeem code) for each unit, drawn by the service (randomness is not a rule)."""


@dataclass(frozen=True)
class CancelOrder:
    by: str


OrderEvent = PaymentWindowElapsed | PaymentSucceeded | PaymentFailed | CancelOrder
