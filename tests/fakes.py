"""Test doubles of the real ports: push sender, alarm queue, and an in-memory entity store.

Each one implements the port it stands in for (the Protocol is its base class, so mypy checks
the signatures), and `tests/integration/test_engine_contract_dynamo.py` runs the same engine
tests against the in-memory store and the DynamoDB one, which keeps the fake honest.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Generic, TypeVar

from chalicelib.core.clock import FakeClock
from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate
from chalicelib.persistence.entity_store import due_shard
from chalicelib.push.ports import Delivery, PushSender
from chalicelib.waitstate.model import AlarmMessage, AlarmQueue, DueAlarm, EntityStore, Stored, WaitingEntity

E = TypeVar("E", bound=WaitingEntity)


class RecordingPushSender(PushSender):
    """Delivers into a list per connection; connections in `gone` answer 410."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.gone: set[str] = set()

    def post(self, connection_id: str, payload: bytes) -> Delivery:
        if connection_id in self.gone:
            return Delivery.GONE
        self.sent.append((connection_id, json.loads(payload)))
        return Delivery.DELIVERED

    def to(self, connection_id: str, message_type: str | None = None) -> list[dict[str, Any]]:
        return [m for c, m in self.sent if c == connection_id and (message_type is None or m["type"] == message_type)]


class HookedClock(FakeClock):
    """A FakeClock that can let something happen while the engine waits (`sleep_ms`)."""

    def __init__(self, now_ms: int = 1_795_000_000_000) -> None:
        super().__init__(now_ms)
        self._during_sleep: list[Callable[[], object]] = []
        self.slept: list[int] = []

    def during_next_sleep(self, happening: Callable[[], object]) -> None:
        self._during_sleep.append(happening)

    def sleep_ms(self, ms: int) -> None:
        self.slept.append(ms)
        if self._during_sleep:
            self._during_sleep.pop(0)()
        super().sleep_ms(ms)


class SqsUnavailable(ConnectionError):
    """What a failed SendMessage looks like to the engine: any exception from the transport."""


class RecordingAlarmQueue(AlarmQueue):
    """Keeps every trigger with its delay; `fail_sends = n` makes the next n sends raise."""

    def __init__(self) -> None:
        self.sent: list[tuple[AlarmMessage, int]] = []
        self.fail_sends = 0

    def send(self, message: AlarmMessage, delay_s: int) -> None:
        if self.fail_sends:
            self.fail_sends -= 1
            raise SqsUnavailable("SendMessage failed")
        self.sent.append((message, delay_s))

    def take(self) -> list[AlarmMessage]:
        taken = [m for m, _ in self.sent]
        self.sent.clear()
        return taken


class InMemoryEntityStore(EntityStore[E], Generic[E]):
    """The `EntityStore` contract in a dict: versions start at 1 on insert and grow by one per
    commit, `due` is a sparse index by shard, a commit from a stale version raises ConcurrentUpdate."""

    def __init__(self, shards: int = 16) -> None:
        self._shards = shards
        self._items: dict[str, Stored[E]] = {}
        self.writes: list[object] = []
        """Side records, in commit order; only committed decisions add theirs."""

    def load(self, entity_id: str) -> Stored[E] | None:
        return self._items.get(entity_id)

    def insert(self, entity: E, alarm_set_at: int | None, writes: tuple[object, ...] = ()) -> E:
        if entity.id in self._items:
            raise AlreadyExists(entity.id)
        self.writes.extend(writes)
        return self._put(entity, 1, alarm_set_at)

    def commit(self, entity: E, expected_version: int, alarm_set_at: int | None,
               writes: tuple[object, ...] = ()) -> E:
        current = self._items.get(entity.id)
        if current is None or current.entity.version != expected_version:
            raise ConcurrentUpdate(entity.id)
        self.writes.extend(writes)
        return self._put(entity, expected_version + 1, alarm_set_at)

    def due(self, shard: int, until_ms: int) -> list[DueAlarm]:
        alarms = [
            DueAlarm(entity_id, stored.entity.wake_at, stored.alarm_set_at)
            for entity_id, stored in self._items.items()
            if stored.entity.wake_at is not None and stored.entity.wake_at <= until_ms
            and due_shard(entity_id, self._shards) == shard
        ]
        return sorted(alarms, key=lambda alarm: alarm.wake_at)

    def _put(self, entity: E, version: int, alarm_set_at: int | None) -> E:
        stored: E = replace(entity, version=version)  # type: ignore[type-var]
        self._items[entity.id] = Stored(stored, alarm_set_at if entity.wake_at is not None else None)
        return stored


Interloper = Callable[[], object]


class InterleavingStore(EntityStore[E], Generic[E]):
    """Wraps any store; `before_next_commit(fn)` runs another writer right before the next
    conditional write is sent, so that write is checked against what the other writer left.
    This is how a test makes a commit lose the race (ConcurrentUpdate) on any real store."""

    def __init__(self, inner: EntityStore[E]) -> None:
        self.inner = inner
        self._interlopers: list[Interloper] = []
        self.commits = 0
        self.lost = 0

    def before_next_commit(self, interloper: Interloper) -> None:
        self._interlopers.append(interloper)

    def forget_interlopers(self) -> None:
        """Drop interlopers that never ran (the writer was refused before it wrote)."""
        self._interlopers.clear()

    def load(self, entity_id: str) -> Stored[E] | None:
        return self.inner.load(entity_id)

    def insert(self, entity: E, alarm_set_at: int | None, writes: tuple[object, ...] = ()) -> E:
        return self.inner.insert(entity, alarm_set_at, writes)

    def commit(self, entity: E, expected_version: int, alarm_set_at: int | None,
               writes: tuple[object, ...] = ()) -> E:
        if self._interlopers:
            self._interlopers.pop(0)()
        try:
            committed = self.inner.commit(entity, expected_version, alarm_set_at, writes)
        except ConcurrentUpdate:
            self.lost += 1
            raise
        self.commits += 1
        return committed

    def due(self, shard: int, until_ms: int) -> list[DueAlarm]:
        return self.inner.due(shard, until_ms)
