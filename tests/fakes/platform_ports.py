"""The platform's own stores in memory: idempotency records and the terminals' connections."""

from __future__ import annotations

from chalicelib.idempotency import IdempotencyRecord, IdempotencyStore
from chalicelib.push.party import Party
from chalicelib.push.ports import ConnectionRegistry, Terminal


class InMemoryIdempotencyStore(IdempotencyStore):
    """Claimed when absent, or when an in-progress claim of the same body is older than
    `stale_before_ms` (its request crashed); otherwise the claim returns who holds the key."""

    def __init__(self) -> None:
        self.records: dict[str, IdempotencyRecord] = {}

    def claim(self, key: str, request_hash: str, now_ms: int, stale_before_ms: int) -> IdempotencyRecord | None:
        held = self.records.get(key)
        taken_over = (held is not None and not held.completed and held.started_at < stale_before_ms
                      and held.request_hash == request_hash)
        if held is None or taken_over:
            self.records[key] = IdempotencyRecord(request_hash, False, now_ms, None, None)
            return None
        return held

    def complete(self, key: str, request_hash: str, started_at: int, status_code: int, response_body: str) -> None:
        self.records[key] = IdempotencyRecord(request_hash, True, started_at, status_code, response_body)

    def release(self, key: str) -> None:
        self.records.pop(key, None)


class InMemoryConnectionRegistry(ConnectionRegistry):
    """Connections by id, found by party (`role#id`) in connection-id order, as the `by_party` index."""

    def __init__(self) -> None:
        self._connections: dict[str, tuple[str, int]] = {}
        """connection id → (party key, connected at)"""

    def register(self, connection_id: str, party: Party, user_id: str, now_ms: int) -> None:
        self._connections[connection_id] = (party.key, now_ms)

    def unregister(self, connection_id: str) -> None:
        self._connections.pop(connection_id, None)

    def connections_of(self, party: Party) -> list[str]:
        return [terminal.connection_id for terminal in self.terminals_of(party)]

    def terminals_of(self, party: Party) -> list[Terminal]:
        return [Terminal(c, at) for c, (key, at) in sorted(self._connections.items()) if key == party.key]

    def party_of(self, connection_id: str) -> Party | None:
        found = self._connections.get(connection_id)
        if found is None:
            return None
        role, _, party_id = found[0].partition("#")
        return Party(role, party_id)
