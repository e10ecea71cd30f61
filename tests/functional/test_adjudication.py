"""The window closes: alarms arrive through the SQS handler (`fire_alarms`), lost ones through
the minute sweeper (`sweep_alarms`), and whoever reads an overdue order sees its outcome."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.timefmt import iso
from chalicelib.orders.model import Order
from chalicelib.waitstate.engine import OVERDUE_GUARD_S
from chalicelib.waitstate.model import AlarmMessage, Stored
from tests.events import sqs_event
from tests.functional.shop import Shop


@pytest.fixture
def terminals(shop: Shop) -> Shop:
    shop.connect("console", shop.merchant)
    shop.connect("phone", shop.customer)
    return shop


def status_pushes(shop: Shop, terminal: str) -> list[str]:
    return [m["data"]["status"] for m in shop.pushed(terminal, "order.status_changed")]


def test_placing_an_order_queues_its_alarm_for_the_deadline(shop: Shop) -> None:
    order = shop.placed()
    assert shop.world.alarms.sent == [(AlarmMessage("order", order["order_id"], shop.stored(order["order_id"])
                                                    .answer_deadline), 120)]


def test_never_fetched_by_the_deadline_is_not_connected_and_both_sides_are_told(terminals: Shop) -> None:
    shop = terminals
    order = shop.placed()
    shop.to_deadline(order["order_id"])
    shop.deliver(shop.queued())
    assert shop.status(order["order_id"]) == "not_connected"
    for terminal in ("console", "phone"):
        (pushed,) = shop.pushed(terminal, "order.status_changed")
        assert pushed["data"]["status"] == "not_connected" and pushed["data"]["cause"] == "deadline"
        assert pushed["data"]["answer_deadline"] == order["answer_deadline"]
        assert pushed["server_time"] == order["answer_deadline"] and pushed["data"]["window_open"] is False
    assert shop.world.metrics.values("AlarmLateness") == [0]


def test_fetched_but_not_answered_by_the_deadline_is_unanswered(terminals: Shop) -> None:
    shop = terminals
    order_id = shop.placed()["order_id"]
    shop.merchant.get(f"/merchant/orders/{order_id}")
    shop.to_deadline(order_id, 0.2)
    shop.deliver(shop.queued())
    assert shop.status(order_id) == "unanswered"
    assert status_pushes(shop, "phone") == ["connected", "unanswered"]
    assert status_pushes(shop, "console") == ["connected", "unanswered"]


def test_an_alarm_up_to_a_second_and_a_half_early_waits_and_adjudicates_at_the_deadline(shop: Shop) -> None:
    order_id = shop.placed()["order_id"]
    shop.to_deadline(order_id, -1.2)  # SQS delays are whole seconds: triggers arrive a little early
    shop.deliver(shop.queued())
    assert shop.status(order_id) == "not_connected"
    assert shop.world.clock.now_ms() == shop.stored(order_id).answer_deadline


def test_an_alarm_delivered_too_early_goes_back_to_the_queue(shop: Shop) -> None:
    order_id = shop.placed()["order_id"]
    (message,) = shop.queued()
    shop.to_deadline(order_id, -30)
    shop.deliver([message])
    assert shop.status(order_id) == "new"
    assert shop.world.alarms.sent == [(message, 30)]


def test_an_action_after_the_deadline_is_refused_and_the_outcome_stays(terminals: Shop) -> None:
    shop = terminals
    order_id = shop.placed()["order_id"]
    shop.merchant.get(f"/merchant/orders/{order_id}")
    shop.to_deadline(order_id)
    shop.deliver(shop.queued())
    shop.world.clock.advance(1)
    answers: list[tuple[str, dict[str, Any]]] = [("accept", {}), ("reject", {"reason": "busy"}),
                                                 ("return", {"reason": "x"}), ("dispatch", {})]
    for action, fields in answers:
        reply = shop.act(order_id, action, **fields)
        assert reply.status == 409 and reply.is_problem, action
        assert reply.body["type"] == "/problems/window-closed" and reply.body["current_status"] == "unanswered"
    assert shop.status(order_id) == "unanswered"
    assert status_pushes(shop, "phone") == ["connected", "unanswered"]


def test_an_action_at_the_deadline_before_the_alarm_settles_the_window_and_is_refused(terminals: Shop) -> None:
    shop = terminals
    order = shop.placed()
    shop.to_deadline(order["order_id"])
    reply = shop.act(order["order_id"], "accept")
    assert reply.status == 409 and reply.body["type"] == "/problems/window-closed"
    assert reply.body["answer_deadline"] == order["answer_deadline"]
    assert shop.status(order["order_id"]) == "not_connected"
    shop.deliver(shop.queued())  # the alarm arrives afterwards: nothing left to do
    assert status_pushes(shop, "phone") == ["not_connected"]


def test_an_action_a_millisecond_before_the_deadline_wins_and_the_alarm_changes_nothing(terminals: Shop) -> None:
    shop = terminals
    order_id = shop.placed()["order_id"]
    shop.to_deadline(order_id, -0.001)
    assert shop.act(order_id, "accept").status == 200
    shop.to_deadline(order_id)
    shop.deliver(shop.queued())
    assert shop.status(order_id) == "accepted" and status_pushes(shop, "phone") == ["accepted"]


def test_a_duplicated_alarm_makes_one_transition(terminals: Shop) -> None:
    shop = terminals
    order_id = shop.placed()["order_id"]
    (message,) = shop.queued()
    shop.to_deadline(order_id)
    shop.deliver([message, message])  # twice in one batch
    shop.deliver([message])  # and once more later
    assert status_pushes(shop, "phone") == ["not_connected"]
    assert shop.world.metrics.values("WindowOutcome") == [1]


def test_an_alarm_late_by_minutes_after_an_answer_in_time_changes_nothing(terminals: Shop) -> None:
    shop = terminals
    order_id = shop.placed()["order_id"]
    shop.merchant.get(f"/merchant/orders/{order_id}")
    shop.act(order_id, "accept")
    shop.to_deadline(order_id, 7 * 60)
    shop.deliver(shop.queued())
    assert shop.status(order_id) == "accepted"
    assert status_pushes(shop, "phone") == ["connected", "accepted"]


def test_an_alarm_late_by_minutes_still_adjudicates_an_unanswered_window(shop: Shop) -> None:
    order_id = shop.placed()["order_id"]
    shop.to_deadline(order_id, 5 * 60)
    shop.deliver(shop.queued())
    assert shop.status(order_id) == "not_connected"
    assert shop.world.metrics.values("AlarmLateness") == [300_000]


def test_the_alarm_of_a_superseded_window_is_dropped(shop: Shop) -> None:
    order_id = shop.placed()["order_id"]
    first_alarm = shop.queued()
    shop.act(order_id, "return", reason="no beef")
    shop.world.clock.advance(60)
    shop.customer.post(f"/orders/{order_id}/resubmit", {"items": [{"product_id": "p2", "quantity": 1}],
                                                        "delivery_address": {"line1": "x", "city": "y"}})
    second_alarm = shop.queued()
    shop.world.clock.advance(61)  # the first window's deadline has passed, the second's has not
    shop.deliver(first_alarm)
    assert shop.status(order_id) == "new"
    shop.to_deadline(order_id)
    shop.deliver(second_alarm)
    assert shop.status(order_id) == "not_connected" and shop.stored(order_id).round == 2


def test_a_batch_with_a_poison_message_still_fires_the_good_ones(shop: Shop) -> None:
    order_id = shop.placed()["order_id"]
    (message,) = shop.queued()
    shop.to_deadline(order_id)
    batch = sqs_event(["not json", '{"kind": "order"}', message.to_json()])
    shop.client.lambda_.invoke("fire_alarms", batch)
    assert shop.status(order_id) == "not_connected"


def test_an_alarm_for_an_order_that_does_not_exist_is_dropped(shop: Shop) -> None:
    shop.deliver([AlarmMessage("order", "ord_ghost", shop.world.clock.now_ms())])
    assert shop.world.alarms.sent == []


# ── the sweeper ──────────────────────────────────────────────────────────────────────────────

def test_the_sweeper_recovers_an_alarm_whose_trigger_was_lost(terminals: Shop) -> None:
    shop = terminals
    shop.world.alarms.fail_sends = 2  # SendMessage fails (and fails again) right after the order is written
    order = shop.placed()
    assert shop.world.alarms.sent == []
    shop.to_deadline(order["order_id"], 30)
    shop.sweep()
    recovered = shop.queued()
    assert [m.entity_id for m in recovered] == [order["order_id"]]
    shop.deliver(recovered)
    assert shop.status(order["order_id"]) == "not_connected"
    assert status_pushes(shop, "phone") == ["not_connected"]
    assert shop.world.metrics.values("SweepOverdueAlarms") == [1]


def test_the_sweeper_leaves_alarms_whose_trigger_is_on_its_way(shop: Shop) -> None:
    order_id = shop.placed()["order_id"]
    shop.queued()
    shop.to_deadline(order_id, -30)
    shop.sweep()
    shop.to_deadline(order_id, 1)  # within the grace period: the trigger is merely late
    shop.sweep()
    assert shop.world.alarms.sent == []


# ── reading an overdue order ─────────────────────────────────────────────────────────────────

def test_reading_an_overdue_order_before_its_alarm_fires_shows_the_outcome(terminals: Shop) -> None:
    shop = terminals
    order_id = shop.placed()["order_id"]
    shop.to_deadline(order_id, 0.5)
    reply = shop.customer.get(f"/orders/{order_id}")
    assert reply.status == 200 and reply.body["status"] == "not_connected" and reply.body["window_open"] is False
    assert reply.body["server_time"] == iso(shop.world.clock.now_ms())
    assert status_pushes(shop, "console") == ["not_connected"]
    shop.deliver(shop.queued())
    assert status_pushes(shop, "console") == ["not_connected"]


def test_a_merchant_fetching_an_overdue_order_sees_it_not_connected(shop: Shop) -> None:
    order_id = shop.placed()["order_id"]
    shop.to_deadline(order_id)
    reply = shop.merchant.get(f"/merchant/orders/{order_id}")
    assert reply.status == 200 and reply.body["status"] == "not_connected" and reply.body["connected_at"] is None


def test_an_alarm_that_failed_in_a_batch_is_reported_alone_and_fires_once_when_redelivered(terminals: Shop) -> None:
    shop = terminals
    first, second = shop.placed()["order_id"], shop.placed()["order_id"]
    batch = shop.queued()
    shop.to_deadline(first)
    store = shop.world.orders.store
    real_load = store.load
    outage = {first}

    def flaky_load(order_id: str) -> Stored[Order] | None:
        if order_id in outage:
            outage.discard(order_id)
            raise ConnectionError("DynamoDB throttled")
        return real_load(order_id)

    store.load = flaky_load  # type: ignore[method-assign,assignment]
    failed = shop.deliver(batch)  # SQS deletes the rest of the batch
    assert [m.entity_id for m in failed] == [first]
    assert (shop.status(first), shop.status(second)) == ("new", "not_connected")
    assert shop.deliver(failed) == []
    assert (shop.status(first), shop.status(second)) == ("not_connected", "not_connected")
    assert status_pushes(shop, "phone") == ["not_connected", "not_connected"]


def test_an_alarm_due_now_does_not_wait_behind_an_early_one_in_the_same_batch(shop: Shop) -> None:
    # GIVEN two windows closing one second apart
    first = shop.placed()["order_id"]
    shop.world.clock.advance(1)
    second = shop.placed()["order_id"]
    first_alarm, second_alarm = shop.queued()
    shop.world.metrics.emitted.clear()
    # WHEN SQS hands over, at the first deadline, a batch with the later alarm first
    shop.to_deadline(first)
    shop.deliver([second_alarm, first_alarm])
    # THEN the due alarm fires on time, and the early one waits for its own moment
    assert (shop.status(first), shop.status(second)) == ("not_connected", "not_connected")
    assert shop.world.metrics.values("AlarmLateness") == [0, 0]


def test_a_batch_of_alarms_comes_back_after_the_grace_if_its_invocation_dies_and_a_lone_alarm_is_left_alone(
        shop: Shop) -> None:
    first, second = shop.placed()["order_id"], shop.placed()["order_id"]
    batch = shop.queued()
    shop.to_deadline(first)
    shop.to_deadline(second)
    assert shop.deliver(batch) == []
    grace_s = shop.world.container.settings.overdue_grace_s
    [(receipts, after_s)] = shop.world.alarms.guarded  # before any alarm of the batch fired
    assert len(set(receipts)) == 2 and after_s == grace_s
    lone = shop.placed()["order_id"]
    alone = shop.queued()
    shop.to_deadline(lone)
    assert shop.deliver(alone) == [] and len(shop.world.alarms.guarded) == 1
    assert (shop.status(first), shop.status(second), shop.status(lone)) == ("not_connected",) * 3


def test_alarms_the_sweeper_sent_again_come_back_a_second_after_their_batch_dies_not_a_grace(shop: Shop) -> None:
    lost = [shop.placed()["order_id"] for _ in range(2)]
    shop.queued()  # both triggers lost on the way (the process died after the write)
    grace_s = shop.world.container.settings.overdue_grace_s
    shop.to_deadline(lost[-1], grace_s + 1)
    shop.sweep()
    resent = shop.queued()
    assert sorted(m.entity_id for m in resent) == sorted(lost)
    on_time = shop.placed()["order_id"]
    due = shop.queued()
    shop.to_deadline(on_time)
    assert shop.deliver([*resent, *due]) == []
    (overdue_receipts, overdue_after_s), (due_receipts, due_after_s) = shop.world.alarms.guarded
    assert (len(overdue_receipts), overdue_after_s) == (2, OVERDUE_GUARD_S)
    assert (len(due_receipts), due_after_s) == (1, grace_s)
    assert [shop.status(o) for o in (*lost, on_time)] == ["not_connected"] * 3
