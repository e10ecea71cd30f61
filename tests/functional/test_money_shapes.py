"""Every amount of money a route takes is `{"amount": <minor units>, "currency": "<ISO 4217>"}` and is
answered in the same shape (api-conventions.md): the bare integers of before are refused, naming the
field; an amount in another currency than the one it will be charged in (the merchant's, the
supplier's, the coupon's) is a 422 naming its `currency`; and a refused request changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from chalice.test import Client

from tests.builders import cny
from tests.conftest import World
from tests.functional.api import Api, Reply
from tests.functional.market import Market
from tests.functional.shop import ADDRESS, Shop
from tests.functional.test_idempotent_creates import stored

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Place:
    """Where a route takes an amount of money, and where its answer shows it again."""

    name: str
    who: Callable[[Shop, Market], Api]
    method: str
    path: str
    body: Callable[[], dict[str, Any]]
    taken_at: Path
    answered_at: Path
    currency_is_fixed: bool = True
    """The amount must be in the seller's currency (an area's deduction, a coupon's value may be in any)."""


def _order_items() -> list[dict[str, Any]]:
    return [{"product_id": "p1", "quantity": 1, "unit_price": cny(2800)}]


PLACES = [
    Place("merchant product price", lambda s, m: s.merchant, "POST", "/merchants/m1/products",
          lambda: {"name": "Tea", "price": cny(500), "stock": 5}, ("price",), ("price",)),
    Place("merchant product price change", lambda s, m: s.merchant, "PATCH", "/merchants/m1/products/p1",
          lambda: {"price": cny(2900)}, ("price",), ("price",)),
    Place("order item price shown", lambda s, m: s.customer, "POST", "/orders",
          lambda: Shop.order_body(items=_order_items()), ("items", 0, "unit_price"), ("items", 0, "unit_price")),
    Place("resubmitted item price shown", lambda s, m: s.customer, "POST", "/orders/{returned}/resubmit",
          lambda: {"items": _order_items(), "delivery_address": ADDRESS},
          ("items", 0, "unit_price"), ("items", 0, "unit_price")),
    Place("checkout item price shown", lambda s, m: m.customer, "POST", "/purchases",
          lambda: {"sections": Market.sections(shoes=0, cards=0)}, ("sections", 0, "items", 0, "unit_price"),
          ("groups", 0, "sub_orders", 0, "lines", 0, "unit_price")),
    Place("supplier shipping fee", lambda s, m: m.ops, "POST", "/suppliers",
          lambda: {"name": "Tea Traders", "currency": "CNY", "shipping_fee": cny(800)},
          ("shipping_fee",), ("shipping_fee",)),
    Place("supplier shipping fee change", lambda s, m: m.ops, "PATCH", "/suppliers/s_books",
          lambda: {"shipping_fee": cny(900)}, ("shipping_fee",), ("shipping_fee",)),
    Place("supplier product price", lambda s, m: m.supplier("s_books"), "PUT", "/suppliers/s_books/products/p_new",
          lambda: {"name": "Atlas", "price": cny(4500), "kind": "physical", "category": "books"},
          ("price",), ("price",)),
    Place("coupon value", lambda s, m: m.ops, "POST", "/coupons",
          lambda: {"code": "TEA10", "amount_off": cny(1000)}, ("amount_off",), ("amount_off",),
          currency_is_fixed=False),
    Place("coupon minimum", lambda s, m: m.ops, "POST", "/coupons",
          lambda: {"code": "TEA20", "amount_off": cny(2000), "min_subtotal": cny(10_000)},
          ("min_subtotal",), ("min_subtotal",)),
    Place("area deduction", lambda s, m: s.ops, "POST", "/areas",
          lambda: {"name": "South", "deduction": cny(300)}, ("deduction",), ("deduction",), currency_is_fixed=False),
]
IDS = [place.name for place in PLACES]


@dataclass
class Everything:
    shop: Shop
    market: Market
    returned: str

    def send(self, place: Place, body: dict[str, Any]) -> Reply:
        return place.who(self.shop, self.market).call(place.method, place.path.format(returned=self.returned), body)


@pytest.fixture
def everything(world: World, client: Client) -> Everything:
    shop, market = Shop(world, client), Market(world, client)
    shop.open()
    market.open()
    returned = shop.placed()["order_id"]
    assert shop.act(returned, "return", reason="edit please").status == 200
    return Everything(shop, market, returned)


def _get(data: Any, path: Path) -> Any:
    for step in path:
        data = data[step]
    return data


