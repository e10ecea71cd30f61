"""Windows that close: adjudication at the deadline, and an action racing it."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.e2e.client import WAIT_S, epoch_s, status_changed
from tests.e2e.conftest import Parties

pytestmark = pytest.mark.e2e

ON_TIME_S = 1.5
"""How late an outcome may reach a terminal: the alarm fires within ~1 s (target p99), plus slack
for a loaded machine. Typical is under 0.1 s."""
FINAL = {"accepted", "rejected", "returned", "dispatched", "not_connected", "unanswered", "cancelled"}


def test_order_never_fetched_is_not_connected_and_the_customer_hears_it_at_the_deadline(parties: Parties) -> None:
    shop = parties.shop(window_s=2)
    customer = parties.customer()
    phone = parties.terminal(customer)
    console = parties.terminal(shop.staff)

    order = parties.place(customer, shop)
    outcome = phone.wait_for(status_changed(order["order_id"]), timeout_s=shop.window_s + WAIT_S)

    deadline = epoch_s(order["answer_deadline"])
    assert outcome["data"]["status"] == "not_connected"
    assert outcome["data"]["cause"] == "deadline"
    assert epoch_s(outcome["server_time"]) >= deadline  # adjudicated by the server's clock, never early
    assert outcome["_received_at"] - deadline <= ON_TIME_S
    console.wait_for(status_changed(order["order_id"], "not_connected"))  # the console hides its dialog


def test_order_fetched_but_not_answered_is_unanswered_at_the_deadline(parties: Parties) -> None:
    shop = parties.shop(window_s=2)
    customer = parties.customer()
    phone = parties.terminal(customer)

    order = parties.place(customer, shop)
    assert shop.staff.get(f"/merchant/orders/{order['order_id']}").json()["status"] == "connected"
    outcome = phone.wait_for(status_changed(order["order_id"], "unanswered"), timeout_s=shop.window_s + WAIT_S)

    assert outcome["_received_at"] - epoch_s(order["answer_deadline"]) <= ON_TIME_S
    late = shop.staff.post(f"/merchant/orders/{order['order_id']}/actions", {"action": "accept"})
    assert late.status_code == 409
    assert late.json()["type"] == "/problems/window-closed"
    assert customer.get(f"/orders/{order['order_id']}").json()["status"] == "unanswered"


def test_accepts_racing_the_deadline_yield_exactly_one_outcome(parties: Parties) -> None:
    shop = parties.shop(window_s=2)
    customer = parties.customer()
    phone = parties.terminal(customer)
    order = parties.place(customer, shop)
    order_id = order["order_id"]
    assert shop.staff.get(f"/merchant/orders/{order_id}").json()["status"] == "connected"

    # Several consoles press "accept" around the deadline (this machine's clock is the server's),
    # while the alarm fires at it.
    deadline = epoch_s(order["answer_deadline"])
    offsets_s = (-0.03, -0.01, 0.0, 0.0, 0.01, 0.03)
    replies: list[httpx.Response] = []
    start = threading.Barrier(len(offsets_s))

    def press(offset_s: float) -> None:
        with httpx.Client(base_url=str(shop.staff.http.base_url), headers=dict(shop.staff.http.headers),
                          timeout=WAIT_S, trust_env=False) as console:
            console.get("/health")  # connected before the moment, so the press leaves on time
            start.wait()
            time.sleep(max(0.0, deadline + offset_s - time.time()))
            replies.append(console.post(f"/merchant/orders/{order_id}/actions", json={"action": "accept"}))

    pressers = [threading.Thread(target=press, args=(offset,)) for offset in offsets_s]
    for presser in pressers:
        presser.start()
    for presser in pressers:
        presser.join(WAIT_S)

    assert len(replies) == len(offsets_s)
    won = [r for r in replies if r.status_code == 200]
    lost = [r for r in replies if r.status_code != 200]
    assert len(won) <= 1
    assert all(r.status_code == 409 and r.headers["content-type"] == "application/problem+json" for r in lost)
    expected = "accepted" if won else "unanswered"
    allowed_problems = {"/problems/window-closed", "/problems/invalid-transition"} if won else {
        "/problems/window-closed"}
    assert {r.json()["type"] for r in lost} <= allowed_problems

    final = phone.wait_for(status_changed(order_id, expected))
    seen = customer.get(f"/orders/{order_id}").json()
    assert seen["status"] == expected
    assert [h["status"] for h in seen["history"] if h["status"] in FINAL] == [expected]
    phone.drain(quiet_s=0.5)  # anything a second outcome would have pushed arrives by now
    assert [m["data"]["status"] for m in phone.about(order_id, "order.status_changed")] == ["connected", expected]
    assert final["data"]["status"] == expected
