"""Ports of the push layer: where terminals are registered and how bytes reach one."""

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


class PushSender(Protocol):
    def post(self, connection_id: str, payload: bytes) -> Delivery: ...


class ConnectionRegistry(Protocol):
    def register(self, connection_id: str, party: Party, user_id: str, now_ms: int) -> None: ...

    def unregister(self, connection_id: str) -> None: ...

    def connections_of(self, party: Party) -> list[str]: ...

    def terminals_of(self, party: Party) -> list[Terminal]: ...

    def party_of(self, connection_id: str) -> Party | None: ...
