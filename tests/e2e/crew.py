"""Installer dispatch on the running stack: an area of the test's own (unique ids, short periods),
installers hired into it at chosen distances from the customer, and what the installer app does —
report a location, act on a dispatch, upload a photo straight to S3 with the presigned POST."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tests.e2e.client import WAIT_S, Api, Message
from tests.e2e.conftest import Parties

# The customer's address, and spots 1 km (near) and 8 km (far) north of it.
ADDRESS = {"line1": "8 Garden Road", "city": "Shanghai", "lat": 31.2304, "lng": 121.4737}
NEAR = (31.2394, 121.4737)
FAR = (31.3024, 121.4737)
DEDUCTION = {"amount": 500, "currency": "CNY"}
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60 + b"\xff\xd9"
UPLOADED = {200, 201, 204}
"""What S3 (moto) answers a successful presigned POST with, depending on `success_action_status`."""


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@dataclass
class Crew:
    """One area with its own periods and the parties of one test."""

    parties: Parties
    area_id: str
    remind_after_s: int
    revoke_after_s: int

    @classmethod
    def open_area(cls, parties: Parties, remind_after_s: int, revoke_after_s: int) -> Crew:
        area_id = unique("area")
        made = parties.ops.post("/areas", {"area_id": area_id, "name": f"e2e {area_id}",
                                           "remind_after_s": remind_after_s, "revoke_after_s": revoke_after_s,
                                           "deduction": DEDUCTION})
        assert made.status_code == 201, made.text
        assert made.json()["deduction"] == DEDUCTION
        return cls(parties, area_id, remind_after_s, revoke_after_s)

    def set_periods(self, remind_after_s: int, revoke_after_s: int) -> None:
        """Change the area's periods: later dispatches get them; running ones keep their own."""
        patched = self.parties.ops.http.patch(f"/areas/{self.area_id}", json={
            "remind_after_s": remind_after_s, "revoke_after_s": revoke_after_s})
        assert patched.status_code == 200, patched.text
        self.remind_after_s, self.revoke_after_s = remind_after_s, revoke_after_s

    def hire(self, at: tuple[float, float] | None = None) -> Api:
        """An installer covering this area (created by ops), with the app's token; located at `at`."""
        installer_id = unique("i")
        made = self.parties.ops.post("/installers", {
            "installer_id": installer_id, "name": f"Installer {installer_id[-4:]}", "phone": "+86 138 0000 0000",
            "areas": [self.area_id], "max_open_jobs": 3})
        assert made.status_code == 201, made.text
        app = self.parties.api(self.parties.token(role="installer", sub=installer_id), installer_id)
        if at is not None:
            located = app.put("/installer/location", {"lat": at[0], "lng": at[1]})
            assert located.status_code == 200, located.text
            assert located.json()["location"]["lat"] == at[0]
        return app

    def request(self, customer: Api) -> dict[str, Any]:
        """Ops create an installation request for `customer` in this area; returns the ops view."""
        body = {"area_id": self.area_id, "product": "Air conditioner KFR-35", "address": ADDRESS,
                "customer_id": customer.sub, "preferred_time": "2026-11-23T09:00:00Z"}
        made = self.parties.ops.post("/installations", body)
        assert made.status_code == 201, made.text
        created: dict[str, Any] = made.json()
        return created

    @staticmethod
    def act(installer: Api, installation_id: str, action: str, **fields: Any) -> httpx.Response:
        return installer.post(f"/installer/dispatches/{installation_id}/actions", {"action": action, **fields})

    def ops_view(self, installation_id: str) -> dict[str, Any]:
        seen = self.parties.ops.get(f"/ops/installations/{installation_id}")
        assert seen.status_code == 200, seen.text
        view: dict[str, Any] = seen.json()
        return view

    @staticmethod
    def upload_photo(installer: Api, installation_id: str, content: bytes = JPEG,
                     content_type: str = "image/jpeg") -> str:
        """Ask for a presigned POST, then send the photo where it says, as the phone would: one
        multipart/form-data POST with the signed fields and the file last."""
        asked = installer.post(f"/installer/dispatches/{installation_id}/photos",
                               {"content_type": content_type, "size_bytes": len(content)})
        assert asked.status_code == 201, asked.text
        upload = asked.json()["upload"]
        sent = httpx.post(upload["url"], data=upload["fields"], files={"file": ("photo.jpg", content, content_type)},
                          timeout=WAIT_S, trust_env=False)
        assert sent.status_code in UPLOADED, (sent.status_code, sent.text)
        photo_id: str = asked.json()["photo_id"]
        return photo_id


def pushed(message_type: str, installation_id: str, **data: Any) -> Callable[[Message], bool]:
    """A push of this type about this request (`data.installation_id`, or the alert's
    `data.installation.installation_id`), whose data has these values."""

    def wanted(m: Message) -> bool:
        body = m.get("data", {})
        about = body.get("installation_id") or body.get("installation", {}).get("installation_id")
        return (m.get("type") == message_type and about == installation_id
                and all(body.get(k) == v for k, v in data.items()))

    return wanted
