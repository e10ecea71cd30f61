"""The supplier catalogue through the app: ops create suppliers, a supplier manages its own products
(and only its own), customers browse what is on sale — each seeing the card they may see —, and
stock moves only by guarded restocks. (More of these rules are unit-tested on fakes:
tests/unit/test_supplier_catalogue.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client

from tests.builders import cny
from tests.conftest import World
from tests.functional.api import Api, Reply
from tests.functional.levers import AppLevers

BOOKS, TOYS = "s_books", "s_toys"
SHIRT = {"name": "Reading shirt", "price": cny(9900), "stock": 5, "kind": "physical", "category": "apparel",
         "attributes": {"size": ["S", "M", "L"], "colour": ["red", "blue"]}}
GIFT_CARD = {"name": "Gift card 100", "price": cny(10000), "stock": 1000, "kind": "virtual", "category": "gift_card"}


class Market(AppLevers):
    tables = ("suppliers", "supplier_products")

    def __init__(self, world: World, client: Client) -> None:
        super().__init__(world, client)
        self.ops = self.party("ops", "ops-1")
        self.books = self.party("supplier", "sup-user-1", supplier_id=BOOKS)
        self.toys = self.party("supplier", "sup-user-2", supplier_id=TOYS)
        self.customer = self.party("customer", "u1")

    def supplier(self, supplier_id: str, **fields: Any) -> dict[str, Any]:
        body = {"supplier_id": supplier_id, "name": supplier_id.title(), "currency": "CNY", "shipping_fee": cny(800),
                **fields}
        created = self.ops.post("/suppliers", body)
        assert created.status == 201, created.body
        return dict(created.body)

    def put(self, product_id: str, body: dict[str, Any], *, by: Api | None = None, supplier_id: str = BOOKS
            ) -> Reply:
        return (by or self.books).put(f"/suppliers/{supplier_id}/products/{product_id}", body)

    def product(self, product_id: str, body: dict[str, Any], supplier_id: str = BOOKS) -> dict[str, Any]:
        reply = self.put(product_id, body, by=self.ops, supplier_id=supplier_id)
        assert reply.status in (200, 201), reply.body
        return dict(reply.body)

    def restock(self, product_id: str, delta: Any, *, by: Api | None = None, **kw: Any) -> Reply:
        return (by or self.books).post(f"/suppliers/{BOOKS}/products/{product_id}/restock", {"delta": delta}, **kw)

    def stock(self, product_id: str, supplier_id: str = BOOKS) -> int:
        reply = self.ops.get(f"/suppliers/{supplier_id}/products/{product_id}")
        assert reply.status == 200, reply.body
        return int(reply.body["stock"])


@pytest.fixture
def market(world: World, client: Client) -> Market:
    ready = Market(world, client)
    ready.supplier(BOOKS)
    ready.supplier(TOYS)
    return ready


def product_ids(reply: Reply) -> list[str]:
    assert reply.status == 200, reply.body
    return [item["product_id"] for item in reply.body["items"]]


# ── suppliers ───────────────────────────────────────────────────────────────────────────────

def test_ops_create_a_supplier_with_money_in_minor_units_and_a_taken_id_is_a_conflict(market: Market) -> None:
    created = market.supplier("s_music", name="Music Hall", currency="EUR",
                              shipping_fee={"amount": 450, "currency": "EUR"})
    assert created["supplier_id"] == "s_music"
    assert created["shipping_fee"] == {"amount": 450, "currency": "EUR"}
    assert created["active"] is True
    assert created["created_at"].endswith("Z")
    again = market.ops.post("/suppliers", {"supplier_id": "s_music", "name": "Other", "currency": "CNY"})
    assert again.status == 409 and again.is_problem
    assert market.ops.get("/suppliers/s_music").body["name"] == "Music Hall"
    generated = market.ops.post("/suppliers", {"name": "No id given", "currency": "CNY"})
    assert generated.status == 201 and generated.body["supplier_id"].startswith("sup_")


def test_only_ops_create_and_patch_suppliers(market: Market) -> None:
    body = {"name": "Sneaky", "currency": "CNY"}
    for party in (market.books, market.customer):
        assert party.post("/suppliers", body).status == 403
        assert party.patch(f"/suppliers/{BOOKS}", {"name": "Renamed"}).status == 403
    listed = market.ops.get("/suppliers")
    assert listed.status == 200
    assert {s["supplier_id"] for s in listed.body["items"]} == {BOOKS, TOYS}
    patched = market.ops.patch(f"/suppliers/{BOOKS}", {"shipping_fee": cny(1200), "active": False})
    assert patched.status == 200
    assert patched.body["shipping_fee"]["amount"] == 1200 and patched.body["active"] is False
    assert patched.body["name"] == "S_Books"


def every_page(party: Api, limit: int) -> list[list[dict[str, Any]]]:
    pages: list[list[dict[str, Any]]] = []
    token: str | None = None
    while True:
        reply = party.get(f"/suppliers?limit={limit}" + (f"&next_token={token}" if token else ""))
        assert reply.status == 200, reply.body
        pages.append(reply.body["items"])
        token = reply.body["next_token"]
        if token is None:
            return pages


def test_the_supplier_directory_shows_customers_the_active_suppliers_public_cards_and_ops_every_supplier(
        market: Market) -> None:
    for n in range(5):  # s_0 … s_4; the odd ones inactive
        market.supplier(f"s_{n}", active=n % 2 == 0)
    market.ops.patch(f"/suppliers/{TOYS}", {"active": False})
    active = {BOOKS, "s_0", "s_2", "s_4"}

    pages = every_page(market.customer, 2)
    assert all(len(page) == 2 for page in pages[:-1])  # full pages: filtered in the store, not out of a page
    cards = [card for page in pages for card in page]
    assert sorted(c["supplier_id"] for c in cards) == sorted(active)
    assert all(set(card) == {"supplier_id", "name", "currency"} for card in cards)

    seen_by_books = {c["supplier_id"]: c for page in every_page(market.books, 3) for c in page}
    assert set(seen_by_books) == active
    assert seen_by_books[BOOKS]["shipping_fee"] == cny(800) and seen_by_books[BOOKS]["active"] is True
    assert "shipping_fee" not in seen_by_books["s_0"]
    assert TOYS not in {c["supplier_id"] for page in every_page(market.toys, 3) for c in page}  # inactive: by id

    everyone = [c for page in every_page(market.ops, 2) for c in page]
    assert sorted(c["supplier_id"] for c in everyone) == sorted({BOOKS, TOYS, *(f"s_{n}" for n in range(5))})
    assert len(everyone) == 7 and all("shipping_fee" in c and "active" in c for c in everyone)


def test_customers_get_the_public_card_of_an_active_supplier_and_the_supplier_its_full_card(market: Market) -> None:
    card = market.customer.get(f"/suppliers/{BOOKS}")
    assert card.status == 200
    assert card.body == {"supplier_id": BOOKS, "name": "S_Books", "currency": "CNY"}
    own = market.books.get(f"/suppliers/{BOOKS}")
    assert own.body["shipping_fee"] == cny(800) and own.body["active"] is True
    assert "shipping_fee" not in market.toys.get(f"/suppliers/{BOOKS}").body
    market.ops.patch(f"/suppliers/{BOOKS}", {"active": False})
    assert market.customer.get(f"/suppliers/{BOOKS}").status == 404
    assert market.books.get(f"/suppliers/{BOOKS}").status == 200


# ── products ────────────────────────────────────────────────────────────────────────────────

def test_a_supplier_puts_a_physical_product_with_attributes_and_a_virtual_one(market: Market) -> None:
    shirt = market.put("shirt", SHIRT)
    assert shirt.status == 201, shirt.body
    assert shirt.body["price"] == cny(9900)
    assert shirt.body["kind"] == "physical" and shirt.body["category"] == "apparel"
    assert shirt.body["attributes"] == [{"name": "size", "values": ["S", "M", "L"]},
                                        {"name": "colour", "values": ["red", "blue"]}]
    assert shirt.body["stock"] == 5 and shirt.body["on_sale"] is True
    card = market.put("gift-100", GIFT_CARD)
    assert card.status == 201
    assert card.body["kind"] == "virtual" and card.body["attributes"] == []
    products = market.customer.get(f"/suppliers/{BOOKS}/products")
    assert sorted(product_ids(products)) == ["gift-100", "shirt"]


def test_putting_an_existing_product_updates_it_but_never_its_stock(market: Market) -> None:
    market.put("shirt", SHIRT)
    assert market.restock("shirt", 3).status == 200
    updated = market.put("shirt", {**SHIRT, "price": cny(8900), "stock": 0, "attributes": {"size": ["M"]}})
    assert updated.status == 200, updated.body
    assert updated.body["price"]["amount"] == 8900
    assert updated.body["attributes"] == [{"name": "size", "values": ["M"]}]
    assert updated.body["stock"] == 8  # 5 at creation + 3 restocked; the body's 0 is not applied
    assert market.stock("shirt") == 8


def test_another_supplier_cannot_touch_a_suppliers_products_and_learns_nothing(market: Market) -> None:
    market.put("shirt", SHIRT)
    before = market.snapshot()
    for product_id in ("shirt", "no-such-product"):
        put = market.put(product_id, {**SHIRT, "price": cny(1)}, by=market.toys)
        assert put.status == 404 and put.is_problem
        restock = market.restock(product_id, 100, by=market.toys)
        assert restock.status == 404 and restock.is_problem
    assert market.put("shirt", SHIRT, by=market.customer).status == 403
    assert market.restock("shirt", 1, by=market.customer).status == 403
    assert market.snapshot() == before
    # reading it, another supplier is just another shopper: no stock, no off-sale products
    seen = market.toys.get(f"/suppliers/{BOOKS}/products/shirt")
    assert seen.status == 200 and "stock" not in seen.body


def test_customers_browse_only_on_sale_products_of_active_suppliers_without_stock_counts(market: Market) -> None:
    market.product("shirt", SHIRT)
    market.product("hidden", {**SHIRT, "on_sale": False})
    market.product("gift-100", {**GIFT_CARD, "stock": 0})
    browsed = market.customer.get(f"/suppliers/{BOOKS}/products")
    assert sorted(product_ids(browsed)) == ["gift-100", "shirt"]
    assert browsed.body["supplier"] == {"supplier_id": BOOKS, "name": "S_Books", "currency": "CNY"}
    by_id = {item["product_id"]: item for item in browsed.body["items"]}
    assert "stock" not in by_id["shirt"] and by_id["shirt"]["in_stock"] is True
    assert by_id["gift-100"]["in_stock"] is False
    assert market.customer.get(f"/suppliers/{BOOKS}/products/hidden").status == 404
    assert market.customer.get(f"/suppliers/{BOOKS}/products/nothing").status == 404
    for manager in (market.books, market.ops):
        everything = manager.get(f"/suppliers/{BOOKS}/products")
        assert sorted(product_ids(everything)) == ["gift-100", "hidden", "shirt"]
        assert {item["stock"] for item in everything.body["items"]} == {0, 5}
    assert market.books.get(f"/suppliers/{BOOKS}/products/hidden").body["on_sale"] is False
    market.ops.patch(f"/suppliers/{BOOKS}", {"active": False})
    assert market.customer.get(f"/suppliers/{BOOKS}/products").status == 404
    assert market.customer.get(f"/suppliers/{BOOKS}/products/shirt").status == 404
    assert len(product_ids(market.books.get(f"/suppliers/{BOOKS}/products"))) == 3


def test_browsing_pages_through_on_sale_products_past_off_sale_ones(market: Market) -> None:
    for n in range(7):
        market.product(f"p{n}", {**GIFT_CARD, "on_sale": n % 2 == 0})  # p0, p2, p4, p6 on sale
    seen: list[str] = []
    token: str | None = None
    for _ in range(5):
        reply = market.customer.get(f"/suppliers/{BOOKS}/products?limit=2" + (f"&next_token={token}" if token else ""))
        assert len(reply.body["items"]) <= 2
        seen += product_ids(reply)
        token = reply.body["next_token"]
        if not token:
            break
    assert seen == ["p0", "p2", "p4", "p6"]


# ── stock ───────────────────────────────────────────────────────────────────────────────────


def test_a_restock_retried_with_the_same_idempotency_key_adds_its_units_once(market: Market) -> None:
    market.put("shirt", SHIRT)
    headers = {"Idempotency-Key": "restock-1"}
    first = market.restock("shirt", 4, headers=headers)
    again = market.restock("shirt", 4, headers=headers)
    assert first.status == again.status == 200
    assert first.body["stock"] == again.body["stock"] == 9
    assert market.stock("shirt") == 9
    assert market.restock("shirt", 5, headers=headers).status == 422


# ── bad input ───────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize(("body", "fields"), [
    ({**SHIRT, "price": "9900"}, ["price"]),
    ({**SHIRT, "price": 9900}, ["price"]),
    ({**SHIRT, "price": {"amount": -1, "currency": "CNY"}, "stock": 1_000_001}, ["price.amount", "stock"]),
    ({**SHIRT, "price": {"amount": 99.5, "currency": "cny"}}, ["price.amount", "price.currency"]),
    ({**SHIRT, "price": {"amount": 9900}}, ["price.currency"]),
    ({**SHIRT, "kind": "digital", "category": "Apparel!"}, ["category", "kind"]),
    ({**SHIRT, "attributes": {"size": []}}, ["attributes.size"]),
    ({**SHIRT, "attributes": {"size": ["M", "M"]}}, ["attributes"]),
    ({**SHIRT, "attributes": {"Size": ["M"]}}, ["attributes.Size.[key]"]),
    ({**SHIRT, "attributes": {"size": ["x" * 41]}}, ["attributes.size[0]"]),
    ({**SHIRT, "attributes": {f"a{n}": ["v"] for n in range(11)}}, ["attributes"]),
    ({**SHIRT, "attributes": {"size": [str(n) for n in range(31)]}}, ["attributes.size"]),
    ({**SHIRT, "colour": "red"}, ["colour"]),
    ({k: v for k, v in SHIRT.items() if k != "name"}, ["name"]),
])
def test_a_bad_product_body_is_a_400_naming_every_field_and_changes_nothing(
        market: Market, body: dict[str, Any], fields: list[str]) -> None:
    market.put("shirt", SHIRT)
    before = market.snapshot()
    for product_id in ("shirt", "new-one"):
        reply = market.put(product_id, body)
        assert reply.status == 400 and reply.is_problem, reply.body
        assert reply.error_fields == fields
    assert market.snapshot() == before


@pytest.mark.parametrize(("body", "fields"), [
    ({"delta": 0}, ["delta"]),
    ({"delta": 1_000_001}, ["delta"]),
    ({"delta": "5"}, ["delta"]),
    ({}, ["delta"]),
])
def test_a_bad_restock_body_is_a_400_and_changes_nothing(market: Market, body: dict[str, Any],
                                                        fields: list[str]) -> None:
    market.put("shirt", SHIRT)
    before = market.snapshot()
    reply = market.books.post(f"/suppliers/{BOOKS}/products/shirt/restock", body)
    assert reply.status == 400 and reply.is_problem
    assert reply.error_fields == fields
    assert market.snapshot() == before


def test_a_bad_supplier_body_is_a_400_naming_every_field(market: Market) -> None:
    before = market.snapshot()
    reply = market.ops.post("/suppliers", {"supplier_id": "bad id!", "name": "", "currency": "cny",
                                           "shipping_fee": cny(10_000_001), "active": "yes"})
    assert reply.status == 400 and reply.is_problem
    assert reply.error_fields == ["active", "currency", "name", "shipping_fee.amount", "supplier_id"]
    assert market.snapshot() == before
