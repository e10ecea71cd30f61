"""`POST /orders`: a genuine order is stored, its window starts and the merchant is told; an
order that is not genuine is refused with every reason, and nothing is stored or pushed. (Each
reason by itself is unit-tested on fakes: tests/unit/test_order_service.py.)"""

from __future__ import annotations

from datetime import datetime

from chalicelib.core.timefmt import iso
from tests.builders import cny
from tests.functional.shop import Shop


def ms(timestamp: str) -> int:
    return int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp() * 1000)


def test_a_placed_order_is_new_with_a_deadline_one_window_after_the_server_time(shop: Shop) -> None:
    reply = shop.place(shop.order_body(items=[{"product_id": "p1", "quantity": 2},
                                              {"product_id": "p2", "quantity": 3}], note="no chilli"))
    assert reply.status == 201
    order = reply.body
    assert order["status"] == "new" and order["window_open"] is True and order["round"] == 1
    assert order["server_time"] == iso(shop.world.clock.now_ms())
    assert ms(order["answer_deadline"]) - ms(order["server_time"]) == 120_000 == order["answer_window_s"] * 1000
    assert order["total"] == {"amount": 2 * 2800 + 3 * 1500, "currency": "CNY"}
    assert [(i["product_id"], i["unit_price"], i["amount"]) for i in order["items"]] == [
        ("p1", cny(2800), cny(5600)), ("p2", cny(1500), cny(4500))]
    assert order["note"] == "no chilli" and order["customer_id"] == "u1" and order["merchant_id"] == "m1"
    assert shop.status(order["order_id"]) == "new"


def test_every_terminal_of_the_merchant_gets_the_new_order_and_nobody_else(shop: Shop) -> None:
    for connection_id in ("console-1", "console-2"):
        assert shop.connect(connection_id, shop.merchant) == 200
    assert shop.connect("other-shop", shop.party("merchant", "staff-9", merchant_id="m2")) == 200
    assert shop.connect("phone", shop.customer) == 200
    order = shop.placed()
    for console in ("console-1", "console-2"):
        (pushed,) = shop.pushed(console, "order.created")
        assert pushed["data"]["order_id"] == order["order_id"]
        assert pushed["data"]["answer_deadline"] == order["answer_deadline"]
        assert pushed["server_time"] == pushed["data"]["server_time"] == order["server_time"]
    assert shop.pushed("other-shop") == [] and shop.pushed("phone") == []


def test_the_server_price_is_used_and_a_price_the_app_showed_wrongly_is_refused(shop: Shop) -> None:
    right = shop.place(shop.order_body(items=[{"product_id": "p1", "quantity": 1, "unit_price": cny(2800)}]))
    assert right.status == 201 and right.body["total"]["amount"] == 2800
    before = shop.snapshot()
    wrong = shop.place(shop.order_body(items=[{"product_id": "p1", "quantity": 1, "unit_price": cny(100)}]))
    assert wrong.status == 422 and wrong.is_problem and wrong.error_fields == ["items[0].unit_price"]
    assert shop.snapshot() == before


def test_an_order_that_is_not_genuine_gets_every_reason_and_nothing_is_stored_or_pushed(shop: Shop) -> None:
    shop.connect("console-1", shop.merchant)
    shop.merchant.patch("/merchants/m1", {"paused": True})
    before = shop.snapshot()
    reply = shop.place(shop.order_body(items=[
        {"product_id": "nope", "quantity": 1},
        {"product_id": "p3", "quantity": 1},
        {"product_id": "p4", "quantity": 1},
        {"product_id": "p2", "quantity": 4},
        {"product_id": "p1", "quantity": 1, "unit_price": cny(1)},
    ]))
    assert reply.status == 422 and reply.is_problem and reply.body["type"] == "/problems/validation-failed"
    assert reply.error_fields == sorted(["merchant_id", "items[0].product_id", "items[1].product_id",
                                         "items[2].quantity", "items[3].quantity", "items[4].unit_price"])
    assert shop.snapshot() == before
    assert shop.pushed("console-1") == [] and shop.world.alarms.sent == []


def test_only_customers_place_orders(shop: Shop) -> None:
    before = shop.snapshot()
    for other in (shop.merchant, shop.ops):
        reply = shop.place(by=other)
        assert reply.status == 403 and reply.is_problem
    assert shop.snapshot() == before


# ── Idempotency-Key ──────────────────────────────────────────────────────────────────────────

def test_a_retried_order_with_the_same_key_is_one_order_pushed_once(shop: Shop) -> None:
    shop.connect("console-1", shop.merchant)
    first = shop.place(headers={"Idempotency-Key": "retry-1"})
    shop.world.clock.advance(2)
    again = shop.place(headers={"Idempotency-Key": "retry-1"})
    assert first.status == again.status == 201
    assert again.body["order_id"] == first.body["order_id"]
    assert again.body["answer_deadline"] == first.body["answer_deadline"]
    assert again.body["server_time"] == iso(shop.world.clock.now_ms())  # the replay tells the current time
    assert len(shop.pushed("console-1", "order.created")) == 1
    assert len(shop.customer.get("/orders").body["items"]) == 1


def test_the_same_key_with_another_body_is_refused(shop: Shop) -> None:
    shop.place(headers={"Idempotency-Key": "retry-1"})
    before = shop.snapshot()
    reply = shop.place(shop.order_body(note="changed"), headers={"Idempotency-Key": "retry-1"})
    assert reply.status == 422 and reply.is_problem and reply.body["type"] == "/problems/idempotency-key-reused"
    assert shop.snapshot() == before


def test_another_customer_may_use_the_same_key(shop: Shop) -> None:
    first = shop.place(headers={"Idempotency-Key": "k"})
    other = shop.place(by=shop.party("customer", "u2"), headers={"Idempotency-Key": "k"})
    assert other.status == 201 and other.body["order_id"] != first.body["order_id"]


def test_a_refused_order_can_be_retried_with_the_same_key_once_corrected(shop: Shop) -> None:
    shop.merchant.patch("/merchants/m1", {"paused": True})
    assert shop.place(headers={"Idempotency-Key": "k"}).status == 422
    shop.merchant.patch("/merchants/m1", {"paused": False})
    assert shop.place(headers={"Idempotency-Key": "k"}).status == 201


def test_an_overlong_idempotency_key_is_malformed(shop: Shop) -> None:
    reply = shop.place(headers={"Idempotency-Key": "k" * 256})
    assert reply.status == 400 and reply.is_problem and reply.error_fields == ["Idempotency-Key"]
