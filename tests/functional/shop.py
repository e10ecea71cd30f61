"""A merchant `m1` with a menu, the parties who use it, and the order levers on top of the shared
ones (`tests/functional/levers.py`): placing, answering, and the clock at a deadline."""

from __future__ import annotations

from typing import Any

from chalice.test import Client

from chalicelib.orders.model import Order
from tests.builders import cny
from tests.conftest import World
from tests.functional.api import Api, Reply
from tests.functional.levers import AppLevers

ADDRESS = {"line1": "1 Road", "city": "Shanghai"}
MENU = [
    {"product_id": "p1", "name": "Beef noodles", "price": cny(2800), "stock": 10},
    {"product_id": "p2", "name": "Dumplings", "price": cny(1500), "stock": 3, "max_per_order": 5},
    {"product_id": "p3", "name": "Hotpot", "price": cny(9900), "stock": 5, "on_sale": False},
    {"product_id": "p4", "name": "Mooncake", "price": cny(800), "stock": 0},
]
TABLES = ("orders", "merchants", "products", "connections", "idempotency")


class Shop(AppLevers):
    tables = TABLES

    def __init__(self, world: World, client: Client) -> None:
        super().__init__(world, client)
        self.ops = self.party("ops", "ops-1")
        self.customer = self.party("customer", "u1")
        self.merchant = self.party("merchant", "staff-1", merchant_id="m1")

    def open(self, merchant_id: str = "m1", **fields: Any) -> None:
        created = self.ops.post("/merchants", {"merchant_id": merchant_id, "name": "Noodles",
                                               "time_zone": "Asia/Shanghai", **fields})
        assert created.status == 201, created.body
        for product in MENU:
            added = self.ops.post(f"/merchants/{merchant_id}/products", product)
            assert added.status == 201, added.body

    # ── orders ────────────────────────────────────────────────────────────────────────────

    @staticmethod
    def order_body(**changes: Any) -> dict[str, Any]:
        return {"merchant_id": "m1", "items": [{"product_id": "p1", "quantity": 2}],
                "delivery_address": ADDRESS, **changes}

    def place(self, body: Any = None, *, by: Api | None = None, headers: dict[str, str] | None = None) -> Reply:
        return (by or self.customer).post("/orders", self.order_body() if body is None else body, headers=headers)

    def placed(self, body: Any = None, *, by: Api | None = None) -> dict[str, Any]:
        reply = self.place(body, by=by)
        assert reply.status == 201, reply.body
        order: dict[str, Any] = reply.body
        return order

    def act(self, order_id: str, action: str, *, by: Api | None = None, **fields: Any) -> Reply:
        return (by or self.merchant).post(f"/merchant/orders/{order_id}/actions", {"action": action, **fields})

    def stored(self, order_id: str) -> Order:
        order = self.world.orders.store.get(order_id)
        assert order is not None
        return order

    def status(self, order_id: str) -> str:
        return self.stored(order_id).status.value

    # ── time and alarms ───────────────────────────────────────────────────────────────────

    def to_deadline(self, order_id: str, offset_s: float = 0) -> None:
        self.world.clock.set(self.stored(order_id).answer_deadline + int(offset_s * 1000))
