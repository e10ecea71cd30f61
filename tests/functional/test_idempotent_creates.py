"""Every POST the route table declares `idempotent` (every creating POST, and the restock's delta)
honours `Idempotency-Key`, checked route by route from the table itself: the same key twice makes
one resource and answers the first response again, marked `Idempotent-Replayed: true`; without a
key each request makes its own (or, where the client names the resource, the second is a 409).

A route declared idempotent without a recipe here fails the run: a new creating POST gets its
proof the day it is added."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.bootstrap import contributions
from chalicelib.persistence.tables import short_name
from tests.builders import cny
from tests.conftest import MODELS, World, aws_client
from tests.functional.api import Api, Reply
from tests.functional.calls import MERCHANT, PHONE, CallDesk
from tests.functional.crew import NEAR, Crew
from tests.functional.market import HOME, Market
from tests.functional.shop import Shop

IDEMPOTENT = sorted(f"POST {spec.path}" for c in contributions() for r in c.routes for spec in r.specs
                    if spec.idempotent)


@dataclass(frozen=True)
class Target:
    """Who posts what where, and what tells one resource from another in the answer."""

    by: Api
    path: str
    body: dict[str, Any]
    identity: Callable[[dict[str, Any]], object]
    named_by_client: bool = False
    """The body names the resource (a coupon's code): a second create without a key is a 409."""


def _field(name: str) -> Callable[[dict[str, Any]], object]:
    return lambda body: body[name]


def merchant(world: World, client: Client) -> Target:
    shop = Shop(world, client)
    return Target(shop.ops, "/merchants", {"name": "Tea House", "time_zone": "Asia/Shanghai"}, _field("merchant_id"))


def product(world: World, client: Client) -> Target:
    shop = Shop(world, client)
    shop.open()
    body = {"name": "Jasmine tea", "price": cny(600), "stock": 10}
    return Target(shop.merchant, "/merchants/m1/products", body, _field("product_id"))


def order(world: World, client: Client) -> Target:
    shop = Shop(world, client)
    shop.open()
    return Target(shop.customer, "/orders", shop.order_body(), _field("order_id"))


def supplier(world: World, client: Client) -> Target:
    market = Market(world, client)
    body = {"name": "Tea Traders", "currency": "CNY", "shipping_fee": cny(800)}
    return Target(market.ops, "/suppliers", body, _field("supplier_id"))


def restock(world: World, client: Client) -> Target:
    market = Market(world, client)
    market.open()
    return Target(market.supplier("s_books"), "/suppliers/s_books/products/p_novel/restock", {"delta": 3},
                  _field("stock"))


def purchase(world: World, client: Client) -> Target:
    market = Market(world, client)
    market.open()
    return Target(market.customer, "/purchases", {"sections": market.sections(shoes=0, cards=0)},
                  _field("purchase_id"))


def address(world: World, client: Client) -> Target:
    market = Market(world, client)
    return Target(market.customer, "/me/addresses", {"label": "Work", "address": HOME}, _field("address_id"))


def coupon(world: World, client: Client) -> Target:
    market = Market(world, client)
    body = {"code": "TEA10", "amount_off": cny(1000)}
    return Target(market.ops, "/coupons", body, _field("code"), named_by_client=True)


def area(world: World, client: Client) -> Target:
    crew = Crew(world, client)
    return Target(crew.ops, "/areas", {"name": "South"}, _field("area_id"))


def installer(world: World, client: Client) -> Target:
    crew = Crew(world, client)
    crew.area()
    body = {"installer_id": "i9", "name": "Installer 9", "phone": "+86 138 0000 0009", "areas": ["north"]}
    return Target(crew.ops, "/installers", body, _field("installer_id"), named_by_client=True)


def installation(world: World, client: Client) -> Target:
    crew = Crew(world, client)
    crew.area()
    crew.hire("near", at=NEAR)
    return Target(crew.ops, "/installations", crew.request_body(), _field("installation_id"))


def photo(world: World, client: Client) -> Target:
    crew = Crew(world, client)
    crew.area()
    app = crew.hire("near", at=NEAR)
    started = crew.started(app)
    return Target(app, f"/installer/dispatches/{started}/photos", {"content_type": "image/jpeg", "size_bytes": 100},
                  _field("photo_id"))


def deal(world: World, client: Client) -> Target:
    shop = Shop(world, client)
    shop.open()
    body = {"title": "Noodles for two", "price": cny(4900), "valid_until": "2030-12-31T16:00:00Z"}
    return Target(shop.merchant, "/deals", body, _field("deal_id"))


def group_order(world: World, client: Client) -> Target:
    shop = Shop(world, client)
    shop.open()
    created = shop.merchant.post("/deals", {"title": "Noodles for two", "price": cny(4900),
                                            "valid_until": "2030-12-31T16:00:00Z"})
    assert created.status == 201, created.body
    return Target(shop.customer, "/group-buy/orders", {"deal_id": created.body["deal_id"], "quantity": 2},
                  _field("order_id"))


def call(world: World, client: Client) -> Target:
    desk = CallDesk(world, client)
    desk.open()
    desk.terminals()
    return Target(desk.customer, "/calls", {"merchant_id": MERCHANT, "connection_id": PHONE}, _field("call_id"))


def call_order(world: World, client: Client) -> Target:
    desk = CallDesk(world, client)
    desk.open()
    desk.terminals()
    connected = desk.connected()
    return Target(desk.staff, f"/merchant/calls/{connected['call_id']}/orders",
                  {"content": "2 kg apples", "price": cny(3900)}, _field("order_id"))


RECIPES: dict[str, Callable[[World, Client], Target]] = {
    "POST /merchants": merchant,
    "POST /merchants/{merchant_id}/products": product,
    "POST /orders": order,
    "POST /suppliers": supplier,
    "POST /suppliers/{supplier_id}/products/{product_id}/restock": restock,
    "POST /purchases": purchase,
    "POST /me/addresses": address,
    "POST /coupons": coupon,
    "POST /areas": area,
    "POST /installers": installer,
    "POST /installations": installation,
    "POST /installer/dispatches/{installation_id}/photos": photo,
    "POST /deals": deal,
    "POST /group-buy/orders": group_order,
    "POST /calls": call,
    "POST /merchant/calls/{call_id}/orders": call_order,
}


def stored(world: World) -> dict[str, list[dict[str, Any]]]:
    """Every item of every table but the idempotency records themselves."""
    dynamodb = aws_client("dynamodb")
    names = [short_name(model) for model in MODELS if short_name(model) != "idempotency"]
    return {name: sorted(dynamodb.scan(TableName=world.settings.table_name(name))["Items"], key=repr)
            for name in names}


def test_every_idempotent_route_has_a_recipe_here() -> None:
    assert sorted(RECIPES) == IDEMPOTENT


@pytest.mark.parametrize("route", IDEMPOTENT)
def test_the_same_key_twice_makes_one_resource_and_replays_the_first_answer(
        world: World, client: Client, route: str) -> None:
    target = RECIPES[route](world, client)
    key = {"Idempotency-Key": "retry-7f3a"}
    first = target.by.post(target.path, target.body, headers=key)
    assert first.status in (200, 201), first.body
    assert "Idempotent-Replayed" not in first.headers
    before_retry = stored(world)
    again = target.by.post(target.path, target.body, headers=key)
    assert (again.status, again.body) == (first.status, first.body)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert stored(world) == before_retry, "the replay changed what is stored"


@pytest.mark.parametrize("route", IDEMPOTENT)
def test_without_a_key_each_request_makes_its_own_resource(world: World, client: Client, route: str) -> None:
    target = RECIPES[route](world, client)
    first = target.by.post(target.path, target.body)
    second = target.by.post(target.path, target.body)
    assert first.status in (200, 201), first.body
    assert "Idempotent-Replayed" not in second.headers
    if target.named_by_client:
        assert second.status == 409 and second.is_problem, second.body
    else:
        assert second.status == first.status, second.body
        assert target.identity(second.body) != target.identity(first.body)


@pytest.mark.parametrize("route", IDEMPOTENT)
def test_the_same_key_with_another_body_is_422_and_makes_nothing(world: World, client: Client, route: str) -> None:
    target = RECIPES[route](world, client)
    key = {"Idempotency-Key": "retry-7f3a"}
    assert target.by.post(target.path, target.body, headers=key).status in (200, 201)
    before = stored(world)
    reply: Reply = target.by.post(target.path, _changed(target.body), headers=key)
    assert reply.status == 422 and reply.is_problem and reply.body["type"] == "/problems/idempotency-key-reused"
    assert stored(world) == before


def _changed(body: dict[str, Any]) -> dict[str, Any]:
    """The same request with one member changed (still a valid body)."""
    if "delta" in body:
        return {**body, "delta": body["delta"] + 1}
    if "size_bytes" in body:
        return {**body, "size_bytes": body["size_bytes"] + 1}
    if "name" in body:
        return {**body, "name": f"{body['name']} II"}
    if "label" in body:
        return {**body, "label": "Elsewhere"}
    if "title" in body:
        return {**body, "title": f"{body['title']} II"}
    if "content" in body:
        return {**body, "content": f"{body['content']} II"}
    if "connection_id" in body:
        return {**body, "merchant_id": "m2"}
    if "sections" in body:
        return {**body, "sections": [{**body["sections"][0], "items": [
            {**body["sections"][0]["items"][0], "quantity": 2}]}]}
    if "code" in body:
        return {**body, "active": False}
    if "product" in body:
        return {**body, "product": "Water heater"}
    if "quantity" in body:
        return {**body, "quantity": body["quantity"] + 1}
    return {**body, "items": [{**body["items"][0], "quantity": 1}]}


WRITES_NOTHING = {"POST /installer/dispatches/{installation_id}/photos"}
"""Creates that write no DynamoDB item (a photo's slot is its presigned upload, its record written
when the upload lands): no write of theirs for AWS to refuse."""


@pytest.mark.parametrize("route", IDEMPOTENT)
def test_a_create_refused_by_a_throttled_write_answers_503_and_its_retry_makes_one_resource(
        world: World, client: Client, route: str) -> None:
    """The key is released when AWS refused the create's write (`chalicelib/idempotency.py`): the
    retry after `Retry-After` creates the resource, once."""
    from tests.aws_faults import failing_dynamodb, first_write_outside

    target = RECIPES[route](world, client)
    key = {"Idempotency-Key": "throttled-7f3a"}
    before = stored(world)
    with failing_dynamodb(first_write_outside("idempotency")) as failing:
        refused = target.by.post(target.path, target.body, headers=key)
    if route in WRITES_NOTHING:
        assert (refused.status, failing.attempts) == (201, []), refused.body
        return
    assert refused.status == 503 and refused.body["type"] == "/problems/service-unavailable", refused.body
    assert int(refused.headers["Retry-After"]) >= 1
    assert stored(world) == before, "the refused create changed what is stored"
    created = target.by.post(target.path, target.body, headers=key)
    assert created.status in (200, 201), created.body
    after_create = stored(world)
    again = target.by.post(target.path, target.body, headers=key)
    assert (again.status, again.body) == (created.status, created.body)
    assert stored(world) == after_create