def _with(body: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    parent = _get(body, path[:-1])
    parent[path[-1]] = value
    return body


def _field(path: Path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(path))


@pytest.mark.parametrize("place", PLACES, ids=IDS)
def test_money_is_taken_as_amount_and_currency_and_answered_the_same_way(everything: Everything,
                                                                         place: Place) -> None:
    body = place.body()
    reply = everything.send(place, body)
    assert reply.status in (200, 201), reply.body
    assert _get(reply.body, place.answered_at) == _get(body, place.taken_at)


@pytest.mark.parametrize("place", PLACES, ids=IDS)
def test_a_bare_integer_where_money_goes_is_a_400_naming_the_field(everything: Everything, place: Place) -> None:
    before = stored(everything.shop.world)
    bare = _get(place.body(), place.taken_at)["amount"]
    reply = everything.send(place, _with(place.body(), place.taken_at, bare))
    assert reply.status == 400 and reply.is_problem, reply.body
    assert reply.error_fields == [_field(place.taken_at)]
    assert stored(everything.shop.world) == before


@pytest.mark.parametrize(("amount", "currency", "wrong"), [
    (12.5, "CNY", ["amount"]), ("1250", "CNY", ["amount"]), (True, "CNY", ["amount"]),
    (1250, "cny", ["currency"]), (1250, "YUAN", ["currency"]), (1250, 156, ["currency"]),
    (10**12, "", ["amount", "currency"])])
@pytest.mark.parametrize("place", PLACES, ids=IDS)
def test_money_that_is_not_whole_minor_units_of_an_iso_currency_is_a_400_naming_each_part(
        everything: Everything, place: Place, amount: Any, currency: Any, wrong: list[str]) -> None:
    reply = everything.send(place, _with(place.body(), place.taken_at, {"amount": amount, "currency": currency}))
    assert reply.status == 400 and reply.is_problem, reply.body
    assert reply.error_fields == [f"{_field(place.taken_at)}.{part}" for part in wrong]


@pytest.mark.parametrize("place", [p for p in PLACES if p.currency_is_fixed],
                         ids=[p.name for p in PLACES if p.currency_is_fixed])
def test_money_in_another_currency_than_the_one_charged_is_a_422_naming_its_currency(
        everything: Everything, place: Place) -> None:
    before = stored(everything.shop.world)
    dollars = {**_get(place.body(), place.taken_at), "currency": "USD"}
    reply = everything.send(place, _with(place.body(), place.taken_at, dollars))
    assert reply.status == 422 and reply.is_problem, reply.body
    assert reply.error_fields == [f"{_field(place.taken_at)}.currency"]
    assert stored(everything.shop.world) == before


def test_a_supplier_may_sell_in_another_currency_and_its_fee_and_prices_follow_it(everything: Everything) -> None:
    ops, euros = everything.market.ops, {"amount": 450, "currency": "EUR"}
    created = ops.post("/suppliers", {"supplier_id": "s_eu", "name": "Euro Books", "currency": "EUR",
                                      "shipping_fee": euros})
    assert created.status == 201 and created.body["shipping_fee"] == euros
    clerk = everything.market.supplier("s_eu")
    put = clerk.put("/suppliers/s_eu/products/p_atlas", {"name": "Atlas", "price": cny(4500), "kind": "physical",
                                                          "category": "books"})
    assert put.status == 422 and put.error_fields == ["price.currency"]
    put = clerk.put("/suppliers/s_eu/products/p_atlas", {"name": "Atlas", "price": {"amount": 4500, "currency": "EUR"},
                                                          "kind": "physical", "category": "books"})
    assert put.status == 201 and put.body["price"] == {"amount": 4500, "currency": "EUR"}


def test_a_purchase_answers_every_amount_as_money_and_its_payment_deadline_beside_the_server_time(
        everything: Everything) -> None:
    purchase = everything.market.bought(shoes=1, books=0, cards=0)
    for name in ("subtotal", "shipping", "discount", "total"):
        assert set(purchase[name]) == {"amount", "currency"} and purchase[name]["currency"] == "CNY", name
    (group,) = purchase["groups"]
    (sub,) = group["sub_orders"]
    assert group["total"] == purchase["total"] == cny(5000 + 1000)
    assert (sub["subtotal"], sub["shipping"], sub["lines"][0]["amount"]) == (cny(5000), cny(1000), cny(5000))
    assert purchase["payment_deadline"] > purchase["server_time"] and "deadline" not in purchase["payment"]
