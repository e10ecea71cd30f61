"""The one conditional write behind every wait-state entity (generic over PynamoDB models).

    reader A: load v3 ───────── decide ──── save if version = 3 ──▶ ok, now v4
    reader B: load v3 ── decide ── save if version = 3 ──▶ ConditionalCheckFailed → re-read v4

State and alarm (`wake_at`, `due_shard`, `alarm_set_at`) live on the same item, so they are
written together or not at all, without a transaction. Only a decision that also writes other
records (a ledger entry, a workload counter) pays for a `TransactWriteItems`, with the same
version condition on the entity's item.

A write whose answer was lost and that botocore sent again meets itself: refused by its own
condition, it is told from a writer that lost by its `write_token` and reported committed, so a
create is not a conflict nor a transition done twice (`chalicelib/persistence/writes.py`). A
transaction carries the same token as its `ClientRequestToken`, which DynamoDB itself answers a
retry of with success.
"""

from __future__ import annotations

import zlib
from abc import ABC, abstractmethod
from typing import Any, Generic, TypeVar

from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate
from chalicelib.persistence.paging import Page, run_page
from chalicelib.persistence.writes import lost_condition, raise_if_contended, retried, write_token
from chalicelib.waitstate.model import DueAlarm, Stored, WaitingEntity

E = TypeVar("E", bound=WaitingEntity)
M = TypeVar("M", bound=Model)


def due_shard(entity_id: str, shards: int) -> int:
    """Stable spread of alarms over the `due` index partitions."""
    return zlib.crc32(entity_id.encode()) % shards


def connection_of(model: type[Model]) -> Connection:
    """The model's own (cached) connection: a transaction's items may span tables of one region."""
    return model._get_connection().connection


class PynamoEntityStore(ABC, Generic[E, M]):
    model: type[M]

    def __init__(self, shards: int) -> None:
        self._shards = shards

    @abstractmethod
    def to_item(self, entity: E) -> M: ...

    @abstractmethod
    def to_entity(self, item: M) -> E: ...

    def add_write(self, transaction: TransactWrite, record: object) -> None:
        """Put one of the workflow's side records into the transaction (override to allow any)."""
        raise TypeError(f"{type(self).__name__} does not write {type(record).__name__} records")

    def get(self, entity_id: str) -> E | None:
        stored = self.load(entity_id)
        return None if stored is None else stored.entity

    def page(self, results: Any) -> Page[E]:
        """One page of a query or scan of this store's model, as entities."""
        return run_page(results, self.to_entity)

    def load(self, entity_id: str) -> Stored[E] | None:
        item = get_or_none(self.model, entity_id, consistent=True)
        if item is None:
            return None
        return Stored(self.to_entity(item), item.alarm_set_at)  # type: ignore[attr-defined]

    def insert(self, entity: E, alarm_set_at: int | None, writes: tuple[object, ...] = ()) -> E:
        item = self._item_with_alarm(entity, alarm_set_at)  # no version yet: save() requires absence
        self._save(item, writes, lost=AlreadyExists(entity.id))
        return self.to_entity(item)

    def commit(self, entity: E, expected_version: int, alarm_set_at: int | None,
               writes: tuple[object, ...] = ()) -> E:
        item = self._item_with_alarm(entity, alarm_set_at)
        item.version = expected_version  # type: ignore[attr-defined]  # save() checks, then bumps
        self._save(item, writes, lost=ConcurrentUpdate(entity.id))
        return self.to_entity(item)

    def _save(self, item: M, writes: tuple[object, ...], lost: Exception) -> None:
        """Write the item (and `writes` with it, all or nothing); `lost` is raised when the item's
        condition fails: it is already there (insert) or has moved on (commit). A write that a
        transaction in flight refused is a `ConcurrentUpdate` either way: it wrote nothing."""
        token = item.write_token = write_token()  # type: ignore[attr-defined]
        try:
            self._write(item, writes, token)
        except (PutError, TransactWriteError) as exc:
            if lost_condition(exc):
                if retried(exc) and self._stored_by(item, token):
                    item.update_local_version_attribute()  # as the save that succeeded would have
                    return
                raise lost from exc
            raise_if_contended(exc, self._id_of(item))
            raise

    def _stored_by(self, item: M, token: str) -> bool:
        """Whether the stored item is the one `token`'s write stored (its answer was lost, and the
        refusal was its own retry meeting it)."""
        stored = get_or_none(self.model, self._id_of(item), consistent=True)
        return stored is not None and stored.write_token == token  # type: ignore[attr-defined]

    def _write(self, item: M, writes: tuple[object, ...], token: str) -> None:
        if not writes:
            item.save()
            return
        with TransactWrite(connection=connection_of(self.model), client_request_token=token) as transaction:
            transaction.save(item)  # carries the version condition, bumps the version on success
            for record in writes:
                self.add_write(transaction, record)

    def due(self, shard: int, until_ms: int) -> list[DueAlarm]:
        index = self.model.due  # type: ignore[attr-defined]
        return [
            DueAlarm(entity_id=self._id_of(row), wake_at=int(row.wake_at), alarm_set_at=row.alarm_set_at)
            for row in index.query(shard, self.model.wake_at <= until_ms)  # type: ignore[attr-defined]
        ]

    def mark_trigger_unsent(self, entity_id: str, wake_at: int) -> None:
        model = self.model
        try:
            model._get_connection().update_item(  # not Model.update(): that would bump the version
                entity_id, actions=[model.alarm_set_at.remove()],  # type: ignore[attr-defined]
                condition=model.wake_at == wake_at)  # type: ignore[attr-defined]
        except UpdateError as exc:
            if not lost_condition(exc):
                raise  # refused by its condition: the alarm has moved on, and its own write triggered it

    def _id_of(self, item: M) -> str:
        hash_key_name = str(self.model._hash_keyname)  # type: ignore[attr-defined]
        return str(getattr(item, hash_key_name))

    def new_item(self, entity: E) -> M:
        """The item of an entity that another entity's transaction creates (a paid order's
        vouchers). No trigger is sent for its alarm at that write (`alarm_set_at` is left empty),
        so the sweeper hands the alarm to the queue as it comes due."""
        return self._item_with_alarm(entity, None)

    def _item_with_alarm(self, entity: E, alarm_set_at: int | None) -> M:
        item = self.to_item(entity)
        wake_at = entity.wake_at
        item.wake_at = wake_at  # type: ignore[attr-defined]
        item.due_shard = None if wake_at is None else due_shard(entity.id, self._shards)  # type: ignore[attr-defined]
        item.alarm_set_at = alarm_set_at if wake_at is not None else None  # type: ignore[attr-defined]
        return item


def get_or_none(model: type[M], hash_key: str, range_key: str | None = None, consistent: bool = False) -> M | None:
    try:
        return model.get(hash_key, range_key, consistent_read=consistent)
    except model.DoesNotExist:
        return None
