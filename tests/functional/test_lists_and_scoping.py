"""What each party may see: a reconnecting merchant's pending orders (paginated), a customer's
orders, and 404 for everything that belongs to someone else; ops see all."""

from __future__ import annotations

import pytest

from tests.functional.shop import Shop


def ids(items: list[dict[str, object]]) -> list[object]:
    return [item["order_id"] for item in items]


def test_a_reconnecting_merchant_lists_its_orders_awaiting_an_answer_soonest_first(shop: Shop) -> None:
    first = shop.placed()["order_id"]
    shop.world.clock.advance(5)
    second = shop.placed()["order_id"]
    shop.world.clock.advance(5)
    answered = shop.placed()["order_id"]
    shop.act(answered, "accept")
    shop.merchant.get(f"/merchant/orders/{second}")
    listing = shop.merchant.get("/merchant/orders?status=pending")
    assert listing.status == 200 and ids(listing.body["items"]) == [first, second]
    assert [o["status"] for o in listing.body["items"]] == ["new", "connected"]
    assert all("answer_deadline" in o and o["window_open"] for o in listing.body["items"])
    assert "server_time" in listing.body and listing.body["next_token"] is None
    assert ids(shop.merchant.get("/merchant/orders").body["items"]) == [first, second]  # pending is the default


def test_pending_leaves_out_orders_past_their_deadline_even_before_the_alarm(shop: Shop) -> None:
    early = shop.placed()["order_id"]
    shop.world.clock.advance(60)
    later = shop.placed()["order_id"]
    shop.to_deadline(early)
    assert ids(shop.merchant.get("/merchant/orders?status=pending").body["items"]) == [later]


def test_pending_orders_are_paginated(shop: Shop) -> None:
    placed = []
    for _ in range(5):
        placed.append(shop.placed()["order_id"])
        shop.world.clock.advance(1)
    seen: list[object] = []
    token = None
    pages = 0
    while True:
        path = "/merchant/orders?status=pending&limit=2" + (f"&next_token={token}" if token else "")
        page = shop.merchant.get(path)
        assert page.status == 200 and len(page.body["items"]) <= 2
        seen += ids(page.body["items"])
        pages += 1
        token = page.body["next_token"]
        if not token:
            break
    assert seen == placed and pages >= 3


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=ten", "limit=-1", "next_token=%25%25garbage",
                                   "status=eaten"])
def test_bad_list_parameters_are_client_errors(shop: Shop, query: str) -> None:
    reply = shop.merchant.get(f"/merchant/orders?{query}")
    assert reply.status in (400, 422) and reply.is_problem and reply.error_fields


def test_a_merchant_lists_all_its_orders_or_one_status_newest_first(shop: Shop) -> None:
    first = shop.placed()["order_id"]
    shop.world.clock.advance(1)
    second = shop.placed()["order_id"]
    shop.act(first, "reject", reason="busy")
    assert ids(shop.merchant.get("/merchant/orders?status=all").body["items"]) == [second, first]
    assert ids(shop.merchant.get("/merchant/orders?status=rejected").body["items"]) == [first]


def test_a_customer_lists_only_its_own_orders_newest_first(shop: Shop) -> None:
    mine = shop.placed()["order_id"]
    shop.world.clock.advance(1)
    shop.placed(by=shop.party("customer", "u2"))
    shop.world.clock.advance(1)
    newer = shop.placed()["order_id"]
    listing = shop.customer.get("/orders")
    assert ids(listing.body["items"]) == [newer, mine] and "server_time" in listing.body


# ── scoping ──────────────────────────────────────────────────────────────────────────────────

def test_another_customers_order_is_not_found(shop: Shop) -> None:
    order_id = shop.placed()["order_id"]
    stranger = shop.party("customer", "u2")
    for reply in (stranger.get(f"/orders/{order_id}"), stranger.post(f"/orders/{order_id}/cancel"),
                  stranger.post(f"/orders/{order_id}/resubmit", {"items": [{"product_id": "p1", "quantity": 1}],
                                                                 "delivery_address": {"line1": "x", "city": "y"}})):
        assert reply.status == 404 and reply.is_problem
    assert shop.status(order_id) == "new"


def test_another_merchants_order_is_not_found_and_stays_untouched(shop: Shop) -> None:
    order_id = shop.placed()["order_id"]
    rival = shop.party("merchant", "staff-9", merchant_id="m2")
    for reply in (rival.get(f"/merchant/orders/{order_id}"), rival.get(f"/orders/{order_id}"),
                  shop.act(order_id, "accept", by=rival)):
        assert reply.status == 404 and reply.is_problem and reply.body["type"] == "/problems/not-found"
    assert shop.status(order_id) == "new"
    assert ids(rival.get("/merchant/orders").body["items"]) == []


def test_an_unknown_order_is_not_found_the_same_way(shop: Shop) -> None:
    order_id = shop.placed()["order_id"]
    rival = shop.party("merchant", "staff-9", merchant_id="m2")
    foreign, missing = rival.get(f"/merchant/orders/{order_id}"), rival.get("/merchant/orders/ord_missing")
    assert (foreign.status, foreign.body["title"]) == (missing.status, missing.body["title"])


def test_ops_see_every_order_but_do_not_answer_for_merchants(shop: Shop) -> None:
    order_id = shop.placed()["order_id"]
    assert shop.ops.get(f"/orders/{order_id}").body["status"] == "new"
    assert shop.ops.get(f"/merchant/orders/{order_id}").status == 403
    assert shop.act(order_id, "accept", by=shop.ops).status == 403
    assert shop.status(order_id) == "new"


def test_the_merchant_of_the_order_reads_it_as_the_customer_does(shop: Shop) -> None:
    order_id = shop.placed()["order_id"]
    as_customer = shop.customer.get(f"/orders/{order_id}").body
    as_merchant = shop.merchant.get(f"/orders/{order_id}").body
    assert as_customer == as_merchant and as_merchant["status"] == "new"  # reading is not fetching


def test_customers_cannot_use_the_merchant_console(shop: Shop) -> None:
    order_id = shop.placed()["order_id"]
    assert shop.customer.get("/merchant/orders").status == 403
    assert shop.customer.get(f"/merchant/orders/{order_id}").status == 403
    assert shop.act(order_id, "accept", by=shop.customer).status == 403
