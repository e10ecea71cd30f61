"""A party's terminals, remembered for a second per container.

Every push asks "which terminals does this party have?" — a DynamoDB query per party per push, and
a status change pushes to two parties. Remembering the answer for `ttl_ms` saves most of those
queries when a merchant is busy. Registrations and removals made through this container forget the
party at once (so the local stack, one container, is always exact); a terminal that connected
through another container may miss at most `ttl_ms` of pushes — it lists its pending work on
connect anyway, as API Gateway's own connect handshake already requires.
"""

from __future__ import annotations

import threading

from chalicelib.core.clock import Clock
from chalicelib.push.party import Party
from chalicelib.push.ports import ConnectionRegistry, Owner, Terminal

DEFAULT_TTL_MS = 1_000


class RecentTerminals:
    """A `ConnectionRegistry` in front of another one."""

    def __init__(self, registry: ConnectionRegistry, clock: Clock, ttl_ms: int = DEFAULT_TTL_MS) -> None:
        self._registry = registry
        self._clock = clock
        self._ttl_ms = ttl_ms
        self._known: dict[str, tuple[int, list[Terminal]]] = {}
        self._lock = threading.Lock()

    def register(self, connection_id: str, party: Party, user_id: str, now_ms: int) -> None:
        self._registry.register(connection_id, party, user_id, now_ms)
        with self._lock:
            self._known.pop(party.key, None)

    def unregister(self, connection_id: str) -> None:
        self._registry.unregister(connection_id)
        with self._lock:
            for key in [k for k, (_, terminals) in self._known.items()
                        if any(t.connection_id == connection_id for t in terminals)]:
                del self._known[key]

    def terminals_of(self, party: Party) -> list[Terminal]:
        now = self._clock.now_ms()
        with self._lock:
            known = self._known.get(party.key)
        if known is not None and known[0] > now:
            return list(known[1])
        terminals = self._registry.terminals_of(party)
        with self._lock:
            self._known[party.key] = (now + self._ttl_ms, terminals)
        return list(terminals)

    def connections_of(self, party: Party) -> list[str]:
        return [terminal.connection_id for terminal in self.terminals_of(party)]

    def party_of(self, connection_id: str) -> Party | None:
        return self._registry.party_of(connection_id)

    def owner_of(self, connection_id: str) -> Owner | None:
        return self._registry.owner_of(connection_id)
