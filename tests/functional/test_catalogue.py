"""The catalogue: ops create merchants and products; a merchant's staff run their own store
(open/pause, hours, answer window, products); nobody else may."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from chalice.test import Client

from chalicelib.catalogue.model import Merchant
from chalicelib.catalogue.store import DynamoCatalogueStore
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


def test_staff_open_and_pause_their_own_store(shop: Shop) -> None:
    paused = shop.merchant.patch("/merchants/m1", {"paused": True})
    assert paused.status == 200 and paused.body["paused"] is True
    assert shop.place().status == 422
    assert shop.merchant.patch("/merchants/m1", {"paused": False}).body["paused"] is False
    assert shop.place().status == 201


def test_staff_change_their_hours_and_an_interval_may_run_past_midnight(shop: Shop) -> None:
    # Now is Wednesday 19:06 in Shanghai.
    reply = shop.merchant.patch("/merchants/m1", {"business_hours": {"tue": [["20:00", "02:00"]]}})
    assert reply.status == 200 and reply.body["business_hours"] == {"tue": [["20:00", "02:00"]]}
    assert shop.place().status == 422
    shop.merchant.patch("/merchants/m1", {"business_hours": {"wed": [["11:00", "14:00"], ["18:00", "02:00"]]}})
    assert shop.place().status == 201
    shop.world.clock.advance(6 * 3600)  # Thursday 01:06, still Wednesday's evening
    assert shop.place().status == 201
    shop.world.clock.advance(3600)  # 02:06: closed
    assert shop.place().status == 422


def test_clearing_the_hours_means_always_open(shop: Shop) -> None:
    shop.merchant.patch("/merchants/m1", {"business_hours": {}})
    assert shop.place().status == 422
    shop.merchant.patch("/merchants/m1", {"business_hours": None})
    assert shop.place().status == 201


@pytest.mark.parametrize(("window", "status"), [(1, 200), (900, 200), (0, 422), (901, 422), (-5, 422)])
def test_the_local_stage_accepts_windows_from_1_to_900_seconds(shop: Shop, window: int, status: int) -> None:
    reply = shop.merchant.patch("/merchants/m1", {"answer_window_s": window})
    assert reply.status == status, reply.body
    if status == 422:
        assert reply.is_problem and reply.error_fields == ["answer_window_s"]


@pytest.mark.parametrize(("window", "status"), [(29, 422), (30, 201), (900, 201), (901, 422), (1, 422)])
def test_other_stages_accept_windows_from_30_to_900_seconds(dev_stage_world: World, window: int, status: int) -> None:
    from app import app

    with Client(app) as client:
        ops = Api(client, dev_stage_world.token("ops", "ops-1"))
        reply = ops.post("/merchants", {"merchant_id": "m1", "name": "N", "time_zone": "UTC",
                                        "answer_window_s": window})
        assert reply.status == status, reply.body
        if status == 422:
            assert reply.is_problem and reply.error_fields == ["answer_window_s"]


def test_merchants_cannot_verify_themselves_but_ops_can(shop: Shop) -> None:
    shop.ops.patch("/merchants/m1", {"verified": False})
    reply = shop.merchant.patch("/merchants/m1", {"verified": True})
    assert reply.status == 403 and reply.is_problem
    assert shop.ops.get("/merchants/m1").body["verified"] is False
    assert shop.ops.patch("/merchants/m1", {"verified": True}).body["verified"] is True


def test_another_merchants_staff_get_404_and_change_nothing(shop: Shop) -> None:
    rival = shop.party("merchant", "staff-9", merchant_id="m2")
    before = shop.snapshot()
    for reply in (rival.patch("/merchants/m1", {"paused": True}),
                  rival.post("/merchants/m1/products", {"name": "Spam", "price": 1, "stock": 1}),
                  rival.patch("/merchants/m1/products/p1", {"price": 1})):
        assert reply.status == 404 and reply.is_problem
    assert shop.snapshot() == before


def test_customers_may_read_the_menu_but_not_change_it(shop: Shop) -> None:
    menu = shop.customer.get("/merchants/m1/products")
    assert menu.status == 200 and [p["product_id"] for p in menu.body["items"]] == ["p1", "p2", "p3", "p4"]
    for reply in (shop.customer.patch("/merchants/m1", {"paused": True}),
                  shop.customer.post("/merchants/m1/products", {"name": "x", "price": 1, "stock": 1}),
                  shop.customer.patch("/merchants/m1/products/p1", {"price": 1})):
        assert reply.status == 403 and reply.is_problem


def test_staff_add_and_change_their_products(shop: Shop) -> None:
    added = shop.merchant.post("/merchants/m1/products", {"name": "Tea", "price": 500, "stock": 9})
    assert added.status == 201 and added.body["max_per_order"] == 20 and added.body["on_sale"] is True
    product_id = added.body["product_id"]
    changed = shop.merchant.patch(f"/merchants/m1/products/{product_id}", {"price": 600, "on_sale": False})
    assert changed.status == 200 and (changed.body["price"], changed.body["on_sale"]) == (600, False)
    assert shop.place(shop.order_body(items=[{"product_id": product_id, "quantity": 1}])).status == 422


def test_a_price_change_applies_to_the_next_order_only(shop: Shop) -> None:
    before = shop.placed()
    shop.merchant.patch("/merchants/m1/products/p1", {"price": 3000})
    after = shop.placed()
    assert (before["total"]["amount"], after["total"]["amount"]) == (5600, 6000)
    assert shop.customer.get(f"/orders/{before['order_id']}").body["total"]["amount"] == 5600


def test_the_menu_is_paginated(shop: Shop) -> None:
    first = shop.customer.get("/merchants/m1/products?limit=3")
    assert len(first.body["items"]) == 3 and first.body["next_token"]
    rest = shop.customer.get(f"/merchants/m1/products?limit=3&next_token={first.body['next_token']}")
    assert [p["product_id"] for p in rest.body["items"]] == ["p4"]


@pytest.mark.parametrize("path", ["/merchants/m404", "/merchants/m404/products"])
def test_an_unknown_merchant_is_not_found(shop: Shop, path: str) -> None:
    reply = shop.customer.get(path)
    assert reply.status == 404 and reply.is_problem


def test_patching_an_unknown_product_is_not_found(shop: Shop) -> None:
    reply = shop.merchant.patch("/merchants/m1/products/p404", {"price": 1})
    assert reply.status == 404 and reply.is_problem


@pytest.mark.parametrize("field", ["name", "time_zone", "paused", "verified"])
def test_a_required_merchant_field_cannot_be_cleared(shop: Shop, field: str) -> None:
    before = shop.snapshot()
    reply = shop.ops.patch("/merchants/m1", {field: None})
    assert reply.status == 422 and reply.is_problem and reply.error_fields == [field]
    assert shop.snapshot() == before


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
