"""The vocabulary shared by every workflow that waits: entities with one alarm, decisions, messages."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from chalicelib.core.errors import DomainError

MAX_SQS_DELAY_S = 900
"""SQS caps DelaySeconds at 15 minutes; later alarms are handed to the queue by the sweeper."""
SQS_BATCH = 10
"""SendMessageBatch takes at most 10 entries."""


class WaitingEntity(Protocol):
    """An entity of a workflow: it has an id, a version for fencing and at most one alarm."""

    @property
    def id(self) -> str: ...

    @property
    def version(self) -> int: ...

    @property
    def wake_at(self) -> int | None: ...


E = TypeVar("E", bound=WaitingEntity)


@dataclass(frozen=True)
class Decision(Generic[E]):
    """What a pure decider returns: the new state, the events to react to after the commit,
    records that must be written in the same transaction as the state (a ledger entry, a
    counter), and optionally a refusal to raise *after* committing (e.g. an action that arrived
    after the deadline settles the window first, then gets its 409)."""

    state: E
    events: tuple[object, ...] = ()
    refusal: DomainError | None = None
    writes: tuple[object, ...] = ()


@dataclass(frozen=True)
class Stored(Generic[E]):
    """An entity as loaded, with the moment its current alarm was set (engine bookkeeping)."""

    entity: E
    alarm_set_at: int | None


@dataclass(frozen=True)
class AlarmMessage:
    kind: str
    entity_id: str
    wake_at: int
    redelivery: int = 0
    """How many times the alarm handler sent it again after AWS refused its firing (`engine.redeliver`)."""

    def to_json(self) -> str:
        body: dict[str, object] = {"kind": self.kind, "entity_id": self.entity_id, "wake_at": self.wake_at}
        if self.redelivery:
            body["redelivery"] = self.redelivery
        return json.dumps(body)

    @classmethod
    def from_json(cls, body: str) -> AlarmMessage:
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("alarm message must be an object")
        kind, entity_id, wake_at = data.get("kind"), data.get("entity_id"), data.get("wake_at")
        if not isinstance(kind, str) or not isinstance(entity_id, str) or not isinstance(wake_at, int):
            raise ValueError(f"malformed alarm message: {body[:200]}")
        redelivery = data.get("redelivery", 0)
        if not isinstance(redelivery, int) or isinstance(redelivery, bool) or redelivery < 0:
            raise ValueError(f"malformed alarm message: {body[:200]}")
        return cls(kind=kind, entity_id=entity_id, wake_at=wake_at, redelivery=redelivery)


@dataclass(frozen=True)
class DueAlarm:
    entity_id: str
    wake_at: int
    alarm_set_at: int | None

    @property
    def trigger_sent_at_write(self) -> bool:
        """True when the write that set this alarm also sent its SQS trigger (or is believed to have:
        a process that died right after the write could not say otherwise)."""
        return self.alarm_set_at is not None and self.wake_at - self.alarm_set_at <= MAX_SQS_DELAY_S * 1000


class EntityStore(Protocol[E]):
    """Persistence of one workflow's entities. Every write is one conditional single-item write."""

    def load(self, entity_id: str) -> Stored[E] | None: ...

    def insert(self, entity: E, alarm_set_at: int | None, writes: tuple[object, ...] = ()) -> E:
        """Create-only write; raises AlreadyExists."""
        ...

    def commit(self, entity: E, expected_version: int, alarm_set_at: int | None,
               writes: tuple[object, ...] = ()) -> E:
        """Write the new state and alarm if the stored version is still `expected_version`;
        raises ConcurrentUpdate otherwise. Returns the entity with its new version. `writes`
        (records the workflow's store knows how to write) go in the same transaction: all or
        nothing, so a record is written exactly once per committed transition."""
        ...

    def due(self, shard: int, until_ms: int) -> list[DueAlarm]:
        """Alarms in one shard of the `due` index with wake_at <= until_ms."""
        ...

    def mark_trigger_unsent(self, entity_id: str, wake_at: int) -> None:
        """Clear the alarm's `alarm_set_at` if it is still `wake_at`: the write that set it could not
        send its trigger, so `due` reports it as one the sweeper must send. Not a transition: the
        version stays (a moved alarm is left alone: its own write sent its trigger)."""
        ...


Trigger = tuple[AlarmMessage, int]
"""An alarm message with the whole seconds SQS is to delay it."""


class AlarmQueue(Protocol):
    def send(self, message: AlarmMessage, delay_s: int) -> None: ...

    def send_batch(self, triggers: Sequence[Trigger]) -> list[Trigger]:
        """Send several at once (a sweep's: fewer calls, and one crash loses fewer); the ones that
        were not sent, whether SQS refused them or the call failed. Raises nothing for either."""
        ...

    def redeliver_unless_done(self, receipts: Sequence[str], after_s: int) -> None:
        """The received messages of these receipts come back after `after_s` unless their batch
        deletes them first (SQS: their visibility timeout, changed)."""
        ...


@dataclass(frozen=True)
class Workflow(Generic[E]):
    """How the engine drives one kind of entity."""

    kind: str
    store: EntityStore[E]
    decide: Callable[[E, Any, int], Decision[E]]
    alarm_event: Callable[[int], Any]
    react: Callable[[E, tuple[object, ...], int], None] = field(default=lambda entity, events, now: None)
