"""The DynamoDB order store (moto): the one conditional write, the sparse indexes, the lists."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from chalicelib.core.address import Address
from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate, MalformedRequest
from chalicelib.orders.model import HistoryEntry, Order, Status
from chalicelib.orders.store import DynamoOrderStore
from chalicelib.orders.tables import OrderModel
from chalicelib.persistence.entity_store import due_shard
from tests.builders import T0, an_order

SHARDS = 16


@pytest.fixture
def store(tables: dict[str, str]) -> DynamoOrderStore:
    return DynamoOrderStore(SHARDS)


def placed(store: DynamoOrderStore, order_id: str = "ord_1", **changes: Any) -> Order:
    return store.insert(an_order(id=order_id, **changes), T0)


def test_an_order_reads_back_exactly_as_written(store: DynamoOrderStore) -> None:
    rich = an_order(
        address=Address(line1="1 Road", city="Shanghai", line2="Flat 2", postcode="200000", lat=31.23, lng=121.47),
        note="no chilli", status=Status.REJECTED, reason="busy", merchant_note="sorry", connected_at=T0 + 1,
        answered_at=T0 + 2, round=2, history=(HistoryEntry(T0, Status.NEW, "place"),
                                               HistoryEntry(T0 + 2, Status.REJECTED, "reject")))
    written = store.insert(rich, None)
    assert written == replace(rich, version=1)
    assert store.get("ord_1") == written


def test_two_commits_from_the_same_version_one_wins_the_other_is_a_concurrent_update(store: DynamoOrderStore) -> None:
    order = placed(store)
    store.commit(replace(order, status=Status.CONNECTED), order.version, T0)
    with pytest.raises(ConcurrentUpdate):
        store.commit(replace(order, status=Status.ACCEPTED), order.version, None)
    assert store.get(order.id) == replace(order, status=Status.CONNECTED, version=order.version + 1)


def test_a_commit_to_an_order_that_does_not_exist_is_a_concurrent_update(store: DynamoOrderStore) -> None:
    with pytest.raises(ConcurrentUpdate):
        store.commit(an_order(id="ord_ghost"), 1, T0)
    assert store.get("ord_ghost") is None


def test_inserting_the_same_order_twice_is_refused(store: DynamoOrderStore) -> None:
    placed(store)
    with pytest.raises(AlreadyExists):
        placed(store, status=Status.ACCEPTED)
    stored = store.get("ord_1")
    assert stored is not None and stored.status is Status.NEW


def test_the_due_index_holds_only_orders_with_an_alarm(store: DynamoOrderStore) -> None:
    waiting = placed(store, "ord_waiting")
    settled = placed(store, "ord_settled")
    store.commit(replace(settled, status=Status.ACCEPTED), settled.version, None)
    due = [alarm for shard in range(SHARDS) for alarm in store.due(shard, T0 + 10**9)]
    assert [(a.entity_id, a.wake_at, a.alarm_set_at) for a in due] == [("ord_waiting", waiting.answer_deadline, T0)]
    item = OrderModel.get("ord_settled")
    engine_bookkeeping: list[object] = [item.wake_at, item.due_shard, item.alarm_set_at, item.pending_merchant_id]
    assert engine_bookkeeping == [None, None, None, None]


def test_the_due_query_reads_one_shard_up_to_a_moment(store: DynamoOrderStore) -> None:
    ids = [f"ord_{n}" for n in range(12)]
    for n, order_id in enumerate(ids):
        placed(store, order_id, window_ms=60_000 * (n + 1))
    shard = due_shard("ord_5", SHARDS)
    in_shard = [order_id for order_id in ids if due_shard(order_id, SHARDS) == shard]
    found = store.due(shard, T0 + 6 * 60_000)
    assert [a.entity_id for a in found] == [i for i in in_shard if int(i.split("_")[1]) < 6]
    assert [a.wake_at for a in found] == sorted(a.wake_at for a in found)


def test_pending_orders_are_the_merchants_waiting_ones_soonest_deadline_first(store: DynamoOrderStore) -> None:
    later = placed(store, "ord_later", window_ms=300_000)
    sooner = placed(store, "ord_sooner", window_ms=60_000)
    answered = placed(store, "ord_answered")
    store.commit(replace(answered, status=Status.ACCEPTED), answered.version, None)
    placed(store, "ord_elsewhere", merchant_id="m2")
    page = store.pending_for_merchant("m1", 10, None)
    assert [o.id for o in page.items] == [sooner.id, later.id] and page.next_token is None


def test_a_merchants_and_a_customers_orders_are_listed_newest_first_and_filtered_by_status(
        store: DynamoOrderStore) -> None:
    for n in range(3):
        placed(store, f"ord_{n}", now=T0 + n * 1000)
    first = store.get("ord_0")
    assert first is not None
    store.commit(replace(first, status=Status.ACCEPTED), first.version, None)
    assert [o.id for o in store.for_merchant("m1", None, 10, None).items] == ["ord_2", "ord_1", "ord_0"]
    assert [o.id for o in store.for_merchant("m1", Status.ACCEPTED, 10, None).items] == ["ord_0"]
    assert [o.id for o in store.for_customer("u1", 10, None).items] == ["ord_2", "ord_1", "ord_0"]
    assert store.for_customer("u2", 10, None).items == []


def test_pages_follow_their_next_token_to_the_end(store: DynamoOrderStore) -> None:
    for n in range(5):
        placed(store, f"ord_{n}", now=T0 + n * 1000)
    seen: list[str] = []
    token: str | None = None
    for _ in range(5):
        page = store.for_customer("u1", 2, token)
        seen += [o.id for o in page.items]
        token = page.next_token
        if token is None:
            break
    assert seen == ["ord_4", "ord_3", "ord_2", "ord_1", "ord_0"]


def test_a_token_that_is_not_ours_is_malformed(store: DynamoOrderStore) -> None:
    with pytest.raises(MalformedRequest):
        store.for_customer("u1", 2, "garbage")
