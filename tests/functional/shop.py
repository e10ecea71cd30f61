"""A merchant `m1` with a menu, the parties who use it, and the levers a functional test pulls:
the clock, the terminals, the alarm queue's messages (delivered through the SQS handler) and the
sweeper (through the schedule handler)."""

from __future__ import annotations

from typing import Any

from chalice.test import Client

from chalicelib.orders.model import Order
from chalicelib.waitstate.model import AlarmMessage
from tests.conftest import World, aws_client
from tests.events import schedule_event, sqs_event, ws_connect
from tests.functional.api import Api, Reply

ADDRESS = {"line1": "1 Road", "city": "Shanghai"}
MENU = [
    {"product_id": "p1", "name": "Beef noodles", "price": 2800, "stock": 10},
    {"product_id": "p2", "name": "Dumplings", "price": 1500, "stock": 3, "max_per_order": 5},
    {"product_id": "p3", "name": "Hotpot", "price": 9900, "stock": 5, "on_sale": False},
    {"product_id": "p4", "name": "Mooncake", "price": 800, "stock": 0},
]
TABLES = ("orders", "merchants", "products", "connections", "idempotency")


class Shop:
    def __init__(self, world: World, client: Client) -> None:
        self.world = world
        self.client = client
        self.ops = self.party("ops", "ops-1")
        self.customer = self.party("customer", "u1")
        self.merchant = self.party("merchant", "staff-1", merchant_id="m1")

    def party(self, role: str, sub: str, **claims: Any) -> Api:
        return Api(self.client, self.world.token(role, sub, **claims))

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
        order = self.world.container.orders.store.get(order_id)
        assert order is not None
        return order

    def status(self, order_id: str) -> str:
        return self.stored(order_id).status.value

    # ── time and alarms ───────────────────────────────────────────────────────────────────

    def to_deadline(self, order_id: str, offset_s: float = 0) -> None:
        self.world.clock.set(self.stored(order_id).answer_deadline + int(offset_s * 1000))

    def queued(self) -> list[AlarmMessage]:
        """Alarm triggers sent so far (and forget them, as a queue would once delivered)."""
        return self.world.alarms.take()

    def deliver(self, messages: list[AlarmMessage]) -> None:
        """SQS delivers these messages to the `fire_alarms` Lambda in one batch."""
        self.client.lambda_.invoke("fire_alarms", sqs_event([m.to_json() for m in messages]))

    def sweep(self) -> None:
        self.client.lambda_.invoke("sweep_alarms", schedule_event())

    # ── terminals ─────────────────────────────────────────────────────────────────────────

    def connect(self, connection_id: str, api: Api) -> int:
        response = self.client.lambda_.invoke("connect", ws_connect(connection_id, api.token)).payload
        status: int = response["statusCode"]
        return status

    def pushed(self, connection_id: str, message_type: str | None = None) -> list[dict[str, Any]]:
        return self.world.push.to(connection_id, message_type)

    # ── what is stored ────────────────────────────────────────────────────────────────────

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """Every item of every table, to prove that a refused request changed nothing."""
        dynamodb = aws_client("dynamodb")
        settings = self.world.container.settings
        return {name: sorted(dynamodb.scan(TableName=settings.table_name(name))["Items"], key=repr)
                for name in TABLES}
