"""An order drafted in a video call (spec 05): the merchant writes what was agreed — content, the
merchant's price, a time, an address, a note — edits it while it is a draft, and sends it to the
customer, who pays it inside its payment window. Several orders may belong to one call, and an
order outlives its call.

It is a waiting entity: its one alarm is the payment deadline while it awaits payment; a draft
has none (it waits for the merchant, not for time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from chalicelib.payments.port import PaymentRef, RefundDue
from chalicelib.payments.window import PaymentFailed, PaymentSucceeded, PaymentWindowElapsed
from chalicelib.persistence.paging import Page
from chalicelib.push.party import Party, customer, merchant
from chalicelib.waitstate.model import EntityStore

ORDER_KIND = "call_order"
"""The wait-state engine's name for call orders (alarm messages, the sweep)."""


class CallOrderStatus(StrEnum):
    DRAFT = "draft"
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


FINAL = frozenset({CallOrderStatus.PAID, CallOrderStatus.EXPIRED, CallOrderStatus.CANCELLED})


@dataclass(frozen=True)
class OrderHistory:
    at: int
    status: str
    cause: str


@dataclass(frozen=True)
class OrderTerms:
    """What the merchant writes in the order form: the whole of it, as a draft holds it."""

    content: str
    price: int
    """Minor units of `currency`, the merchant's (the customer's typed price is only a proposal)."""
    currency: str
    time: int | None = None
    """When to deliver or serve (ms)."""
    address: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class CallOrder:
    id: str
    call_id: str
    merchant_id: str
    customer_id: str
    status: CallOrderStatus
    terms: OrderTerms
    created_at: int
    updated_at: int
    payment: PaymentRef | None = None
    """Created when the order is sent (a draft is not payable)."""
    payment_deadline: int | None = None
    sent_at: int | None = None
    paid_at: int | None = None
    cancelled_at: int | None = None
    cancel_reason: str | None = None
    refund: RefundDue | None = None
    history: tuple[OrderHistory, ...] = field(default=())
    version: int = 0

    @property
    def wake_at(self) -> int | None:
        return self.payment_deadline if self.status is CallOrderStatus.AWAITING_PAYMENT else None

    @property
    def parties(self) -> tuple[Party, ...]:
        return customer(self.customer_id), merchant(self.merchant_id)

    @property
    def sent(self) -> bool:
        """Whether the customer has been sent it (a draft is the merchant's alone)."""
        return self.sent_at is not None


# ── events in: the merchant's edits and send, either party's cancel, the payment window's ──


@dataclass(frozen=True)
class EditDraft:
    terms: OrderTerms


@dataclass(frozen=True)
class SendOrder:
    """Drawn by the service: the provider's payment (created at send) and the deadline."""

    payment: PaymentRef
    payment_deadline: int


@dataclass(frozen=True)
class CancelOrder:
    by: str
    """`merchant:<merchant id>` or `customer:<user id>`."""

    @property
    def by_customer(self) -> bool:
        return self.by.startswith("customer:")


CallOrderEvent = EditDraft | SendOrder | CancelOrder | PaymentWindowElapsed | PaymentSucceeded | PaymentFailed


class CallOrderStore(EntityStore[CallOrder], Protocol):
    """Call orders (DynamoDB: `call_order_store.py`; in memory: the tests' fake)."""

    def get(self, order_id: str) -> CallOrder | None: ...

    def of_call(self, call_id: str) -> list[CallOrder]:
        """A call's orders, oldest first (a call has a few)."""
        ...

    def for_merchant(self, merchant_id: str, limit: int, token: str | None) -> Page[CallOrder]:
        """A merchant's orders, drafts too, newest first."""
        ...

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[CallOrder]:
        """A customer's sent orders (never a draft), most recently sent first."""
        ...
