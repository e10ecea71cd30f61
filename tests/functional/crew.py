"""Installer dispatch through the app: area `north` (remind after 10 min, revoke 20 min later,
5.00 CNY deduction), installers near and far, the parties who use it, and the levers a
functional test pulls — the clock, alarm deliveries, terminals and photo uploads."""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

from chalicelib.dispatch.model import Installation
from chalicelib.waitstate.model import AlarmMessage
from devstack.provision import bucket_environment
from tests.conftest import World, aws_client
from tests.events import ws_message
from tests.functional.api import Api, Reply
from tests.functional.levers import AppLevers

PHOTO_BUCKET = bucket_environment()["ONTIME_PHOTO_BUCKET"]

AREA = "north"
# The customer's address, and installers 1 km (near) and 8 km (far) from it.
ADDRESS = {"line1": "8 Garden Road", "city": "Shanghai", "lat": 31.2304, "lng": 121.4737}
NEAR = (31.2394, 121.4737)
FAR = (31.3024, 121.4737)
TABLES = ("installations", "installers", "coverage", "areas", "ledger")


class Crew(AppLevers):
    tables = TABLES

    def __init__(self, world: World, client: Client) -> None:
        super().__init__(world, client)
        self.ops = self.party("ops", "ops-1")
        self.ops2 = self.party("ops", "ops-2")
        self.customer = self.party("customer", "u1")

    def installer(self, installer_id: str) -> Api:
        return self.party("installer", installer_id)

    # ── set-up ──────────────────────────────────────────────────────────────────────────────

    def area(self, area_id: str = AREA, **fields: Any) -> dict[str, Any]:
        body = {"area_id": area_id, "name": area_id.title(), "remind_after_s": 600, "revoke_after_s": 1200, **fields}
        created = self.ops.post("/areas", body)
        assert created.status == 201, created.body
        return dict(created.body)

    def hire(self, installer_id: str, at: tuple[float, float] | None = None, areas: tuple[str, ...] = (AREA,),
             **fields: Any) -> Api:
        created = self.ops.post("/installers", {"installer_id": installer_id, "name": f"Installer {installer_id}",
                                                "phone": "+86 138 0000 0000", "areas": list(areas), **fields})
        assert created.status == 201, created.body
        app = self.installer(installer_id)
        if at is not None:
            located = app.put("/installer/location", {"lat": at[0], "lng": at[1]})
            assert located.status == 200, located.body
        return app

    # ── requests ────────────────────────────────────────────────────────────────────────────

    @staticmethod
    def request_body(**changes: Any) -> dict[str, Any]:
        return {"area_id": AREA, "product": "Air conditioner KFR-35", "address": ADDRESS, "customer_id": "u1",
                "preferred_time": "2026-11-23T09:00:00Z", **changes}

    def request(self, body: Any = None, *, by: Api | None = None, headers: dict[str, str] | None = None) -> Reply:
        return (by or self.ops).post("/installations", self.request_body() if body is None else body,
                                     headers=headers)

    def requested(self, **changes: Any) -> dict[str, Any]:
        reply = self.request(self.request_body(**changes))
        assert reply.status == 201, reply.body
        return dict(reply.body)

    def act(self, installation_id: str, by: Api, action: str, **fields: Any) -> Reply:
        return by.post(f"/installer/dispatches/{installation_id}/actions", {"action": action, **fields})

    def stored(self, installation_id: str) -> Installation:
        found = self.world.dispatch.installations.store.get(installation_id)
        assert found is not None
        return found

    def ops_view(self, installation_id: str) -> dict[str, Any]:
        reply = self.ops.get(f"/ops/installations/{installation_id}")
        assert reply.status == 200, reply.body
        return dict(reply.body)

    def history(self, installation_id: str) -> list[str]:
        return [h.kind for h in self.stored(installation_id).history]

    # ── time and alarms ─────────────────────────────────────────────────────────────────────

    def advance(self, seconds: float) -> None:
        self.world.clock.advance(seconds)

    def to_wake(self, installation_id: str, offset_s: float = 0) -> None:
        wake_at = self.stored(installation_id).wake_at
        assert wake_at is not None
        self.world.clock.set(wake_at + int(offset_s * 1000))

    def fire_due(self, installation_id: str) -> list[AlarmMessage]:
        """Move the clock to the request's alarm and deliver every trigger sent so far (the sweeper
        runs first: it hands over alarms more than SQS's 15 minutes away)."""
        self.to_wake(installation_id)
        self.sweep()
        messages = self.queued()
        self.deliver(messages)
        return messages

    # ── photos ────────────────────────────────────────────────────────────────

    def upload_photo(self, installation_id: str, by: Api, content: bytes = b"\xff\xd8jpeg",
                     content_type: str = "image/jpeg") -> str:
        """Ask for a presigned POST and put the object where it says (moto checks the bucket/key)."""
        reply = by.post(f"/installer/dispatches/{installation_id}/photos",
                        {"content_type": content_type, "size_bytes": len(content)})
        assert reply.status == 201, reply.body
        fields = reply.body["upload"]["fields"]
        aws_client("s3").put_object(Bucket=PHOTO_BUCKET, Key=fields["key"],
                                    Body=content, ContentType=content_type)
        return str(reply.body["photo_id"])

    # ── more levers (escalation, scoping, completion, console) ──────────────────────────────────

    def fire(self, installation_id: str) -> list[AlarmMessage]:
        """Like `fire_due`, but sweep only when the request's trigger is not queued already (an
        alarm within SQS's 15 minutes is sent at write time): a sweep reads every shard."""
        self.to_wake(installation_id)
        wake_at = self.stored(installation_id).wake_at
        messages = self.queued()
        if not any(m.entity_id == installation_id and m.wake_at == wake_at for m in messages):
            self.sweep()
            messages += self.queued()
        self.deliver(messages)
        return messages

    def list_pending(self, connection_id: str) -> None:
        """What a (re)connected terminal sends over its socket to get its pending work."""
        self.client.lambda_.invoke("message", ws_message(connection_id, json.dumps({"action": "list_pending"})))

    def open_jobs(self, installer_id: str) -> int:
        reply = self.ops.get(f"/installers/{installer_id}")
        assert reply.status == 200, reply.body
        return int(reply.body["open_jobs"])

    def started(self, by: Api, **changes: Any) -> str:
        """A request dispatched to `by`'s installer, confirmed and started: ready for photos."""
        request_id = str(self.requested(**changes)["installation_id"])
        for action in ("confirm", "start"):
            reply = self.act(request_id, by, action)
            assert reply.status == 200, reply.body
        return request_id

    def service_code(self, installation_id: str) -> str:
        code = self.customer.get(f"/installations/{installation_id}").body["service_code"]
        assert isinstance(code, str)
        return code
