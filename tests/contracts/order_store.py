"""`OrderStore`: the one conditional write, the sparse `due` and `merchant_pending` indexes, the
lists newest first."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from chalicelib.core.address import Address
from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate, MalformedRequest
from chalicelib.orders.model import HistoryEntry, Order, Status
from chalicelib.orders.ports import OrderStore
from chalicelib.persistence.entity_store import due_shard
from tests.builders import T0, an_order
from tests.contracts import all_items, every_page

SHARDS = 16


def placed(store: OrderStore, order_id: str = "ord_1", **changes: Any) -> Order:
    return store.insert(an_order(id=order_id, **changes), T0)


def accepted(store: OrderStore, order: Order) -> Order:
    return store.commit(replace(order, status=Status.ACCEPTED), order.version, None)


class OrderStoreContract:
    @pytest.fixture
    def store(self) -> OrderStore:
        raise NotImplementedError("a subclass provides the store under test")

    # ── the write ───────────────────────────────────────────────────────────────────────────

    def test_an_order_reads_back_exactly_as_written(self, store: OrderStore) -> None:
        rich = an_order(
            address=Address(line1="1 Road", city="Shanghai", line2="Flat 2", postcode="200000", lat=31.23,
                            lng=121.47),
            note="no chilli", status=Status.REJECTED, reason="busy", connected_at=T0 + 1,
            answered_at=T0 + 2, round=2, history=(HistoryEntry(T0, Status.NEW, "place"),
                                                   HistoryEntry(T0 + 2, Status.REJECTED, "reject")))
        written = store.insert(rich, None)
        assert written == replace(rich, version=1)
        assert store.get("ord_1") == written
        assert store.get("ord_missing") is None and store.load("ord_missing") is None

    def test_two_commits_from_the_same_version_one_wins_the_other_is_a_concurrent_update(
            self, store: OrderStore) -> None:
        order = placed(store)
        store.commit(replace(order, status=Status.CONNECTED), order.version, T0)
        with pytest.raises(ConcurrentUpdate):
            store.commit(replace(order, status=Status.ACCEPTED), order.version, None)
        assert store.get(order.id) == replace(order, status=Status.CONNECTED, version=order.version + 1)

    def test_a_commit_to_an_order_that_does_not_exist_is_a_concurrent_update(self, store: OrderStore) -> None:
        with pytest.raises(ConcurrentUpdate):
            store.commit(an_order(id="ord_ghost"), 1, T0)
        assert store.get("ord_ghost") is None

    def test_inserting_the_same_order_twice_is_refused(self, store: OrderStore) -> None:
        placed(store)
        with pytest.raises(AlreadyExists):
            placed(store, status=Status.ACCEPTED)
        stored = store.get("ord_1")
        assert stored is not None and stored.status is Status.NEW

    def test_a_record_the_order_store_does_not_write_fails_the_whole_commit(self, store: OrderStore) -> None:
        order = placed(store)
        with pytest.raises(TypeError):
            store.commit(replace(order, status=Status.CONNECTED), order.version, T0, (object(),))
        assert store.get(order.id) == order

    def test_the_moment_an_alarm_was_set_is_kept_only_while_there_is_an_alarm(self, store: OrderStore) -> None:
        order = placed(store)
        loaded = store.load(order.id)
        assert loaded is not None and loaded.alarm_set_at == T0
        accepted(store, order)
        settled = store.load(order.id)
        assert settled is not None and settled.alarm_set_at is None

    # ── the due index ───────────────────────────────────────────────────────────────────────

    def test_the_due_index_holds_only_orders_with_an_alarm(self, store: OrderStore) -> None:
        waiting = placed(store, "ord_waiting")
        accepted(store, placed(store, "ord_settled"))
        due = [alarm for shard in range(SHARDS) for alarm in store.due(shard, T0 + 10**9)]
        assert [(a.entity_id, a.wake_at, a.alarm_set_at) for a in due] == [
            ("ord_waiting", waiting.answer_deadline, T0)]

    def test_the_due_query_reads_one_shard_up_to_a_moment(self, store: OrderStore) -> None:
        ids = [f"ord_{n}" for n in range(12)]
        for n, order_id in enumerate(ids):
            placed(store, order_id, window_ms=60_000 * (n + 1))
        shard = due_shard("ord_5", SHARDS)
        in_shard = [order_id for order_id in ids if due_shard(order_id, SHARDS) == shard]
        found = store.due(shard, T0 + 6 * 60_000)
        assert [a.entity_id for a in found] == [i for i in in_shard if int(i.split("_")[1]) < 6]
        assert [a.wake_at for a in found] == sorted(a.wake_at for a in found)

    # ── lists ───────────────────────────────────────────────────────────────────────────────

    def test_pending_orders_are_the_merchants_waiting_ones_soonest_deadline_first(self, store: OrderStore) -> None:
        later = placed(store, "ord_later", window_ms=300_000)
        sooner = placed(store, "ord_sooner", window_ms=60_000)
        accepted(store, placed(store, "ord_answered"))
        placed(store, "ord_elsewhere", merchant_id="m2")
        page = store.pending_for_merchant("m1", 10, None)
        assert [o.id for o in page.items] == [sooner.id, later.id] and page.next_token is None

    def test_a_merchants_and_a_customers_orders_are_listed_newest_first_and_filtered_by_status(
            self, store: OrderStore) -> None:
        for n in range(3):
            placed(store, f"ord_{n}", now=T0 + n * 1000)
        first = store.get("ord_0")
        assert first is not None
        accepted(store, first)
        assert [o.id for o in store.for_merchant("m1", None, 10, None).items] == ["ord_2", "ord_1", "ord_0"]
        assert [o.id for o in store.for_merchant("m1", Status.ACCEPTED, 10, None).items] == ["ord_0"]
        assert [o.id for o in store.for_customer("u1", 10, None).items] == ["ord_2", "ord_1", "ord_0"]
        assert store.for_customer("u2", 10, None).items == []
        assert store.for_merchant("m2", None, 10, None).items == []

    def test_pages_follow_their_next_token_to_the_end(self, store: OrderStore) -> None:
        for n in range(5):
            placed(store, f"ord_{n}", now=T0 + n * 1000)
        pages = every_page(lambda token: store.for_customer("u1", 2, token))
        assert [[o.id for o in page.items] for page in pages] == [["ord_4", "ord_3"], ["ord_2", "ord_1"], ["ord_0"]]

    def test_a_page_that_ends_exactly_at_the_last_order_has_no_next_token(self, store: OrderStore) -> None:
        for n in range(4):
            placed(store, f"ord_{n}", now=T0 + n * 1000)
        first = store.for_customer("u1", 2, None)
        last = store.for_customer("u1", 2, first.next_token)
        assert [o.id for o in last.items] == ["ord_1", "ord_0"] and last.next_token is None
        assert store.for_customer("u1", 4, None).next_token is None

    def test_a_filtered_list_reads_on_until_the_page_is_full_and_misses_nothing(self, store: OrderStore) -> None:
        for n in range(7):
            order = placed(store, f"ord_{n}", now=T0 + n * 1000)
            if n % 3 == 0:
                accepted(store, order)
        first = store.for_merchant("m1", Status.NEW, 2, None)
        assert [o.id for o in first.items] == ["ord_5", "ord_4"] and first.next_token is not None
        every_new = all_items(lambda token: store.for_merchant("m1", Status.NEW, 2, token))
        assert [o.id for o in every_new] == ["ord_5", "ord_4", "ord_2", "ord_1"]

    def test_pending_orders_are_paginated_soonest_first(self, store: OrderStore) -> None:
        for n in range(5):
            placed(store, f"ord_{n}", window_ms=60_000 * (5 - n))
        soonest_first = all_items(lambda token: store.pending_for_merchant("m1", 2, token))
        assert [o.id for o in soonest_first] == ["ord_4", "ord_3", "ord_2", "ord_1", "ord_0"]

    def test_a_token_that_is_not_ours_is_malformed(self, store: OrderStore) -> None:
        for token in ("garbage", "eyJ4IjoxfQ"):
            with pytest.raises(MalformedRequest):
                store.for_customer("u1", 2, token)
