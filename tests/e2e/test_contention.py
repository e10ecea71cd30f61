"""Many writers at once on one thing, over real HTTP against the running stack: every answer is a
success or a `409 concurrent-update` problem that says to retry — never a 500 — and what is stored
afterwards is exactly one of the writes (nothing half-applied, nothing of a refused write)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.builders import cny
from tests.e2e.client import WAIT_S, Api
from tests.e2e.conftest import Parties
from tests.e2e.crew import Crew

pytestmark = pytest.mark.e2e

WRITERS = 20


def storm(api: Api, send: Callable[[httpx.Client, int], httpx.Response], writers: int = WRITERS
          ) -> list[httpx.Response]:
    """`writers` requests as `api`, each on its own connection and thread, released together."""
    replies: list[httpx.Response | None] = [None] * writers
    start = threading.Barrier(writers)

    def write(n: int) -> None:
        with httpx.Client(base_url=str(api.http.base_url), headers=dict(api.http.headers), timeout=WAIT_S * 2,
                          trust_env=False) as client:
            client.get("/health")  # connected before the barrier, so the writes really overlap
            start.wait()
            replies[n] = send(client, n)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S * 3)
    answered = [r for r in replies if r is not None]
    assert len(answered) == writers, "some writers never got an answer"
    return answered


def amount(price: Any) -> int:
    """A price as a number, whether the view gives it bare or as money (`{"amount": …}`)."""
    return int(price["amount"] if isinstance(price, dict) else price)


def assert_each_won_or_was_told_to_retry(replies: list[httpx.Response]) -> list[int]:
    """The writers that won (by index); every other answer is a 409 concurrent-update problem."""
    won = [n for n, r in enumerate(replies) if r.status_code == 200]
    for reply in replies:
        if reply.status_code == 200:
            continue
        assert reply.status_code == 409, (reply.status_code, reply.text)
        assert reply.headers["content-type"] == "application/problem+json"
        problem = reply.json()
        assert problem["type"] == "/problems/concurrent-update"
        assert "retry" in problem["detail"]
    assert won, "no writer at all got through"
    return won


def test_twenty_concurrent_supplier_patches_each_win_or_are_told_to_retry(parties: Parties) -> None:
    supplier_id = f"sup_{uuid.uuid4().hex[:12]}"
    made = parties.ops.post("/suppliers", {"supplier_id": supplier_id, "name": "e2e books", "currency": "CNY"})
    assert made.status_code == 201, made.text
    writes = [{"name": f"books {n}", "shipping_fee": cny(n)} for n in range(WRITERS)]

    replies = storm(parties.ops, lambda http, n: http.patch(f"/suppliers/{supplier_id}", json=writes[n]))

    won = assert_each_won_or_was_told_to_retry(replies)
    stored = parties.ops.get(f"/suppliers/{supplier_id}").json()
    assert {"name": stored["name"], "shipping_fee": stored["shipping_fee"]} in [writes[n] for n in won]


def test_twenty_concurrent_merchant_patches_each_win_or_are_told_to_retry(parties: Parties) -> None:
    shop = parties.shop(window_s=30)
    writes = [{"name": f"noodles {n}", "answer_window_s": 30 + n} for n in range(WRITERS)]

    replies = storm(parties.ops, lambda http, n: http.patch(f"/merchants/{shop.merchant_id}", json=writes[n]))

    won = assert_each_won_or_was_told_to_retry(replies)
    stored = parties.ops.get(f"/merchants/{shop.merchant_id}").json()
    assert {"name": stored["name"], "answer_window_s": stored["answer_window_s"]} in [writes[n] for n in won]


def test_twenty_concurrent_product_patches_each_win_or_are_told_to_retry(parties: Parties) -> None:
    shop = parties.shop(window_s=30)
    path = f"/merchants/{shop.merchant_id}/products/{shop.product_id}"
    writes = [{"price": cny(1000 + n), "stock": n} for n in range(WRITERS)]

    replies = storm(shop.staff, lambda http, n: http.patch(path, json=writes[n]))

    won = assert_each_won_or_was_told_to_retry(replies)
    menu = shop.staff.get(f"/merchants/{shop.merchant_id}/products").json()["items"]
    [stored] = [p for p in menu if p["product_id"] == shop.product_id]
    assert {"price": stored["price"], "stock": stored["stock"]} in [writes[n] for n in won]


def test_concurrent_patches_of_different_fields_of_a_product_all_hold(parties: Parties) -> None:
    shop = parties.shop(window_s=30)
    path = f"/merchants/{shop.merchant_id}/products/{shop.product_id}"
    writes: list[dict[str, Any]] = [{"price": cny(1234)}, {"stock": 7}, {"name": "Spicy noodles"}, {"on_sale": False}]

    replies = storm(shop.staff, lambda http, n: http.patch(path, json=writes[n]), writers=len(writes))

    assert [r.status_code for r in replies] == [200] * len(writes)
    menu = shop.staff.get(f"/merchants/{shop.merchant_id}/products").json()["items"]
    [stored] = [p for p in menu if p["product_id"] == shop.product_id]
    assert (amount(stored["price"]), stored["stock"], stored["name"], stored["on_sale"]) == (
        1234, 7, "Spicy noodles", False)


def test_twenty_concurrent_default_address_choices_leave_exactly_one_default(parties: Parties) -> None:
    customer = parties.customer()
    ids = []
    for n in range(WRITERS):
        saved = customer.post("/me/addresses", {"label": f"place {n}",
                                                "address": {"line1": f"{n} Century Avenue", "city": "Shanghai"}})
        assert saved.status_code == 201, saved.text
        ids.append(saved.json()["address_id"])

    replies = storm(customer, lambda http, n: http.post(f"/me/addresses/{ids[n]}/default"))

    won = assert_each_won_or_was_told_to_retry(replies)
    defaults = [a["address_id"] for a in customer.get("/me/addresses").json()["items"] if a["default"]]
    assert len(defaults) == 1 and defaults[0] in [ids[n] for n in won]


def test_twenty_concurrent_restocks_each_add_their_units_or_are_told_to_retry(parties: Parties) -> None:
    supplier_id = f"sup_{uuid.uuid4().hex[:12]}"
    assert parties.ops.post("/suppliers", {"supplier_id": supplier_id, "name": "e2e toys",
                                           "currency": "CNY"}).status_code == 201
    path = f"/suppliers/{supplier_id}/products/p_kite"
    assert parties.ops.put(path, {"name": "Kite", "price": cny(900), "stock": 0, "kind": "physical",
                                  "category": "toys"}).status_code == 201

    replies = storm(parties.ops, lambda http, n: http.post(f"{path}/restock", json={"delta": 1}))

    won = assert_each_won_or_was_told_to_retry(replies)
    assert parties.ops.get(path).json()["stock"] == len(won)


def test_twenty_concurrent_installer_patches_keep_the_areas_and_their_coverage_consistent(
        parties: Parties) -> None:
    crew = Crew.open_area(parties, remind_after_s=60, revoke_after_s=60)
    other = Crew.open_area(parties, remind_after_s=60, revoke_after_s=60)
    installer_id = crew.hire().sub
    areas = [crew.area_id, other.area_id]
    writes = [{"name": f"Installer {n}", "areas": [areas[n % 2]]} for n in range(WRITERS)]

    replies = storm(parties.ops, lambda http, n: http.patch(f"/installers/{installer_id}", json=writes[n]))

    won = assert_each_won_or_was_told_to_retry(replies)
    stored = parties.ops.get(f"/installers/{installer_id}").json()
    assert {"name": stored["name"], "areas": stored["areas"]} in [writes[n] for n in won]
    covering = {area: [i["installer_id"] for i in parties.ops.get("/installers", params={"area_id": area}).json()[
        "items"]] for area in areas}
    assert {area for area, ids in covering.items() if installer_id in ids} == set(stored["areas"])


def test_twenty_concurrent_accepts_of_one_order_accept_it_once_and_answer_no_500(parties: Parties) -> None:
    shop = parties.shop(window_s=60)
    order = parties.place(parties.customer(), shop)
    path = f"/merchant/orders/{order['order_id']}"

    replies = storm(shop.staff, lambda http, n: http.post(f"{path}/actions", json={"action": "accept"})
                    if n % 2 else http.get(path))

    assert all(r.status_code in (200, 409) for r in replies), [(r.status_code, r.text) for r in replies]
    assert all(r.json()["type"] in ("/problems/concurrent-update", "/problems/invalid-transition")
               for r in replies if r.status_code == 409)
    seen = shop.staff.get(path).json()
    assert seen["status"] == "accepted"
    assert [h["status"] for h in seen["history"]].count("accepted") == 1
