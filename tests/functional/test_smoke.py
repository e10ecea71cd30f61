from __future__ import annotations

from chalice.test import Client

from tests.builders import cny
from tests.conftest import World
from tests.functional.api import Api


def test_order_placed_fetched_and_accepted_pushes_to_both_sides(world: World, client: Client) -> None:
    ops = Api(client, world.token("ops", "ops-1"))
    m = ops.post("/merchants", {"merchant_id": "m1", "name": "Noodles", "time_zone": "Asia/Shanghai"})
    assert m.status == 201, m.body
    p = ops.post("/merchants/m1/products",
                 {"product_id": "p1", "name": "Beef noodles", "price": cny(2800), "stock": 10})
    assert p.status == 201, p.body
    customer = Api(client, world.token("customer", "u1"))
    merchant = Api(client, world.token("merchant", "staff-1", merchant_id="m1"))
    world.container.connections.register("conn-m", world.container.verifier.verify(merchant._token or "").party,
                                         "staff-1", world.clock.now_ms())
    placed = customer.post("/orders", {"merchant_id": "m1", "items": [{"product_id": "p1", "quantity": 2}],
                                       "delivery_address": {"line1": "1 Road", "city": "Shanghai"}})
    assert placed.status == 201, placed.body
    assert placed.body["status"] == "new" and placed.body["total"] == cny(5600)
    order_id = placed.body["order_id"]
    assert [m["data"]["order_id"] for m in world.push.to("conn-m", "order.created")] == [order_id]
    fetched = merchant.get(f"/merchant/orders/{order_id}")
    assert fetched.body["status"] == "connected"
    accepted = merchant.post(f"/merchant/orders/{order_id}/actions", {"action": "accept"})
    assert accepted.status == 200 and accepted.body["status"] == "accepted", accepted.body
    world.clock.advance(300)
    late = merchant.post(f"/merchant/orders/{order_id}/actions", {"action": "reject", "reason": "busy"})
    assert late.status == 409 and late.headers["Content-Type"] == "application/problem+json"
