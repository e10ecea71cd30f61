"""Malformed input, systematically, on every route that takes a body: never a 5xx, always an
RFC 9457 problem listing every offending field, and nothing changed in any table."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.builders import cny
from tests.functional.api import Api, Reply
from tests.functional.shop import ADDRESS, Shop


@dataclass(frozen=True)
class Route:
    name: str
    who: str  # "ops" | "merchant" | "customer"
    method: str
    path: str  # {returned} and {waiting} are orders of the shop in those states
    valid: dict[str, Any]
    wrong_types: dict[str, Any]  # every field of the wrong type or out of range
    wrong_fields: set[str]
    required: set[str] = field(default_factory=set)


ROUTES = [
    Route("create merchant", "ops", "POST", "/merchants",
          {"name": "Tea", "time_zone": "UTC"},
          {"name": 5, "time_zone": 3, "business_hours": "always", "answer_window_s": "60", "currency": "yuan",
           "verified": "yes", "paused": 1, "merchant_id": "bad id!"},
          {"name", "time_zone", "business_hours", "answer_window_s", "currency", "verified", "paused", "merchant_id"},
          {"name", "time_zone"}),
    Route("patch merchant", "merchant", "PATCH", "/merchants/m1",
          {"paused": True},
          {"name": 5, "time_zone": "Mars/Base", "business_hours": [], "answer_window_s": 1.5, "paused": "no",
           "verified": 0},
          {"name", "time_zone", "business_hours", "answer_window_s", "paused", "verified"}),
    Route("add product", "merchant", "POST", "/merchants/m1/products",
          {"name": "Tea", "price": cny(500), "stock": 5},
          {"name": "", "price": "10", "stock": -1, "on_sale": "true", "max_per_order": 0, "product_id": "a b"},
          {"name", "price", "stock", "on_sale", "max_per_order", "product_id"},
          {"name", "price", "stock"}),
    Route("patch product", "merchant", "PATCH", "/merchants/m1/products/p1",
          {"price": cny(2900)},
          {"name": 1, "price": 1.5, "stock": "3", "on_sale": 1, "max_per_order": 100},
          {"name", "price", "stock", "on_sale", "max_per_order"}),
    Route("place order", "customer", "POST", "/orders",
          Shop.order_body(),
          {"merchant_id": 1, "items": [{"product_id": "p1", "quantity": "2", "unit_price": -1}],
           "delivery_address": {"line1": 7, "city": "", "lat": 91, "lng": "east"}, "note": 5},
          {"merchant_id", "items[0].quantity", "items[0].unit_price", "delivery_address.line1",
           "delivery_address.city", "delivery_address.lat", "delivery_address.lng", "note"},
          {"merchant_id", "items", "delivery_address"}),
    Route("resubmit", "customer", "POST", "/orders/{returned}/resubmit",
          {"items": [{"product_id": "p1", "quantity": 1}], "delivery_address": ADDRESS},
          {"items": [], "delivery_address": {"line1": 1}, "note": ["x"]},
          {"items", "delivery_address.line1", "delivery_address.city", "note"},
          {"items", "delivery_address"}),
    Route("answer", "merchant", "POST", "/merchant/orders/{waiting}/actions",
          {"action": "reject", "reason": "busy"},
          {"action": "accept", "reason": 5, "note": 5},
          {"reason", "note"},
          {"action"}),
    Route("create deal", "merchant", "POST", "/deals",
          {"title": "Noodles for two", "price": cny(4900), "valid_until": "2030-12-31T16:00:00Z"},
          {"title": "", "price": cny(-1), "valid_until": 1_900_000_000, "valid_from": "soon", "max_per_order": 0,
           "active": "yes", "shop_id": "a b", "original_price": 6800, "description": 7},
          {"title", "price.amount", "valid_until", "valid_from", "max_per_order", "active", "shop_id",
           "original_price", "description"},
          {"title", "price", "valid_until"}),
    Route("put group-buy settings", "merchant", "PUT", "/shops/m1/group-buy-settings",
          {"days": 2},
          {"time_zone": 8, "meals": [{"name": "Lunch", "start": "9", "end": 12}], "days": 0, "lead_s": -1,
           "interval_s": 1.5, "capacity": "10", "minutes_per_person_default": "5"},
          {"time_zone", "meals[0].name", "meals[0].start", "meals[0].end", "days", "lead_s", "interval_s",
           "capacity", "minutes_per_person_default"}),
]
IDS = [route.name for route in ROUTES]


@pytest.fixture
def orders(shop: Shop) -> dict[str, str]:
    returned: str = shop.placed()["order_id"]
    assert shop.act(returned, "return", reason="edit please").status == 200
    return {"returned": returned, "waiting": shop.placed()["order_id"]}


def send(shop: Shop, route: Route, orders: dict[str, str], body: Any = None, **kw: Any) -> Reply:
    api: Api = getattr(shop, route.who)
    return api.call(route.method, route.path.format(**orders), body, **kw)


def refused(reply: Reply, status: int, what: str) -> None:
    assert reply.status == status, (what, reply.status, reply.body)
    assert reply.is_problem, (what, reply.headers, reply.body)


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_a_body_that_cannot_be_read_is_a_400_naming_the_body(shop: Shop, orders: dict[str, str], route: Route) -> None:
    before = shop.snapshot()
    for what, raw in [("bad JSON", '{"name": '), ("not UTF-8", b"\xff\xfe"), ("empty", ""), ("blank", "  \n"),
                      ("array", "[1, 2]"), ("string", '"text"'), ("number", "42"), ("null", "null"),
                      ("true", "true")]:
        reply = send(shop, route, orders, raw=raw)
        refused(reply, 400, what)
        assert reply.error_fields == ["body"], what
    assert shop.snapshot() == before


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_every_field_of_the_wrong_type_is_listed(shop: Shop, orders: dict[str, str], route: Route) -> None:
    before = shop.snapshot()
    reply = send(shop, route, orders, route.wrong_types)
    refused(reply, 400, "wrong types")
    assert set(reply.error_fields) == route.wrong_fields
    assert shop.snapshot() == before


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_every_missing_required_field_is_listed(shop: Shop, orders: dict[str, str], route: Route) -> None:
    before = shop.snapshot()
    reply = send(shop, route, orders, {})
    if route.required:
        refused(reply, 400, "missing fields")
        assert set(reply.error_fields) == route.required
        assert shop.snapshot() == before
    else:
        assert reply.status == 200  # a patch of nothing is allowed


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_an_unknown_field_is_refused_by_name(shop: Shop, orders: dict[str, str], route: Route) -> None:
    before = shop.snapshot()
    reply = send(shop, route, orders, {**route.valid, "surprise": 1, "is_admin": True})
    refused(reply, 400, "extra fields")
    assert reply.error_fields == ["is_admin", "surprise"]
    assert shop.snapshot() == before


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_a_body_over_64_kb_is_413(shop: Shop, orders: dict[str, str], route: Route) -> None:
    before = shop.snapshot()
    huge = json.dumps({**route.valid, "padding": "x" * 70_000})
    refused(send(shop, route, orders, raw=huge), 413, "huge")
    assert shop.snapshot() == before


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_a_body_that_is_not_json_by_its_media_type_is_415(shop: Shop, orders: dict[str, str], route: Route) -> None:
    before = shop.snapshot()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data"):
        reply = send(shop, route, orders, route.valid, headers={"Content-Type": content_type})
        refused(reply, 415, content_type)
        assert reply.body["type"] == "/problems/unsupported-media-type"
    assert shop.snapshot() == before
    reply = send(shop, route, orders, route.valid, headers={"Content-Type": "application/json; charset=utf-8"})
    assert reply.status in (200, 201), reply.body


@pytest.mark.parametrize(("who", "method", "path", "body"), [
    ("merchant", "PATCH", "/merchants/m404", {"paused": True}),
    ("ops", "PATCH", "/merchants/m404", {"paused": True}),
    ("ops", "POST", "/merchants/m404/products", {"name": "Tea", "price": cny(1), "stock": 1}),
    ("ops", "PATCH", "/merchants/m1/products/p404", {"price": cny(1)}),
    ("ops", "GET", "/merchants/m404", None),
    ("customer", "GET", "/orders/ord_404", None),
    ("customer", "POST", "/orders/ord_404/cancel", None),
    ("customer", "POST", "/orders/ord_404/resubmit", {"items": [{"product_id": "p1", "quantity": 1}],
                                                      "delivery_address": ADDRESS}),
    ("merchant", "GET", "/merchant/orders/ord_404", None),
    ("merchant", "POST", "/merchant/orders/ord_404/actions", {"action": "accept"}),
    ("merchant", "GET", "/merchant/orders/" + "x" * 2000, None),
    ("merchant", "GET", "/merchant/orders/%F0%9F%8D%9C", None),
])
def test_unknown_ids_in_the_path_are_404(shop: Shop, who: str, method: str, path: str, body: Any) -> None:
    before = shop.snapshot()
    api: Api = getattr(shop, who)
    refused(api.call(method, path, body), 404, path)
    assert shop.snapshot() == before


def test_quantities_are_whole_numbers_from_1_to_99(shop: Shop) -> None:
    before = shop.snapshot()
    for quantity in ("2", 0, -1, 100, 1.5, None, True, [2], {"n": 2}, 10**30):
        reply = shop.place(shop.order_body(items=[{"product_id": "p1", "quantity": quantity}]))
        refused(reply, 400, repr(quantity))
        assert reply.error_fields == ["items[0].quantity"], quantity
    assert shop.snapshot() == before


def test_every_bad_item_of_an_order_is_listed_with_its_index(shop: Shop) -> None:
    reply = shop.place(shop.order_body(items=[{"product_id": "p1", "quantity": 1}, {"quantity": 1},
                                              {"product_id": "p2"}, "p3", {"product_id": "p4", "quantity": "9"}]))
    refused(reply, 400, "items")
    assert reply.error_fields == ["items[1].product_id", "items[2].quantity", "items[3]", "items[4].quantity"]


def test_too_many_items_are_refused(shop: Shop) -> None:
    items = [{"product_id": f"p{n}", "quantity": 1} for n in range(51)]
    refused(shop.place(shop.order_body(items=items)), 400, "51 items")


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_coordinates_are_refused(shop: Shop, value: str) -> None:
    raw = json.dumps(shop.order_body()).replace('"city": "Shanghai"}', f'"city": "Shanghai", "lat": {value}}}')
    assert value in raw
    reply = shop.customer.post("/orders", raw=raw)
    assert 400 <= reply.status < 500 and reply.is_problem, reply.body
