"""The happy path of spec 01 over real HTTP and WebSocket, and a console that connects late."""

from __future__ import annotations

import pytest

from tests.e2e.client import created, epoch_s, status_changed
from tests.e2e.conftest import Parties

pytestmark = pytest.mark.e2e


def test_placed_order_is_pushed_fetched_accepted_and_the_outcome_reaches_both_sides(parties: Parties) -> None:
    shop = parties.shop(window_s=3)
    customer = parties.customer()
    console = parties.terminal(shop.staff)
    phone = parties.terminal(customer)

    order = parties.place(customer, shop, quantity=2)
    assert order["status"] == "new"
    assert order["total"] == {"amount": 5600, "currency": "CNY"}

    pushed = console.wait_for(created(order["order_id"]))
    assert pushed["id"].startswith("msg_") and pushed["server_time"].endswith("Z")
    assert pushed["data"]["answer_deadline"] == order["answer_deadline"]
    assert pushed["data"]["status"] == "new"

    fetched = shop.staff.get(f"/merchant/orders/{order['order_id']}")
    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["status"] == "connected"
    assert phone.wait_for(status_changed(order["order_id"], "connected"))["data"]["previous_status"] == "new"

    accepted = shop.staff.post(f"/merchant/orders/{order['order_id']}/actions", {"action": "accept"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"

    to_customer = phone.wait_for(status_changed(order["order_id"], "accepted"))
    to_merchant = console.wait_for(status_changed(order["order_id"], "accepted"))
    for message in (to_customer, to_merchant):
        assert message["data"]["answer_deadline"] == order["answer_deadline"]
        assert message["data"]["window_open"] is False
        assert epoch_s(message["server_time"]) <= epoch_s(order["answer_deadline"])


def test_console_connecting_after_orders_were_placed_lists_them_as_pending(parties: Parties) -> None:
    # A long window: the listing must happen inside it even on a slow machine; nothing waits for it.
    shop = parties.shop(window_s=60)
    customer = parties.customer()
    earlier = [parties.place(customer, shop)["order_id"] for _ in range(2)]

    console = parties.terminal(shop.staff)
    pending = shop.staff.get("/merchant/orders", params={"status": "pending"})
    assert pending.status_code == 200, pending.text
    listed = pending.json()
    assert sorted(item["order_id"] for item in listed["items"]) == sorted(earlier)
    assert all(item["answer_deadline"] and item["status"] == "new" for item in listed["items"])
    assert listed["server_time"].endswith("Z")

    # Pushes are not replayed: the first thing this console hears about is the next order.
    later = parties.place(customer, shop)["order_id"]
    first = console.wait_for(lambda m: m.get("type") == "order.created")
    assert first["data"]["order_id"] == later
