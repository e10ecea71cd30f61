"""One cart, three suppliers: the edit form, one pending-payment order split by supplier and
product type, paid once through a signed callback, fanned out to each supplier's console and
the customer's records, then shipped, tracked and delivered."""

from __future__ import annotations

import pytest
from chalice.test import Client

from chalicelib.core.timefmt import iso
from tests.builders import cny
from tests.conftest import World
from tests.documents import member_names
from tests.functional.market import DEPOT, HOME, Market


@pytest.fixture
def market(world: World, client: Client) -> Market:
    opened = Market(world, client)
    opened.open()
    return opened


def test_the_form_has_a_section_per_supplier_with_the_default_address_only_where_goods_ship(market: Market) -> None:
    reply = market.customer.post("/checkout/form", {"items": [
        {"supplier_id": "s_shoes", "product_id": "p_run", "quantity": 1},
        {"supplier_id": "s_cards", "product_id": "p_gift", "quantity": 2}]})
    assert reply.status == 200, reply.body
    shoes, cards = reply.body["sections"]
    assert (shoes["supplier_name"], shoes["needs_address"]) == ("Shoe House", True)
    assert shoes["address"]["value"]["line1"] == HOME["line1"]
    assert (cards["needs_address"], cards["address"]) == (False, None)
    assert shoes["items"][0]["attributes"] == [{"name": "size", "options": ["40", "41", "42"], "value": None}]


def test_creating_splits_by_supplier_and_type_prices_on_the_server_and_reserves_stock(market: Market) -> None:
    purchase = market.bought(shoes=2, books=1, cards=1)
    assert purchase["status"] == "pending_payment"
    groups = {g["supplier_id"]: g for g in purchase["groups"]}
    assert list(groups) == ["s_shoes", "s_books", "s_cards"]
    assert groups["s_shoes"]["total"] == cny(2 * 5000 + 1000) and groups["s_books"]["total"] == cny(3000 + 500)
    assert groups["s_cards"]["total"] == cny(10000) and groups["s_cards"]["shipping_address"] is None
    assert purchase["total"] == cny(11000 + 3500 + 10000)
    assert purchase["total"]["amount"] == sum(g["total"]["amount"] for g in groups.values())
    assert purchase["payment_deadline"] == iso(market.stored(purchase["purchase_id"]).payment_deadline)
    assert purchase["payment"]["pay_url"].endswith(purchase["payment"]["payment_id"])
    assert (market.stock("s_shoes", "p_run"), market.stock("s_books", "p_novel")) == (8, 4)


def test_payment_fans_out_one_order_per_supplier_each_seeing_only_its_own(market: Market) -> None:
    for supplier_id in ("s_shoes", "s_books", "s_cards"):
        assert market.connect(f"ws-{supplier_id}", market.supplier(supplier_id)) == 200
    assert market.connect("ws-u1", market.customer) == 200
    purchase = market.paid()
    for supplier_id in ("s_shoes", "s_books", "s_cards"):
        pushed = market.pushed(f"ws-{supplier_id}", "supplier_order.created")
        assert len(pushed) == 1 and pushed[0]["data"]["supplier_id"] == supplier_id
        names = {line["name"] for s in pushed[0]["data"]["sub_orders"] for line in s["lines"]}
        assert names == {"s_shoes": {"Runner"}, "s_books": {"Novel"}, "s_cards": {"Gift card 100"}}[supplier_id]
        listed = market.supplier(supplier_id).get("/supplier/orders").body["items"]
        assert [o["supplier_id"] for o in listed] == [supplier_id]
        assert "total" not in str(listed[0].get("purchase", ""))
    assert len(market.pushed("ws-u1", "record.created")) == 3
    panels = market.records()
    assert sorted(p["supplier"]["name"] for p in panels) == ["Book Barn", "Card Cave", "Shoe House"]
    got = market.customer.get(f"/purchases/{purchase['purchase_id']}").body
    assert got["status"] == "paid" and len(got["records"]) == 3


def test_virtual_goods_are_fulfilled_at_once_with_a_code(market: Market) -> None:
    market.paid(shoes=0, books=0, cards=1)
    (panel,) = market.records()
    (gift,) = panel["sub_orders"]
    assert gift["status"] == "fulfilled" and len(gift["fulfilment"]["code"]) == 16
    assert gift["fulfilment"]["link"].endswith(gift["fulfilment"]["code"])
    assert panel["status"] == "completed"


def test_a_cart_with_one_supplier_takes_the_same_flow(market: Market) -> None:
    market.paid(shoes=1, books=0, cards=0)
    assert len(market.records()) == 1
    assert len(market.supplier("s_shoes").get("/supplier/orders").body["items"]) == 1


