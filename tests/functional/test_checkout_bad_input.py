"""Bad input on every route of split orders: a 4xx RFC 9457 problem naming the offending fields,
never a 5xx, and nothing changed; wrong roles are 403; someone else's purchase, record or parcel
is 404; a stage without a payment provider answers 503 and creates nothing. (Why a cart is
refused, and a paid purchase's cancel, are unit-tested on fakes: tests/unit/test_checkout_service.py.)"""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.test import Client

from tests.conftest import World
from tests.events import ws_message
from tests.functional.market import Market


@pytest.fixture
def market(world: World, client: Client) -> Market:
    opened = Market(world, client)
    opened.open()
    return opened


BAD_BODIES: list[tuple[str, str, str, Any, set[str]]] = [
    ("form", "customer", "/checkout/form", {"items": [{"supplier_id": "bad id!", "product_id": 5, "quantity": 0}]},
     {"items[0].supplier_id", "items[0].product_id", "items[0].quantity"}),
    ("form without items", "customer", "/checkout/form", {"items": []}, {"items"}),
    ("checkout", "customer", "/purchases", {"sections": [{
        "supplier_id": "s_shoes", "address": {"line1": "", "lat": 91},
        "items": [{"product_id": "p_run", "quantity": "2", "unit_price": -1, "attributes": {"Size": "41"}}]}]},
     {"sections[0].address.line1", "sections[0].address.city", "sections[0].address.lat",
      "sections[0].items[0].quantity", "sections[0].items[0].unit_price",
      "sections[0].items[0].attributes.Size.[key]"}),
    ("checkout with an unknown field", "customer", "/purchases", {"sections": [], "voucher": "FREE"},
     {"sections", "voucher"}),
    ("ship", "s_shoes", "/parcels/{parcel}/ship", {"method": "teleport", "position": {"lat": "x"}},
     {"method", "position.lat", "position.lng"}),
    ("position", "s_shoes", "/parcels/{parcel}/positions", {"lat": 200, "lng": None}, {"lat", "lng"}),
]


@pytest.mark.parametrize(("name", "who", "path", "body", "fields"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_malformed_bodies_are_400_problems_naming_every_field_and_change_nothing(
        market: Market, name: str, who: str, path: str, body: Any, fields: set[str]) -> None:
    parcel = _shoe_parcel(market)
    api = market.customer if who == "customer" else market.supplier(who)
    before = market.snapshot()
    for sent in (body, "{not json", [1, 2]):
        reply = api.post(path.format(parcel=parcel), raw=sent if isinstance(sent, str) else json.dumps(sent))
        assert reply.status == 400 and reply.is_problem, (name, sent, reply.body)
    reply = api.post(path.format(parcel=parcel), body)
    assert set(reply.error_fields) == fields, reply.body
    assert market.snapshot() == before


@pytest.mark.parametrize(("role", "path"), [("supplier", "/purchases"), ("ops", "/purchases"),
                                             ("supplier", "/checkout/form"), ("customer", "/parcels/{parcel}/ship"),
                                             ("carrier", "/parcels/{parcel}/ship")])
def test_the_wrong_role_is_403(market: Market, role: str, path: str) -> None:
    parcel = _shoe_parcel(market)
    api = market.party(role, "someone", supplier_id="s_books") if role == "supplier" else market.party(role, "x")
    body = {"method": "courier"} if "ship" in path else (
        {"sections": Market.sections()} if path == "/purchases" else
        {"items": [{"supplier_id": "s_shoes", "product_id": "p_run"}]})
    reply = api.post(path.format(parcel=parcel), body)
    assert reply.status == 403 and reply.is_problem


def test_someone_elses_purchase_or_record_is_404_and_unchanged(market: Market) -> None:
    purchase = market.paid(shoes=1, books=0, cards=0)
    record_id = market.records()[0]["record_id"]
    stranger = market.party("customer", "u2")
    before = market.snapshot()
    for reply in (stranger.get(f"/purchases/{purchase['purchase_id']}"),
                  stranger.post(f"/purchases/{purchase['purchase_id']}/cancel"),
                  stranger.post(f"/purchases/{purchase['purchase_id']}/reconcile"),
                  stranger.get(f"/purchase-records/{record_id}"),
                  market.customer.get("/purchases/pur_nope"), market.customer.get("/purchases/bad%20id")):
        assert reply.status == 404 and reply.is_problem
    assert stranger.get("/purchase-records").body["items"] == []
    assert market.snapshot() == before


def test_a_supplier_console_lists_its_open_orders_when_it_reconnects(market: Market) -> None:
    market.paid()
    assert market.connect("ws-books", market.supplier("s_books")) == 200
    market.client.lambda_.invoke("message", ws_message("ws-books", json.dumps({"action": "list_pending"})))
    (listed,) = market.pushed("ws-books", "supplier_orders.listed")
    assert [o["supplier_id"] for o in listed["data"]["items"]] == ["s_books"]


def test_without_a_payment_provider_checkout_answers_503_and_creates_nothing(dev_stage_world: World) -> None:
    from app import app

    with Client(app) as client:
        market = Market(dev_stage_world, client)  # the dev stage: no payment provider is configured
        market.open()
        before = market.snapshot()
        reply = market.checkout()
        assert reply.status == 503 and reply.is_problem and reply.body["type"].endswith("payment-unavailable")
        assert market.snapshot() == before


def _shoe_parcel(market: Market) -> str:
    if not market.records():
        market.paid(shoes=1, books=0, cards=0)
    order = market.supplier("s_shoes").get("/supplier/orders").body["items"][0]
    return str(order["sub_orders"][0]["sub_order_id"])

