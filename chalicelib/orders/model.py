"""The order entity of workflow 01 and the events its decider understands. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from chalicelib.core.address import Address
from chalicelib.core.money import Money
from chalicelib.push.party import Party, customer, merchant


class Status(StrEnum):
    NEW = "new"
    CONNECTED = "connected"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    RETURNED = "returned"
    DISPATCHED = "dispatched"
    COMPLETED = "completed"
    NOT_CONNECTED = "not_connected"
    UNANSWERED = "unanswered"
    CANCELLED = "cancelled"


WAITING = frozenset({Status.NEW, Status.CONNECTED})
"""While waiting, the answer window is open and the order carries its alarm."""


class MerchantAction(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    RETURN = "return"
    DISPATCH = "dispatch"
    COMPLETE = "complete"


class RejectReason(StrEnum):
    BUSY = "busy"
    OUT_OF_STOCK = "out_of_stock"
    CLOSING = "closing"
    OTHER = "other"


@dataclass(frozen=True)
class OrderLine:
    product_id: str
    name: str
    unit_price: int
    quantity: int

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class HistoryEntry:
    at: int
    status: Status
    cause: str


@dataclass(frozen=True)
class Order:
    id: str
    customer_id: str
    merchant_id: str
    status: Status
    lines: tuple[OrderLine, ...]
    currency: str
    address: Address
    note: str | None
    created_at: int
    updated_at: int
    window_ms: int
    window_started_at: int
    answer_deadline: int
    round: int = 1
    connected_at: int | None = None
    answered_at: int | None = None
    reason: str | None = None
    """The merchant's reason: a `RejectReason` when rejected, what to change when returned."""
    history: tuple[HistoryEntry, ...] = field(default=())
    version: int = 0

    @property
    def total(self) -> Money:
        return Money(sum(line.amount for line in self.lines), self.currency)

    @property
    def wake_at(self) -> int | None:
        return self.answer_deadline if self.status in WAITING else None

    @property
    def is_waiting(self) -> bool:
        return self.status in WAITING

    @property
    def parties(self) -> tuple[Party, ...]:
        return customer(self.customer_id), merchant(self.merchant_id)


# ── events the decider understands (what happened / what someone asks for) ──────────────────

@dataclass(frozen=True)
class Fetch:
    """The merchant terminal fetched the full order: proof of receipt."""


@dataclass(frozen=True)
class Answer:
    action: MerchantAction
    reason: str | None = None
    """A `RejectReason` for a reject; for a return, what the customer should change."""


@dataclass(frozen=True)
class Cancel:
    """The customer withdraws the order while it waits for an answer."""


@dataclass(frozen=True)
class Resubmit:
    """The customer sends a returned order again, edited; a fresh window starts."""

    lines: tuple[OrderLine, ...]
    address: Address
    note: str | None
    window_ms: int


@dataclass(frozen=True)
class Deadline:
    """The alarm for `wake_at` fired."""

    wake_at: int


OrderEvent = Fetch | Answer | Cancel | Resubmit | Deadline


# ── what the decider reports happened (reacted to after the commit) ─────────────────────────

@dataclass(frozen=True)
class WindowOpened:
    """A window started: a placed or resubmitted order now awaits the merchant's answer."""

    order: Order


@dataclass(frozen=True)
class StatusChanged:
    order: Order
    previous: Status
    cause: str