def test_ship_track_and_deliver_push_distance_and_eta_to_the_customers_panel(market: Market) -> None:
    market.paid(shoes=1, books=0, cards=0)
    assert market.connect("ws-u1", market.customer) == 200
    order = market.supplier("s_shoes").get("/supplier/orders").body["items"][0]
    parcel_id = order["sub_orders"][0]["sub_order_id"]
    shipped = market.supplier("s_shoes").post(f"/parcels/{parcel_id}/ship",
                                              {"method": "courier", "carrier_id": "c1", "position": DEPOT})
    assert shipped.status == 200, shipped.body
    tracking = shipped.body["sub_orders"][0]["tracking"]
    assert (tracking["method"], tracking["distance_km"]) == ("courier", 8.0)
    assert tracking["eta"] is not None
    carrier = market.party("carrier", "c1")
    moved = carrier.post(f"/parcels/{parcel_id}/positions", {"lat": 31.2394, "lng": 121.4737})
    assert moved.status == 200, moved.body
    assert moved.body["parcel"]["tracking"]["distance_km"] == 1.0
    updates = market.pushed("ws-u1", "record.updated")
    assert [u["data"]["sub_orders"][0]["tracking"]["distance_km"] for u in updates] == [8.0, 1.0]
    assert updates[-1]["data"]["sub_orders"][0]["tracking"]["eta"] < updates[0]["data"]["sub_orders"][0][
        "tracking"]["eta"]
    delivered = carrier.post(f"/parcels/{parcel_id}/delivered")
    assert delivered.status == 200 and delivered.body["parcel"]["status"] == "delivered"
    late = carrier.post(f"/parcels/{parcel_id}/positions", {"lat": 31.0, "lng": 121.0})
    assert late.status == 409 and late.is_problem and late.body["type"].endswith("parcel-delivered")
    assert market.records()[0]["status"] == "completed"


def test_another_supplier_or_carrier_cannot_see_or_move_the_parcel(market: Market) -> None:
    market.paid(shoes=1, books=1, cards=0)
    shoes = market.supplier("s_shoes").get("/supplier/orders").body["items"][0]
    parcel_id = shoes["sub_orders"][0]["sub_order_id"]
    market.supplier("s_shoes").post(f"/parcels/{parcel_id}/ship", {"method": "same_day", "carrier_id": "c1"})
    before = market.snapshot()
    books = market.supplier("s_books")
    assert books.get(f"/supplier/orders/{shoes['order_id']}").status == 404
    for attempt in (books.post(f"/parcels/{parcel_id}/positions", {"lat": 31.0, "lng": 121.0}),
                    books.post(f"/parcels/{parcel_id}/delivered"),
                    market.party("carrier", "c2").post(f"/parcels/{parcel_id}/positions", {"lat": 31.0, "lng": 121.0}),
                    market.party("customer", "u2").get(f"/purchase-records/{shoes['order_id']}")):
        assert attempt.status == 404 and attempt.is_problem
    assert market.snapshot() == before



def test_a_carrier_sees_only_the_parcels_it_carries_and_where_they_go(market: Market) -> None:
    socks = {"name": "Socks", "price": cny(900), "stock": 9, "kind": "physical", "category": "socks", "attributes": {}}
    assert market.supplier("s_shoes").put("/suppliers/s_shoes/products/p_sock", socks).status == 201
    [section] = market.sections(books=0, cards=0)
    section["items"].append({"product_id": "p_sock", "quantity": 2, "unit_price": cny(900)})
    market.pay(market.checkout([section]).body)
    order = market.supplier("s_shoes").get("/supplier/orders").body["items"][0]
    carried, other = (p["sub_order_id"] for p in order["sub_orders"])
    for parcel_id, carrier_id in ((carried, "c1"), (other, "c2")):
        shipped = market.supplier("s_shoes").post(f"/parcels/{parcel_id}/ship",
                                                  {"method": "courier", "carrier_id": carrier_id})
        assert shipped.status == 200, shipped.body
    carrier = market.party("carrier", "c1")
    seen = carrier.get(f"/supplier/orders/{order['order_id']}")
    moved = carrier.post(f"/parcels/{carried}/positions", {"lat": 31.2394, "lng": 121.4737})
    assert seen.status == 200 and moved.status == 200, (seen.body, moved.body)
    assert [p["sub_order_id"] for p in seen.body["parcels"]] == [carried]
    assert seen.body["shipping_address"]["line1"] == HOME["line1"]
    assert moved.body["parcel"]["tracking"]["carrier_id"] == "c1"
    for answer in (seen.body, moved.body):
        assert not member_names(answer) & {"customer_id", "purchase_id", "lines", "unit_price", "subtotal", "total",
                                   "fulfilment", "sub_orders"}, answer
        assert other not in str(answer)


def test_the_customer_reads_its_record_not_the_suppliers_order(market: Market) -> None:
    market.paid(shoes=1, books=0, cards=0)
    [record] = market.records()
    reply = market.customer.get(f"/supplier/orders/{record['record_id']}")
    assert reply.status == 403 and reply.is_problem


def test_the_customer_cancels_before_paying_and_the_stock_comes_back(market: Market) -> None:
    purchase = market.bought(shoes=3, books=0, cards=0)
    assert market.stock("s_shoes", "p_run") == 7
    reply = market.customer.post(f"/purchases/{purchase['purchase_id']}/cancel")
    assert reply.status == 200 and reply.body["status"] == "cancelled"
    assert market.stock("s_shoes", "p_run") == 10


def test_the_app_can_ask_the_provider_instead_of_waiting_for_the_callback(market: Market) -> None:
    purchase = market.bought()
    market.sandbox.pay(purchase["payment"]["payment_id"])  # paid, but the callback is lost
    reply = market.customer.post(f"/purchases/{purchase['purchase_id']}/reconcile")
    assert reply.status == 200 and reply.body["status"] == "paid" and len(reply.body["records"]) == 3


def test_the_same_idempotency_key_creates_one_purchase(market: Market) -> None:
    headers = {"Idempotency-Key": "checkout-1"}
    first, second = market.checkout(headers=headers), market.checkout(headers=headers)
    assert first.status == second.status == 201
    assert first.body["purchase_id"] == second.body["purchase_id"]
    assert market.stock("s_shoes", "p_run") == 9
    assert len(market.customer.get("/purchases").body["items"]) == 1
