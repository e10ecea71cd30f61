"""The platform's own stores in memory: idempotency records, the terminals' connections, payment
mismatches."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.idempotency import IdempotencyRecord, IdempotencyStore
from chalicelib.payments.mismatches import MismatchLog, RecordedMismatch
from chalicelib.persistence.paging import Page
from chalicelib.push.party import Party
from chalicelib.push.ports import ConnectionRegistry, Owner, RateLimiter, Terminal


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
        self._users: dict[str, str] = {}
        """connection id → the user who opened it"""

    def register(self, connection_id: str, party: Party, user_id: str, now_ms: int) -> None:
        self._connections[connection_id] = (party.key, now_ms)
        self._users[connection_id] = user_id

    def unregister(self, connection_id: str) -> None:
        self._connections.pop(connection_id, None)
        self._users.pop(connection_id, None)

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

    def owner_of(self, connection_id: str) -> Owner | None:
        party = self.party_of(connection_id)
        return None if party is None else Owner(party, self._users[connection_id])


class InMemoryRateLimiter(RateLimiter):
    """The DynamoDB limiter's fixed windows (`persistence/budgets.py`) in a dict: `limit` actions per
    connection in each `window_s` window, counted from the epoch."""

    def __init__(self, limit: int, window_s: int) -> None:
        self.limit = limit
        self.window_s = window_s
        self.spent: dict[str, int] = {}
        """`<connection id>#<window start s>` → actions allowed in that window"""

    def allow(self, connection_id: str, now_ms: int) -> int:
        now_s = now_ms // 1000
        start = now_s - now_s % self.window_s
        key = f"{connection_id}#{start}"
        if self.spent.get(key, 0) >= self.limit:
            return start + self.window_s - now_s
        self.spent[key] = self.spent.get(key, 0) + 1
        return 0

    def spend(self, connection_id: str, window_start_s: int, window_end_s: int, actions: int) -> int:
        key = f"{connection_id}#{window_start_s}"
        self.spent[key] = self.spent.get(key, 0) + actions
        return self.spent[key]


class InMemoryMismatchLog(MismatchLog):
    """One record per payment id, in the order first seen; a retry adds a delivery."""

    def __init__(self) -> None:
        self.kept: dict[str, RecordedMismatch] = {}

    def record(self, mismatch: RecordedMismatch) -> RecordedMismatch:
        known = self.kept.get(mismatch.payment_id)
        if known is not None:
            mismatch = replace(mismatch, first_received_at=known.first_received_at, deliveries=known.deliveries + 1)
        self.kept[mismatch.payment_id] = mismatch
        return mismatch

    def page(self, limit: int, token: str | None) -> Page[RecordedMismatch]:
        start = int(token or 0)
        items = list(self.kept.values())[start:start + limit]
        return Page(items, str(start + limit) if start + limit < len(self.kept) else None)
