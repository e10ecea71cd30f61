"""Timed orders on fakes, through `OrderService`'s public methods: placing a genuine order (every
reason when it is not), answering, resubmitting a returned order, the customer's cancel, the
lists, and the window closing by its alarm. (Those named as in tests/functional/test_placing_orders.py
and test_answering_orders.py were moved here; those files keep HTTP, pushes through the handlers,
idempotency and problem bodies.)"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.catalogue.schemas import MerchantPatch
from chalicelib.core.errors import InvalidTransition, NotFound, ValidationFailed, WindowClosed
from chalicelib.orders.model import Order, Status
from chalicelib.orders.schemas import ActionIn, ResubmitIn
from chalicelib.push import party
from chalicelib.waitstate.engine import FireOutcome
from chalicelib.waitstate.model import AlarmMessage
from tests.builders import cny
from tests.fakes.platform import FakeWorld, caller
from tests.unit.arrange import CUSTOMER, OPS, STAFF, an_order, body, open_shop


@pytest.fixture
def shop(world: FakeWorld) -> FakeWorld:
    open_shop(world)
    world.stores.connections.register("console", party.merchant("m1"), "staff-1", world.clock.now_ms())
    world.stores.connections.register("phone", party.customer("u1"), "u1", world.clock.now_ms())
    return world


def placed(world: FakeWorld, **changes: Any) -> Order:
    return world.orders.place(CUSTOMER, an_order(**changes))


def refused_fields(world: FakeWorld, **changes: Any) -> list[str]:
    with pytest.raises(ValidationFailed) as refused:
        placed(world, **changes)
    return sorted(e.field for e in refused.value.errors)


def act(world: FakeWorld, order_id: str, action: str, **fields: Any) -> Order:
    return world.orders.answer(STAFF, order_id, body(ActionIn, action=action, **fields))


def resubmit(world: FakeWorld, order_id: str, items: list[dict[str, Any]]) -> Order:
    return world.orders.resubmit(CUSTOMER, order_id, body(ResubmitIn, items=items,
                                                          delivery_address={"line1": "2 Road", "city": "Shanghai"}))


def patch_merchant(world: FakeWorld, **fields: Any) -> None:
    world.catalogue.patch_merchant(OPS, "m1", body(MerchantPatch, fields))


# ── placing ─────────────────────────────────────────────────────────────────────────────────

def test_a_placed_order_waits_one_window_priced_by_the_server_and_the_merchant_is_told(shop: FakeWorld) -> None:
    now = shop.clock.now_ms()
    order = placed(shop, items=[{"product_id": "p1", "quantity": 2}, {"product_id": "p2", "quantity": 3}],
                   note="no chilli")
    assert (order.status, order.round, order.window_started_at, order.answer_deadline) == (
        Status.NEW, 1, now, now + 120_000)
    assert order.total.amount == 2 * 2800 + 3 * 1500 and order.note == "no chilli"
    assert shop.stores.orders.get(order.id) == order
    assert [(m.entity_id, m.wake_at) for m in shop.alarms.take()] == [(order.id, order.answer_deadline)]
    (created,) = shop.push.to("console", "order.created")
    assert created["data"]["order_id"] == order.id and shop.push.to("phone") == []


def test_the_merchants_own_window_sets_the_deadline(shop: FakeWorld) -> None:
    patch_merchant(shop, answer_window_s=45)
    order = placed(shop)
    assert order.answer_deadline - shop.clock.now_ms() == 45_000


def test_a_closed_store_refuses_orders(shop: FakeWorld) -> None:
    patch_merchant(shop, business_hours={"mon": [["09:00", "10:00"]]})  # now: Wednesday evening
    with pytest.raises(ValidationFailed) as refused:
        placed(shop)
    assert [(e.field, "closed" in e.message) for e in refused.value.errors] == [("merchant_id", True)]


def test_an_unverified_or_unknown_merchant_refuses_orders(shop: FakeWorld) -> None:
    patch_merchant(shop, verified=False)
    assert refused_fields(shop) == ["merchant_id"]
    assert refused_fields(shop, merchant_id="m404") == ["merchant_id"]


def test_a_product_listed_twice_is_refused(shop: FakeWorld) -> None:
    assert refused_fields(shop, items=[{"product_id": "p1", "quantity": 1},
                                       {"product_id": "p1", "quantity": 1}]) == ["items[1].product_id"]


def test_an_order_that_is_not_genuine_gets_every_reason_and_nothing_is_stored_queued_or_pushed(
        shop: FakeWorld) -> None:
    patch_merchant(shop, paused=True)
    fields = refused_fields(shop, items=[
        {"product_id": "nope", "quantity": 1}, {"product_id": "p3", "quantity": 1},
        {"product_id": "p4", "quantity": 1}, {"product_id": "p2", "quantity": 4},
        {"product_id": "p1", "quantity": 1, "unit_price": cny(1)}])
    assert fields == sorted(["merchant_id", "items[0].product_id", "items[1].product_id", "items[2].quantity",
                             "items[3].quantity", "items[4].unit_price"])
    assert list(shop.stores.orders.entities()) == [] and shop.alarms.sent == [] and shop.push.sent == []


# ── answering ───────────────────────────────────────────────────────────────────────────────

def test_the_first_fetch_connects_and_each_answer_settles_the_window(shop: FakeWorld) -> None:
    order = placed(shop)
    shop.clock.advance(3)
    fetched = shop.orders.fetch(STAFF, order.id)
    assert fetched.status is Status.CONNECTED and fetched.connected_at == shop.clock.now_ms()
    shop.clock.advance(3)
    assert shop.orders.fetch(STAFF, order.id) == fetched  # the second fetch changes nothing
    accepted = act(shop, order.id, "accept")
    assert accepted.status is Status.ACCEPTED and accepted.wake_at is None
    assert [m["data"]["status"] for m in shop.push.to("phone", "order.status_changed")] == ["connected", "accepted"]
    assert ("WindowOutcome", 1, {"outcome": "accepted"}) in shop.metrics.emitted


def test_a_reject_records_its_reason_code_and_a_return_its_words(shop: FakeWorld) -> None:
    rejected = act(shop, placed(shop).id, "reject", reason="busy")
    assert rejected.reason == "busy"
    returned = act(shop, placed(shop).id, "return", reason="no beef")
    assert returned.reason == "no beef"
    assert shop.orders.get(CUSTOMER, returned.id).reason == "no beef"


def test_answering_without_fetching_first_is_allowed(shop: FakeWorld) -> None:
    assert act(shop, placed(shop).id, "accept").status is Status.ACCEPTED


def test_an_accepted_order_is_dispatched_then_completed_long_after_the_window(shop: FakeWorld) -> None:
    order_id = placed(shop).id
    act(shop, order_id, "accept")
    shop.clock.advance(20 * 60)
    assert act(shop, order_id, "dispatch").status is Status.DISPATCHED
    completed = act(shop, order_id, "complete")
    assert [h.status for h in completed.history] == [Status.NEW, Status.ACCEPTED, Status.DISPATCHED,
                                                     Status.COMPLETED]


def test_completing_an_order_that_was_not_dispatched_is_refused(shop: FakeWorld) -> None:
    order_id = placed(shop).id
    with pytest.raises(InvalidTransition):
        act(shop, order_id, "complete")
    assert shop.orders.get(CUSTOMER, order_id).status is Status.NEW


# ── return → resubmit ───────────────────────────────────────────────────────────────────────

def test_a_returned_order_resubmitted_opens_a_fresh_window(shop: FakeWorld) -> None:
    order = placed(shop)
    act(shop, order.id, "return", reason="no beef today")
    shop.clock.advance(300)
    again = resubmit(shop, order.id, [{"product_id": "p2", "quantity": 2}])
    assert (again.status, again.round, again.answer_deadline) == (Status.NEW, 2, shop.clock.now_ms() + 120_000)
    assert again.total.amount == 3000 and again.reason is None
    assert [m["data"]["round"] for m in shop.push.to("console", "order.created")] == [1, 2]


def test_a_resubmit_is_validated_like_a_new_order(shop: FakeWorld) -> None:
    order_id = placed(shop).id
    returned = act(shop, order_id, "return", reason="no beef today")
    with pytest.raises(ValidationFailed) as refused:
        resubmit(shop, order_id, [{"product_id": "p4", "quantity": 1}])
    assert [e.field for e in refused.value.errors] == ["items[0].quantity"]
    assert shop.stores.orders.get(order_id) == returned


def test_only_a_returned_order_can_be_resubmitted(shop: FakeWorld) -> None:
    order_id = placed(shop).id
    with pytest.raises(InvalidTransition):
        resubmit(shop, order_id, [{"product_id": "p1", "quantity": 1}])
    assert shop.orders.get(CUSTOMER, order_id).round == 1


# ── the customer's cancel ───────────────────────────────────────────────────────────────────

def test_the_customer_cancels_while_the_order_waits_and_the_merchant_can_no_longer_answer(shop: FakeWorld) -> None:
    order_id = placed(shop).id
    assert shop.orders.cancel(CUSTOMER, order_id).status is Status.CANCELLED
    with pytest.raises(InvalidTransition):
        act(shop, order_id, "accept")


def test_a_cancel_after_an_answer_is_refused(shop: FakeWorld) -> None:
    order_id = placed(shop).id
    act(shop, order_id, "accept")
    with pytest.raises(InvalidTransition) as refused:
        shop.orders.cancel(CUSTOMER, order_id)
    assert not isinstance(refused.value, WindowClosed)
    assert shop.orders.get(CUSTOMER, order_id).status is Status.ACCEPTED


def test_a_cancel_after_the_deadline_settles_the_window_then_is_refused(shop: FakeWorld) -> None:
    order = placed(shop)
    shop.clock.set(order.answer_deadline)
    with pytest.raises(WindowClosed):
        shop.orders.cancel(CUSTOMER, order.id)
    assert shop.orders.get(CUSTOMER, order.id).status is Status.NOT_CONNECTED


# ── the deadline ────────────────────────────────────────────────────────────────────────────

def test_the_alarm_closes_an_unanswered_window_as_not_connected_or_unanswered(shop: FakeWorld) -> None:
    never, fetched = placed(shop), placed(shop)
    shop.orders.fetch(STAFF, fetched.id)
    shop.clock.set(never.answer_deadline)
    shop.fire_queued()
    assert [shop.orders.get(OPS, o.id).status for o in (never, fetched)] == [Status.NOT_CONNECTED, Status.UNANSWERED]
    assert shop.container.engine.fire(AlarmMessage("order", never.id, never.answer_deadline)) is FireOutcome.STALE


# ── lists and who sees what ─────────────────────────────────────────────────────────────────

def test_a_merchant_lists_pending_all_or_one_status_and_an_unknown_status_is_refused(shop: FakeWorld) -> None:
    first, second = placed(shop), placed(shop)
    shop.clock.advance(1)
    third = placed(shop)
    act(shop, first.id, "accept")
    assert [o.id for o in shop.orders.merchant_orders(STAFF, None, 10, None).items] == [second.id, third.id]
    everything = [o.id for o in shop.orders.merchant_orders(STAFF, "all", 10, None).items]
    assert everything == [third.id, *sorted((first.id, second.id), reverse=True)]  # newest first
    assert [o.id for o in shop.orders.merchant_orders(STAFF, "accepted", 10, None).items] == [first.id]
    with pytest.raises(ValidationFailed):
        shop.orders.merchant_orders(STAFF, "lost", 10, None)


def test_pending_leaves_out_orders_past_their_deadline_even_before_the_alarm(shop: FakeWorld) -> None:
    late, fresh = placed(shop), placed(shop, items=[{"product_id": "p2", "quantity": 1}])
    shop.clock.advance(60)
    later = placed(shop)
    shop.clock.set(late.answer_deadline)
    assert [o.id for o in shop.orders.merchant_orders(STAFF, "pending", 10, None).items] == [later.id]
    assert fresh.answer_deadline == late.answer_deadline


def test_a_customer_sees_only_their_own_orders(shop: FakeWorld) -> None:
    mine = placed(shop)
    other = caller("customer", "u2")
    theirs = shop.orders.place(other, an_order())
    assert [o.id for o in shop.orders.customer_orders(CUSTOMER, 10, None).items] == [mine.id]
    for who, order_id in ((other, mine.id), (CUSTOMER, theirs.id), (caller("merchant", "s", merchant_id="m2"),
                                                                    mine.id), (CUSTOMER, "ord_missing")):
        with pytest.raises(NotFound):
            shop.orders.get(who, order_id)
    with pytest.raises(NotFound):
        shop.orders.cancel(other, mine.id)
    assert shop.orders.get(OPS, mine.id) == mine



def test_a_console_with_more_pending_orders_than_one_listing_takes_is_told_to_read_the_rest_list(
        shop: FakeWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("chalicelib.orders.service.MAX_PENDING_LISTED", 100)
    for _ in range(100):
        placed(shop)
    full = shop.orders.pending_work(party.merchant("m1"), shop.clock.now_ms())
    assert (len(full.items), full.more) == (100, False)
    placed(shop)
    over = shop.orders.pending_work(party.merchant("m1"), shop.clock.now_ms())
    assert (len(over.items), over.more) == (100, True)
