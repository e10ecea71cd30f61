"""A video call: a customer rings a merchant, one of the merchant's terminals answers, the two
terminals talk peer to peer (we relay their signalling), the customer types the deal's details
into the merchant's order form; either side hangs up.

It is a waiting entity with one alarm: the ring deadline while it rings, the next presence check
while it is connected (a call whose two terminals both vanished ends rather than staying
connected forever).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from chalicelib.push.party import Party, customer, merchant


class CallStatus(StrEnum):
    RINGING = "ringing"
    CONNECTED = "connected"
    ENDED = "ended"
    MISSED = "missed"
    DECLINED = "declined"
    CANCELLED = "cancelled"


LIVE = frozenset({CallStatus.RINGING, CallStatus.CONNECTED})


class Side(StrEnum):
    """One of the two parties of a call."""

    CUSTOMER = "customer"
    MERCHANT = "merchant"

    @property
    def other(self) -> Side:
        return Side.MERCHANT if self is Side.CUSTOMER else Side.CUSTOMER


DETAIL_FIELDS = ("content", "price_proposal", "when", "address")
"""The customer's input window: what, the price they propose, when, where."""


@dataclass(frozen=True, order=True)
class DetailValue:
    """A field as the customer typed it, with the version their terminal gave it: a higher version
    is newer text (ties: the larger text, so any two replicas agree)."""

    version: int
    value: str


Details = Mapping[str, DetailValue]


@dataclass(frozen=True)
class CallHistory:
    at: int
    status: str
    cause: str


@dataclass(frozen=True)
class Call:
    id: str
    customer_id: str
    merchant_id: str
    status: CallStatus
    customer_connection: str
    """The customer's terminal in the call (it placed the call, or rejoined it)."""
    ring_deadline: int
    presence_check_ms: int
    """How often a connected call checks that one of its terminals is still there."""
    created_at: int
    updated_at: int
    merchant_connection: str | None = None
    """The merchant terminal that answered (or rejoined): the only one signals go to."""
    answered_by: str | None = None
    """The merchant user (token subject) who answered."""
    answered_at: int | None = None
    ended_at: int | None = None
    end_cause: str | None = None
    next_presence_check: int | None = None
    absent_since: int | None = None
    """When a presence check first found neither terminal connected (the next such check ends the call)."""
    details: Details = field(default_factory=dict)
    details_requested_at: int | None = None
    details_submitted_at: int | None = None
    history: tuple[CallHistory, ...] = ()
    version: int = 0

    @property
    def wake_at(self) -> int | None:
        if self.status is CallStatus.RINGING:
            return self.ring_deadline
        if self.status is CallStatus.CONNECTED:
            return self.next_presence_check
        return None

    @property
    def live(self) -> bool:
        return self.status in LIVE

    @property
    def parties(self) -> tuple[Party, ...]:
        return (customer(self.customer_id), merchant(self.merchant_id))

    def connection_of(self, side: Side) -> str | None:
        return self.customer_connection if side is Side.CUSTOMER else self.merchant_connection

    def side_of_connection(self, connection_id: str) -> Side | None:
        """Which party a terminal speaks for in this call (None: it is not in the call)."""
        if connection_id == self.customer_connection:
            return Side.CUSTOMER
        if self.merchant_connection is not None and connection_id == self.merchant_connection:
            return Side.MERCHANT
        return None

    def detail_text(self) -> dict[str, str]:
        return {name: value.value for name, value in self.details.items()}


# ── events in ───────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class CallAlarm:
    """The call's alarm: the ring deadline, or a presence check."""

    wake_at: int


@dataclass(frozen=True)
class Answer:
    connection_id: str
    by: str


@dataclass(frozen=True)
class Decline:
    by: str


@dataclass(frozen=True)
class Cancel:
    by: str


@dataclass(frozen=True)
class HangUp:
    side: Side


@dataclass(frozen=True)
class Rejoin:
    side: Side
    connection_id: str


@dataclass(frozen=True)
class RequestDetails:
    pass


@dataclass(frozen=True)
class UpdateDetails:
    fields: Details
    submit: bool = False


@dataclass(frozen=True)
class PresenceChecked:
    """What the service found when the decider asked it to look (`CheckPresence`)."""

    anyone_connected: bool


CallEvent = CallAlarm | Answer | Decline | Cancel | HangUp | Rejoin | RequestDetails | UpdateDetails | PresenceChecked
