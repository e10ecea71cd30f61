"""The catalogue through the app: what ops create reads back the same, refusals are problems, the
menu pages, two writers racing on DynamoDB's version condition both take effect, and empty hours
survive the round trip. (The store's rules themselves — hours, windows, who may change what —
are unit-tested on fakes: tests/unit/test_catalogue_service.py.)"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from chalice.test import Client

from chalicelib.catalogue.model import Merchant
from chalicelib.catalogue.store import DynamoCatalogueStore
from tests.builders import cny
from tests.conftest import World
from tests.functional.api import Api
from tests.functional.shop import Shop


def test_ops_create_a_merchant_with_defaults(world: World, client: Client) -> None:
    ops = Api(client, world.token("ops", "ops-1"))
    reply = ops.post("/merchants", {"name": "Noodles", "time_zone": "Asia/Shanghai"})
    assert reply.status == 201
    merchant = reply.body
    assert merchant["merchant_id"].startswith("m_") and merchant["answer_window_s"] == 120
    assert (merchant["paused"], merchant["verified"], merchant["currency"]) == (False, True, "CNY")
    assert ops.get(f"/merchants/{merchant['merchant_id']}").body == merchant


def test_a_merchant_id_cannot_be_created_twice(shop: Shop) -> None:
    before = shop.snapshot()
    reply = shop.ops.post("/merchants", {"merchant_id": "m1", "name": "Impostor", "time_zone": "UTC"})
    assert reply.status == 409 and reply.is_problem
    assert shop.snapshot() == before


def test_only_ops_create_merchants(shop: Shop) -> None:
    for who in (shop.merchant, shop.customer):
        reply = who.post("/merchants", {"name": "Mine", "time_zone": "UTC"})
        assert reply.status == 403 and reply.is_problem


def test_customers_may_read_the_menu_but_not_change_it(shop: Shop) -> None:
    menu = shop.customer.get("/merchants/m1/products")
    assert menu.status == 200 and [p["product_id"] for p in menu.body["items"]] == ["p1", "p2", "p3", "p4"]
    for reply in (shop.customer.patch("/merchants/m1", {"paused": True}),
                  shop.customer.post("/merchants/m1/products", {"name": "x", "price": cny(1), "stock": 1}),
                  shop.customer.patch("/merchants/m1/products/p1", {"price": cny(1)})):
        assert reply.status == 403 and reply.is_problem


def test_the_menu_shows_others_whether_a_product_is_in_stock_and_staff_how_many(shop: Shop) -> None:
    for who in (shop.customer, shop.party("merchant", "staff-9", merchant_id="m2")):
        menu = who.get("/merchants/m1/products").body["items"]
        assert [(p["product_id"], p["in_stock"]) for p in menu] == [("p1", True), ("p2", True), ("p3", True),
                                                                    ("p4", False)]
        assert not any("stock" in p for p in menu), menu
    for who in (shop.merchant, shop.ops):
        assert [p["stock"] for p in who.get("/merchants/m1/products").body["items"]] == [10, 3, 5, 0]


def test_staff_add_and_change_their_products(shop: Shop) -> None:
    added = shop.merchant.post("/merchants/m1/products", {"name": "Tea", "price": cny(500), "stock": 9})
    assert added.status == 201 and added.body["max_per_order"] == 20 and added.body["on_sale"] is True
    product_id = added.body["product_id"]
    changed = shop.merchant.patch(f"/merchants/m1/products/{product_id}", {"price": cny(600), "on_sale": False})
    assert changed.status == 200 and (changed.body["price"], changed.body["on_sale"]) == (cny(600), False)
    assert shop.place(shop.order_body(items=[{"product_id": product_id, "quantity": 1}])).status == 422


def test_the_menu_is_paginated(shop: Shop) -> None:
    first = shop.customer.get("/merchants/m1/products?limit=3")
    assert len(first.body["items"]) == 3 and first.body["next_token"]
    rest = shop.customer.get(f"/merchants/m1/products?limit=3&next_token={first.body['next_token']}")
    assert [p["product_id"] for p in rest.body["items"]] == ["p4"]


@pytest.mark.parametrize("path", ["/merchants/m404", "/merchants/m404/products"])
def test_an_unknown_merchant_is_not_found(shop: Shop, path: str) -> None:
    reply = shop.customer.get(path)
    assert reply.status == 404 and reply.is_problem


class RacingCatalogStore(DynamoCatalogueStore):
    """Lets another writer change the merchant right after each of the next `times` reads."""

    def __init__(self, interloper: Callable[[], object], times: int) -> None:
        self._interloper = interloper
        self._times = times
        self._interloping = False

    def get_merchant(self, merchant_id: str) -> Merchant | None:
        merchant = super().get_merchant(merchant_id)
        if self._times and not self._interloping:
            self._times -= 1
            self._interloping = True
            self._interloper()
            self._interloping = False
        return merchant


def test_two_people_patching_a_store_at_once_both_take_effect(shop: Shop) -> None:
    shop.world.catalogue.store = RacingCatalogStore(
        lambda: shop.ops.patch("/merchants/m1", {"name": "Renamed by ops"}), times=1)
    reply = shop.merchant.patch("/merchants/m1", {"paused": True})
    assert reply.status == 200, reply.body
    assert (reply.body["name"], reply.body["paused"]) == ("Renamed by ops", True)


def test_a_patch_that_keeps_losing_the_race_is_a_409_not_a_500(shop: Shop) -> None:
    racing = RacingCatalogStore(lambda: shop.ops.patch("/merchants/m1", {"name": "again"}), times=10)
    shop.world.catalogue.store = racing
    reply = shop.merchant.patch("/merchants/m1", {"paused": True})
    assert reply.status == 409 and reply.is_problem


@pytest.mark.parametrize("how", ["created", "patched"])
def test_empty_business_hours_mean_closed_however_they_are_set(world: World, client: Client, how: str) -> None:
    shop = Shop(world, client)
    if how == "created":
        shop.open(business_hours={})
    else:
        shop.open()
        shop.ops.patch("/merchants/m1", {"business_hours": {}})
    assert shop.ops.get("/merchants/m1").body["business_hours"] == {}
    assert shop.place().status == 422


def test_customers_list_the_verified_merchants_by_name_page_by_page_and_a_paused_one_says_so(shop: Shop) -> None:
    for merchant_id, name in (("m_c", "Congee Corner"), ("m_a", "Arepa Stand"), ("m_b", "Baozi House")):
        assert shop.ops.post("/merchants", {"merchant_id": merchant_id, "name": name, "time_zone": "UTC"}).status == 201
    assert shop.ops.post("/merchants", {"merchant_id": "m_u", "name": "Aaa unchecked", "time_zone": "UTC",
                                        "verified": False}).status == 201
    assert shop.ops.patch("/merchants/m_b", {"paused": True}).status == 200

    names: list[str] = []
    paused: dict[str, bool] = {}
    path = "/merchants?limit=2"
    while path:
        page = shop.customer.get(path)
        assert page.status == 200 and len(page.body["items"]) <= 2
        names += [m["name"] for m in page.body["items"]]
        paused |= {m["merchant_id"]: m["paused"] for m in page.body["items"]}
        token = page.body["next_token"]
        path = f"/merchants?limit=2&next_token={token}" if token else ""
    assert names == sorted(names) and {"Arepa Stand", "Baozi House", "Congee Corner"} <= set(names)
    assert "Aaa unchecked" not in names  # it may not take orders yet
    assert paused["m_b"] is True and paused["m_a"] is False
    assert shop.customer.get("/merchants/m_a").body == next(
        m for m in shop.customer.get("/merchants?limit=100").body["items"] if m["merchant_id"] == "m_a")
