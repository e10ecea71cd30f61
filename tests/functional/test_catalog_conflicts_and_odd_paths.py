"""Creating what exists is a 409, and path ids we could never have issued are a plain 404."""

from __future__ import annotations

import pytest
from chalice.test import Client

from tests.builders import cny
from tests.conftest import World
from tests.functional.api import Api


def test_adding_a_product_with_a_taken_id_is_a_conflict_and_keeps_the_original(world: World, client: Client) -> None:
    ops = Api(client, world.token("ops", "ops-1"))
    assert ops.post("/merchants", {"merchant_id": "m1", "name": "M", "time_zone": "UTC"}).status == 201
    tea = {"product_id": "p1", "name": "Tea", "price": cny(900), "stock": 5}
    assert ops.post("/merchants/m1/products", tea).status == 201
    again = ops.post("/merchants/m1/products", {"product_id": "p1", "name": "Coffee", "price": cny(1), "stock": 5})
    assert again.status == 409 and again.is_problem and again.body["type"] == "/problems/already-exists"
    [product] = ops.get("/merchants/m1/products").body["items"]
    assert (product["name"], product["price"]) == ("Tea", cny(900))


def test_creating_a_merchant_twice_is_a_conflict(world: World, client: Client) -> None:
    ops = Api(client, world.token("ops", "ops-1"))
    assert ops.post("/merchants", {"merchant_id": "m1", "name": "M", "time_zone": "UTC"}).status == 201
    again = ops.post("/merchants", {"merchant_id": "m1", "name": "Other", "time_zone": "UTC"})
    assert again.status == 409 and again.body["type"] == "/problems/already-exists"


@pytest.mark.parametrize("odd_id", ["x" * 3000, "ord_%00", "a%20b", "é"])
def test_path_ids_that_we_never_issue_are_not_found(world: World, client: Client, odd_id: str) -> None:
    customer = Api(client, world.token("customer", "u1"))
    reply = customer.get(f"/orders/{odd_id}")
    assert reply.status == 404 and reply.is_problem
