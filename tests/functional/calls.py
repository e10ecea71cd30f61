"""Video calls through the app (workflow 05): merchants `m1` and `m2` opened through
`POST /merchants`, a customer's phone and the merchant's consoles connected as terminals, and the
levers a functional test pulls: ringing, answering, signalling through the `call.signal` action,
the details typed, the clock and the alarms."""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

from tests.conftest import World
from tests.events import ws_disconnect, ws_message
from tests.functional.api import Api, Reply
from tests.functional.levers import AppLevers

MERCHANT = "m1"
OTHER_MERCHANT = "m2"
PHONE = "ws-phone"
"""The customer's terminal."""
COUNTER, BACK_OFFICE = "ws-counter", "ws-back-office"
"""Two consoles of merchant m1, both staffed by `staff-1` (a colleague's is `ws-colleague`)."""
COLLEAGUE = "ws-colleague"
START = 1_800_000_000_000
TABLES = ("calls", "call_settings")


class CallDesk(AppLevers):
    tables = TABLES

    def __init__(self, world: World, client: Client) -> None:
        super().__init__(world, client)
        self.ops = self.party("ops", "ops-1")
        self.staff = self.party("merchant", "staff-1", merchant_id=MERCHANT)
        self.colleague = self.party("merchant", "staff-2", merchant_id=MERCHANT)
        self.other_staff = self.party("merchant", "staff-9", merchant_id=OTHER_MERCHANT)
        self.customer = self.party("customer", "u1")
        self.other_customer = self.party("customer", "u2")

    def open(self) -> None:
        self.world.clock.set(START)
        for merchant_id in (MERCHANT, OTHER_MERCHANT):
            created = self.ops.post("/merchants", {"merchant_id": merchant_id, "name": f"Fruit {merchant_id}",
                                                   "time_zone": "Asia/Shanghai", "currency": "CNY"})
            assert created.status == 201, created.body

    def terminals(self) -> None:
        """The customer's phone and m1's two consoles (staff-1) and a colleague's console."""
        for connection, api in ((PHONE, self.customer), (COUNTER, self.staff), (BACK_OFFICE, self.staff),
                                (COLLEAGUE, self.colleague)):
            assert self.connect(connection, api) == 200

    def disconnect(self, connection_id: str) -> None:
        self.client.lambda_.invoke("disconnect", ws_disconnect(connection_id))

    # ── the call ────────────────────────────────────────────────────────────────────────────

    def place(self, merchant_id: str = MERCHANT, *, connection: str = PHONE, by: Api | None = None) -> Reply:
        return (by or self.customer).post("/calls", {"merchant_id": merchant_id, "connection_id": connection})

    def ringing(self) -> dict[str, Any]:
        placed = self.place()
        assert placed.status == 201, placed.body
        return dict(placed.body)

    def answer(self, call: dict[str, Any], connection: str = COUNTER, *, by: Api | None = None) -> Reply:
        return (by or self.staff).post(f"/merchant/calls/{call['call_id']}/answer", {"connection_id": connection})

    def connected(self) -> dict[str, Any]:
        call = self.ringing()
        answered = self.answer(call)
        assert answered.status == 200 and answered.body["status"] == "connected", answered.body
        return dict(answered.body)

    def get(self, call: dict[str, Any], *, by: Api | None = None) -> dict[str, Any]:
        got = (by or self.customer).get(f"/calls/{call['call_id']}")
        assert got.status == 200, got.body
        return dict(got.body)

    def signal(self, connection: str, call: dict[str, Any] | str, payload: Any) -> None:
        call_id = call if isinstance(call, str) else call["call_id"]
        self.send(connection, {"action": "call.signal", "call_id": call_id, "payload": payload})

    def send(self, connection: str, message: Any) -> None:
        body = message if isinstance(message, str) else json.dumps(message)
        self.client.lambda_.invoke("message", ws_message(connection, body))

    def type(self, call: dict[str, Any], fields: dict[str, tuple[int, str]], *, submit: bool = False,
             by: Api | None = None) -> Reply:
        body = {"fields": {name: {"value": text, "version": version} for name, (version, text) in fields.items()}}
        path = f"/calls/{call['call_id']}/details" + ("/submit" if submit else "")
        api = by or self.customer
        return api.post(path, body) if submit else api.patch(path, body)

    def data(self, connection: str, message_type: str) -> list[dict[str, Any]]:
        return [m["data"] for m in self.pushed(connection, message_type)]

    def errors(self, connection: str) -> list[dict[str, Any]]:
        return self.data(connection, "error")

    def ring_out(self, call: dict[str, Any]) -> None:
        """The clock reaches the ring deadline and the alarm fires."""
        self.at(self.get(call)["remaining_ms"] + self.world.clock.now_ms())

    def at(self, ms: int) -> None:
        self.world.clock.set(ms)
        self.sweep()
        now = self.world.clock.now_ms()
        taken = self.queued()
        for message in taken:
            if message.wake_at > now:
                self.world.alarms.send(message, (message.wake_at - now) // 1000)
        self.deliver([m for m in taken if m.wake_at <= now])
