"""The shops' reported queues in DynamoDB: one item per shop, changed by conditional writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import PutError

from chalicelib.core.contention import retry_contended
from chalicelib.core.errors import ConcurrentUpdate
from chalicelib.groupbuy.ports import ShopQueue
from chalicelib.groupbuy.tables import ShopQueueModel
from chalicelib.persistence.entity_store import get_or_none
from chalicelib.persistence.writes import lost_condition

SERVED_KEPT = 20
"""How many redemption moments a shop keeps: more than the estimate's window ever uses."""


class DynamoQueueStore:
    def get(self, shop_id: str) -> ShopQueue:
        item = get_or_none(ShopQueueModel, shop_id, consistent=True)
        return _queue(shop_id, item)

    def report(self, shop_id: str, waiting: int, now: int) -> ShopQueue:
        def change(item: ShopQueueModel) -> None:
            item.waiting = waiting
            item.reported_at = now

        return _queue(shop_id, self._change(shop_id, change))

    def served(self, shop_id: str, at: int) -> None:
        def change(item: ShopQueueModel) -> None:
            item.served_at = sorted([*(int(t) for t in list[Any](item.served_at or [])), at])[-SERVED_KEPT:]  # type: ignore[assignment]

        self._change(shop_id, change)

    def _change(self, shop_id: str, change: Callable[[ShopQueueModel], None]) -> ShopQueueModel:
        def attempt() -> ShopQueueModel:
            item = get_or_none(ShopQueueModel, shop_id, consistent=True) or ShopQueueModel(shop_id)
            change(item)
            try:
                item.save()  # conditioned on the version read (absent for a new item)
            except PutError as exc:
                if lost_condition(exc):
                    raise ConcurrentUpdate(shop_id) from exc
                raise
            return item

        return retry_contended(attempt)


def _queue(shop_id: str, item: ShopQueueModel | None) -> ShopQueue:
    if item is None:
        return ShopQueue(shop_id, 0, None, ())
    return ShopQueue(shop_id, int(item.waiting or 0), None if item.reported_at is None else int(item.reported_at),
                     tuple(int(t) for t in list[Any](item.served_at or [])))
