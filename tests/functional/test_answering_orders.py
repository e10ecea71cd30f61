"""The merchant console answers: fetch → connected, the four actions, dispatch → complete,
return → resubmit with a fresh window, and the customer's cancel. Every transition is pushed to
both sides with the deadline and the server time. (The answers' rules by themselves are
unit-tested on fakes: tests/unit/test_order_service.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.timefmt import iso
from tests.functional.shop import Shop


@pytest.fixture
def terminals(shop: Shop) -> Shop:
    shop.connect("console", shop.merchant)
    shop.connect("phone", shop.customer)
    return shop


def test_the_first_fetch_connects_the_order_and_a_second_changes_nothing(terminals: Shop) -> None:
    shop = terminals
    order = shop.placed()
    shop.world.clock.advance(3)
    first = shop.merchant.get(f"/merchant/orders/{order['order_id']}")
    assert first.status == 200 and first.body["status"] == "connected"
    assert first.body["connected_at"] == iso(shop.world.clock.now_ms())
    assert first.body["answer_deadline"] == order["answer_deadline"]
    shop.world.clock.advance(3)
    second = shop.merchant.get(f"/merchant/orders/{order['order_id']}")
    assert second.body["status"] == "connected" and second.body["connected_at"] == first.body["connected_at"]
    assert second.body["server_time"] == iso(shop.world.clock.now_ms())
    assert [m["data"]["status"] for m in shop.pushed("phone", "order.status_changed")] == ["connected"]


@pytest.mark.parametrize(("action", "fields", "status"), [
    ("accept", {}, "accepted"),
    ("reject", {"reason": "out_of_stock"}, "rejected"),
    ("return", {"reason": "no beef today, chicken?"}, "returned"),
    ("dispatch", {}, "dispatched"),
])
def test_each_answer_settles_the_window_and_both_sides_are_told(
        terminals: Shop, action: str, fields: dict[str, Any], status: str) -> None:
    shop = terminals
    order = shop.placed()
    shop.merchant.get(f"/merchant/orders/{order['order_id']}")
    shop.world.clock.advance(10)
    reply = shop.act(order["order_id"], action, **fields)
    assert reply.status == 200 and reply.body["status"] == status and reply.body["window_open"] is False
    assert reply.body["answered_at"] == iso(shop.world.clock.now_ms())
    assert reply.body["reason"] == fields.get("reason") and "merchant_note" not in reply.body
    for terminal in ("console", "phone"):
        last = shop.pushed(terminal, "order.status_changed")[-1]
        assert last["data"]["status"] == status and last["data"]["previous_status"] == "connected"
        assert last["data"]["cause"] == action
        assert last["data"]["answer_deadline"] == order["answer_deadline"]
        assert last["server_time"] == last["data"]["server_time"] == iso(shop.world.clock.now_ms())
    assert ("WindowOutcome", 1, {"outcome": status}) in shop.world.metrics.emitted
    assert shop.world.metrics.values("AnswerTime") == [10_000]


def test_an_accepted_order_is_dispatched_then_completed(terminals: Shop) -> None:
    shop = terminals
    order_id = shop.placed()["order_id"]
    shop.act(order_id, "accept")
    shop.world.clock.advance(20 * 60)  # long after the window: fulfilment has no deadline
    assert shop.act(order_id, "dispatch").body["status"] == "dispatched"
    assert shop.act(order_id, "complete").body["status"] == "completed"
    assert [m["data"]["status"] for m in shop.pushed("phone", "order.status_changed")] == [
        "accepted", "dispatched", "completed"]
    assert [h["status"] for h in shop.customer.get(f"/orders/{order_id}").body["history"]] == [
        "new", "accepted", "dispatched", "completed"]


def test_of_two_consoles_the_first_answer_wins_and_both_see_it(shop: Shop) -> None:
    second_console = shop.party("merchant", "staff-2", merchant_id="m1")
    shop.connect("console-1", shop.merchant)
    shop.connect("console-2", second_console)
    order_id = shop.placed()["order_id"]
    shop.act(order_id, "accept")
    reply = shop.act(order_id, "reject", by=second_console, reason="busy")
    assert reply.status == 409 and reply.is_problem and reply.body["type"] == "/problems/invalid-transition"
    assert reply.body["current_status"] == "accepted"
    assert shop.status(order_id) == "accepted"
    for console in ("console-1", "console-2"):
        assert [m["data"]["status"] for m in shop.pushed(console, "order.status_changed")] == ["accepted"]


def test_completing_an_order_that_was_not_dispatched_is_refused(shop: Shop) -> None:
    order_id = shop.placed()["order_id"]
    reply = shop.act(order_id, "complete")
    assert reply.status == 409 and reply.is_problem and shop.status(order_id) == "new"


# ── return → resubmit ────────────────────────────────────────────────────────────────────────

def test_a_returned_order_resubmitted_opens_a_fresh_window_and_is_pushed_as_new_again(terminals: Shop) -> None:
    shop = terminals
    order = shop.placed()
    shop.act(order["order_id"], "return", reason="no beef today")
    shop.world.clock.advance(300)  # after the first window: the customer took time to edit
    reply = shop.customer.post(f"/orders/{order['order_id']}/resubmit", {
        "items": [{"product_id": "p2", "quantity": 2}], "delivery_address": {"line1": "2 Road", "city": "Shanghai"}})
    assert reply.status == 200, reply.body
    again = reply.body
    assert again["status"] == "new" and again["round"] == 2 and again["window_open"] is True
    assert again["answer_deadline"] == iso(shop.world.clock.now_ms() + 120_000)
    assert again["total"]["amount"] == 3000 and again["reason"] is None
    created = shop.pushed("console", "order.created")
    assert [m["data"]["round"] for m in created] == [1, 2]
    assert created[-1]["data"]["answer_deadline"] == again["answer_deadline"]
    assert shop.pushed("phone", "order.status_changed")[-1]["data"]["status"] == "new"
    assert shop.merchant.get(f"/merchant/orders/{order['order_id']}").body["status"] == "connected"


# ── the customer's cancel ────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("fetched", [False, True])
def test_the_customer_cancels_while_the_order_waits(terminals: Shop, fetched: bool) -> None:
    shop = terminals
    order_id = shop.placed()["order_id"]
    if fetched:
        shop.merchant.get(f"/merchant/orders/{order_id}")
    reply = shop.customer.post(f"/orders/{order_id}/cancel")
    assert reply.status == 200 and reply.body["status"] == "cancelled"
    assert shop.pushed("console", "order.status_changed")[-1]["data"]["status"] == "cancelled"
    assert shop.act(order_id, "accept").status == 409


def test_a_cancel_after_the_deadline_is_refused_as_window_closed(shop: Shop) -> None:
    order_id = shop.placed()["order_id"]
    shop.to_deadline(order_id)
    reply = shop.customer.post(f"/orders/{order_id}/cancel")
    assert reply.status == 409 and reply.is_problem and reply.body["type"] == "/problems/window-closed"
    assert shop.status(order_id) == "not_connected"


def test_the_merchant_cannot_cancel_for_the_customer(shop: Shop) -> None:
    order_id = shop.placed()["order_id"]
    reply = shop.merchant.post(f"/orders/{order_id}/cancel")
    assert reply.status == 403 and shop.status(order_id) == "new"


def test_the_merchants_words_go_in_reason_and_the_old_note_member_is_refused_by_name(shop: Shop) -> None:
    order_id = shop.placed()["order_id"]
    before = shop.snapshot()
    old = shop.act(order_id, "return", note="no beef today")
    assert old.status == 400 and old.is_problem and old.error_fields == ["note", "reason"]
    assert shop.snapshot() == before
    returned = shop.act(order_id, "return", reason="no beef today")
    assert returned.status == 200 and returned.body["reason"] == "no beef today"
    assert shop.customer.get(f"/orders/{order_id}").body["reason"] == "no beef today"
