"""`CallOrderStore`: an order round-trips whole in every state (a draft without payment, a sent one
with its window, a cancelled one with a refund), commits only over the version read, carries its
alarm only while it awaits payment, and is listed by call, by merchant (drafts too) and by customer
(sent orders only)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from chalicelib.calls import call_order_decider
from chalicelib.calls.call_order import CallOrder, CallOrderStatus, CallOrderStore, CancelOrder, OrderTerms, SendOrder
from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate, MalformedRequest
from chalicelib.payments.port import PaymentRef
from chalicelib.payments.window import PaymentSucceeded
from tests.contracts import all_items

NOW = 1_795_000_000_000
WINDOW_MS = 900_000
SHARDS = 16
PAYMENT = PaymentRef("sandbox", "pay_1", "http://sandbox/pay/pay_1")


def a_draft(order_id: str = "cor_1", created_at: int = NOW, **fields: Any) -> CallOrder:
    order = CallOrder(id=order_id, call_id="cal_1", merchant_id="m1", customer_id="u1",
                      status=CallOrderStatus.DRAFT,
                      terms=OrderTerms("2 kg of apples\nno bruises", 1250, "CNY", time=NOW + 3_600_000,
                                       address="88 Century Avenue", note="ring twice"),
                      created_at=created_at, updated_at=created_at)
    return replace(order, **fields)


def sent(store: CallOrderStore, draft: CallOrder, at: int) -> CallOrder:
    decision = call_order_decider.decide(draft, SendOrder(replace(PAYMENT, payment_id=f"pay_{draft.id}"),
                                                          at + WINDOW_MS), at)
    return store.commit(decision.state, draft.version, at)


class CallOrderStoreContract:
    @pytest.fixture
    def store(self) -> CallOrderStore:
        raise NotImplementedError("a subclass provides the store under test")

    def test_a_draft_round_trips_without_payment_or_alarm(self, store: CallOrderStore) -> None:
        draft = a_draft()
        assert store.insert(draft, None) == replace(draft, version=1) == store.get("cor_1")
        assert store.get("cor_404") is None
        assert all(store.due(shard, NOW * 2) == [] for shard in range(SHARDS))

    def test_a_draft_with_no_optional_fields_round_trips(self, store: CallOrderStore) -> None:
        bare = a_draft(terms=OrderTerms("a cake", 5000, "CNY"))
        store.insert(bare, None)
        assert store.get("cor_1") == replace(bare, version=1)

    def test_a_sent_order_round_trips_with_its_payment_and_its_alarm_is_due(self, store: CallOrderStore) -> None:
        order = sent(store, store.insert(a_draft(), None), NOW + 10)
        assert store.get("cor_1") == order and order.version == 2 and order.payment is not None
        due = [alarm for shard in range(SHARDS) for alarm in store.due(shard, NOW + 10 + WINDOW_MS)]
        assert [(a.entity_id, a.wake_at, a.alarm_set_at) for a in due] == [("cor_1", NOW + 10 + WINDOW_MS,
                                                                            NOW + 10)]

    def test_a_cancelled_order_paid_late_keeps_its_refund_and_history(self, store: CallOrderStore) -> None:
        order = sent(store, store.insert(a_draft(), None), NOW + 10)
        cancel = call_order_decider.decide(order, CancelOrder("customer:u1"), NOW + 20)
        cancelled = store.commit(cancel.state, order.version, None)
        assert order.payment is not None
        late = call_order_decider.decide(cancelled, PaymentSucceeded(order.payment.payment_id, 1250, "CNY",
                                                                     NOW + 30), NOW + 30)
        flagged = store.commit(late.state, cancelled.version, None)
        assert store.get("cor_1") == flagged and flagged.refund is not None and len(flagged.history) == 3
        assert all(store.due(shard, NOW * 2) == [] for shard in range(SHARDS))

    def test_an_id_taken_is_refused_and_a_stale_version_is_a_concurrent_update(self, store: CallOrderStore) -> None:
        draft = store.insert(a_draft(), None)
        with pytest.raises(AlreadyExists):
            store.insert(a_draft(), None)
        sent(store, draft, NOW + 10)
        with pytest.raises(ConcurrentUpdate):
            sent(store, draft, NOW + 20)

    def test_a_record_the_store_does_not_know_fails_the_whole_write(self, store: CallOrderStore) -> None:
        with pytest.raises(TypeError):
            store.insert(a_draft(), None, (object(),))
        assert store.get("cor_1") is None

    def test_a_calls_orders_are_listed_oldest_first(self, store: CallOrderStore) -> None:
        for n in (2, 0, 1):
            store.insert(a_draft(f"cor_{n}", created_at=NOW + n), None)
        store.insert(replace(a_draft("cor_other"), call_id="cal_2"), None)
        assert [o.id for o in store.of_call("cal_1")] == ["cor_0", "cor_1", "cor_2"]
        assert store.of_call("cal_missing") == []

    def test_a_merchants_orders_drafts_too_page_newest_first(self, store: CallOrderStore) -> None:
        for n in range(3):
            store.insert(a_draft(f"cor_{n}", created_at=NOW + n), None)
        store.insert(replace(a_draft("cor_theirs"), merchant_id="m2"), None)
        assert [o.id for o in all_items(lambda token: store.for_merchant("m1", 2, token))] == [
            "cor_2", "cor_1", "cor_0"]

    def test_a_customer_lists_only_sent_orders_most_recently_sent_first(self, store: CallOrderStore) -> None:
        drafts = [store.insert(a_draft(f"cor_{n}", created_at=NOW + n), None) for n in range(4)]
        sent(store, drafts[2], NOW + 100)
        sent(store, drafts[0], NOW + 200)
        sent(store, drafts[1], NOW + 300)
        assert [o.id for o in all_items(lambda token: store.for_customer("u1", 2, token))] == [
            "cor_1", "cor_0", "cor_2"]
        assert store.for_customer("u2", 10, None).items == []

    def test_a_token_that_is_not_ours_is_malformed(self, store: CallOrderStore) -> None:
        with pytest.raises(MalformedRequest):
            store.for_customer("u1", 2, "garbage")
