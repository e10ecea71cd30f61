"""The wait-state `EntityStore` in memory, and a wrapper that lets another writer in before a commit.

`InMemoryEntityStore` is what every in-memory entity store of a workflow builds on: the workflow's
fake adds its list queries and, in `apply_writes`, the side records its Dynamo store writes in the
same transaction as the entity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Generic, TypeVar

from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate
from chalicelib.persistence.entity_store import due_shard
from chalicelib.waitstate.model import DueAlarm, EntityStore, Stored, WaitingEntity

E = TypeVar("E", bound=WaitingEntity)


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

    def get(self, entity_id: str) -> E | None:
        stored = self._items.get(entity_id)
        return None if stored is None else stored.entity

    def insert(self, entity: E, alarm_set_at: int | None, writes: tuple[object, ...] = ()) -> E:
        if entity.id in self._items:
            raise AlreadyExists(entity.id)
        self.apply_writes(entity.id, writes)
        return self._put(entity, 1, alarm_set_at)

    def commit(self, entity: E, expected_version: int, alarm_set_at: int | None,
               writes: tuple[object, ...] = ()) -> E:
        current = self._items.get(entity.id)
        if current is None or current.entity.version != expected_version:
            raise ConcurrentUpdate(entity.id)
        self.apply_writes(entity.id, writes)
        return self._put(entity, expected_version + 1, alarm_set_at)

    def apply_writes(self, entity_id: str, writes: tuple[object, ...]) -> None:
        """Write the records that go with the entity's write: all of them, or (raising) none and
        not the entity either. This base keeps any record in `writes`; a workflow's fake checks
        that it knows each one, then applies them."""
        self.writes.extend(writes)

    def due(self, shard: int, until_ms: int) -> list[DueAlarm]:
        alarms = [
            DueAlarm(entity_id, stored.entity.wake_at, stored.alarm_set_at)
            for entity_id, stored in self._items.items()
            if stored.entity.wake_at is not None and stored.entity.wake_at <= until_ms
            and due_shard(entity_id, self._shards) == shard
        ]
        return sorted(alarms, key=lambda alarm: alarm.wake_at)

    def mark_trigger_unsent(self, entity_id: str, wake_at: int) -> None:
        stored = self._items.get(entity_id)
        if stored is not None and stored.entity.wake_at == wake_at:
            self._items[entity_id] = Stored(stored.entity, None)

    def entities(self) -> Iterator[E]:
        """Every stored entity, in the order they were first written (a table scan's order in moto)."""
        return (stored.entity for stored in self._items.values())

    def _put(self, entity: E, version: int, alarm_set_at: int | None) -> E:
        stored: E = replace(entity, version=version)  # type: ignore[type-var]
        self._items[entity.id] = Stored(stored, alarm_set_at if entity.wake_at is not None else None)
        return stored


def refuse_unknown(store: object, writes: tuple[object, ...], known: tuple[type, ...]) -> None:
    """What a Dynamo store does with a record it cannot write: the whole write fails (TypeError)."""
    for record in writes:
        if not isinstance(record, known):
            raise TypeError(f"{type(store).__name__} does not write {type(record).__name__} records")


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
        self.loads = 0
        self.marks_fail = False
        """Makes `mark_trigger_unsent` fail, as a throttled or unreachable table would."""

    def before_next_commit(self, interloper: Interloper) -> None:
        self._interlopers.append(interloper)

    def forget_interlopers(self) -> None:
        """Drop interlopers that never ran (the writer was refused before it wrote)."""
        self._interlopers.clear()

    def load(self, entity_id: str) -> Stored[E] | None:
        self.loads += 1
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

    def mark_trigger_unsent(self, entity_id: str, wake_at: int) -> None:
        if self.marks_fail:
            raise ConnectionError("DynamoDB is unreachable")
        self.inner.mark_trigger_unsent(entity_id, wake_at)
