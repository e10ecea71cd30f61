"""Ports of the push layer: where terminals are registered, how bytes reach one, and how often one
may ask a package to act."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from chalicelib.push.party import Party


class Delivery(Enum):
    DELIVERED = "delivered"
    GONE = "gone"  # the terminal disconnected: forget this connection
    FAILED = "failed"  # transient: keep the connection, the terminal re-fetches on reconnect


@dataclass(frozen=True)
class Terminal:
    connection_id: str
    connected_at: int


@dataclass(frozen=True)
class Owner:
    """Who a connection belongs to: its party and the user (token `sub`) who opened it."""

    party: Party
    user_id: str


class PushSender(Protocol):
    def post(self, connection_id: str, payload: bytes) -> Delivery: ...


class ConnectionRegistry(Protocol):
    def register(self, connection_id: str, party: Party, user_id: str, now_ms: int) -> None: ...

    def unregister(self, connection_id: str) -> None: ...

    def connections_of(self, party: Party) -> list[str]: ...

    def terminals_of(self, party: Party) -> list[Terminal]: ...

    def party_of(self, connection_id: str) -> Party | None: ...

    def owner_of(self, connection_id: str) -> Owner | None:
        """A REST route checks with this that a connection it is told about is the caller's."""
        ...


class RateLimiter(Protocol):
    def allow(self, connection_id: str, now_ms: int) -> int:
        """0 when the connection may send one more package action now, else the seconds to wait."""
        ...
