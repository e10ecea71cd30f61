"""Spec 02 on the running stack: a dispatch nobody confirms is reminded (with a deduction), revoked
and reassigned by the server's own alarms; the next installer confirms, the customer gets the
service code, the installer starts, uploads a photo straight to S3 and completes. Plus a completion
without the code (flagged) and the installer app's refusals over the wire."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.client import WAIT_S, epoch_s
from tests.e2e.conftest import Parties
from tests.e2e.crew import DEDUCTION, FAR, NEAR, Crew, pushed
from tests.e2e.test_bad_input import assert_problem

pytestmark = pytest.mark.e2e

EARLY_S = 0.1
"""The server's clock is this machine's; a push may only seem early by the time-stamp's rounding."""
LATE_S = 3.0
"""How late an escalation may reach a terminal: the alarm fires within ~1 s, plus slack for a
loaded machine."""


def assert_on_time(message: dict[str, Any], due_iso: str) -> None:
    due = epoch_s(due_iso)
    assert epoch_s(message["server_time"]) >= due - EARLY_S, (message, due_iso)
    assert due - EARLY_S <= message["_received_at"] <= due + LATE_S, (message["_received_at"] - due, message)


def test_unconfirmed_dispatch_is_reminded_revoked_reassigned_and_the_next_installer_completes(
        parties: Parties) -> None:
    crew = Crew.open_area(parties, remind_after_s=1, revoke_after_s=2)
    near, far = crew.hire(NEAR), crew.hire(FAR)
    customer = parties.customer()
    console = parties.terminal(parties.ops)
    near_app, far_app, phone = parties.terminal(near), parties.terminal(far), parties.terminal(customer)

    created = crew.request(customer)
    request_id = created["installation_id"]
    assert created["status"] == "dispatched"
    assert created["assignment"]["installer"]["installer_id"] == near.sub  # the nearer one

    # Stage 1: dispatched to the near installer, who does not confirm.
    dispatch = near_app.wait_for(pushed("dispatch.created", request_id))["data"]
    assert dispatch["attempt"] == 1 and dispatch["awaiting_confirmation"] is True and dispatch["ring"] is False
    assert dispatch["confirm_deadline"] == created["confirm_deadline"]
    assert epoch_s(dispatch["remind_at"]) - epoch_s(dispatch["dispatched_at"]) == pytest.approx(1, abs=0.01)
    assert "service_code" not in dispatch
    # The next dispatch gets roomy windows, so the far installer's confirm is never late on a slow
    # machine; this one keeps the 1 s + 2 s it was dispatched with.
    crew.set_periods(remind_after_s=60, revoke_after_s=60)

    # Stage 2: the reminder rings, with the deduction.
    reminder = near_app.wait_for(pushed("dispatch.reminded", request_id), timeout_s=WAIT_S + 1)
    assert reminder["data"]["ring"] is True
    assert reminder["data"]["deduction"] == DEDUCTION
    assert_on_time(reminder, dispatch["remind_at"])

    # Revoked at the deadline: the installer app stops waiting, the console is alerted.
    revoked = near_app.wait_for(pushed("dispatch.revoked", request_id), timeout_s=WAIT_S + 2)
    assert revoked["data"] == {"installation_id": request_id, "attempt": 1, "reason": "timeout"}
    assert_on_time(revoked, dispatch["confirm_deadline"])
    alert = console.wait_for(pushed("alert.raised", request_id, kind="dispatch_revoked"))
    assert alert["data"]["installation"]["lapsed_installers"] == [near.sub]

    # Reassigned automatically to the far installer, with fresh windows.
    second = far_app.wait_for(pushed("dispatch.created", request_id))["data"]
    assert second["attempt"] == 2
    assert epoch_s(second["remind_at"]) - epoch_s(second["dispatched_at"]) == pytest.approx(60, abs=0.01)
    assert epoch_s(second["dispatched_at"]) >= epoch_s(dispatch["confirm_deadline"])

    confirmed = crew.act(far, request_id, "confirm")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed" and "service_code" not in confirmed.json()

    # The customer learns who comes, and the code to hand over at the end.
    told = phone.wait_for(pushed("installation.status_changed", request_id, status="confirmed"))["data"]
    code = told["service_code"]
    assert isinstance(code, str) and len(code) == 6 and code.isdigit()
    assert told["installer"]["installer_id"] == far.sub
    assert told["installer"]["name"] and told["installer"]["phone"] == "+86 138 0000 0000"
    assert customer.get(f"/installations/{request_id}").json()["service_code"] == code
    console.wait_for(pushed("installation.status_changed", request_id, status="confirmed"))

    started = crew.act(far, request_id, "start")
    assert started.status_code == 200 and started.json()["status"] == "in_progress", started.text
    photo_id = crew.upload_photo(far, request_id)
    done = crew.act(far, request_id, "complete", service_code=code, photos=[photo_id])
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    phone.wait_for(pushed("installation.status_changed", request_id, status="completed"))

    view = crew.ops_view(request_id)
    assert (view["status"], view["flagged"], view["flag_reason"]) == ("completed", False, None)
    assert len(view["photos"]) == 1 and photo_id in view["photos"][0]
    assert [h["kind"] for h in view["history"]] == [
        "created", "dispatched", "reminded", "deducted", "revoked", "dispatched", "confirmed", "started", "completed"]
    ledger = parties.ops.get(f"/installers/{near.sub}/ledger").json()["items"]
    assert [(e["installation_id"], e["attempt"], e["amount"]) for e in ledger] == [(request_id, 1, DEDUCTION)]
    assert parties.ops.get(f"/installers/{far.sub}/ledger").json()["items"] == []
    assert [m for m in console.received if pushed("alert.raised", request_id)(m)] == [alert]  # one alert
    near_app.drain(quiet_s=0.3)
    assert len([m for m in near_app.received if pushed("dispatch.reminded", request_id)(m)]) == 1


def test_completion_without_the_service_code_is_flagged_and_the_console_alerted(parties: Parties) -> None:
    crew = Crew.open_area(parties, remind_after_s=60, revoke_after_s=60)
    installer = crew.hire(NEAR)
    customer = parties.customer()
    console = parties.terminal(parties.ops)

    request_id = crew.request(customer)["installation_id"]
    assert crew.act(installer, request_id, "confirm").status_code == 200
    assert crew.act(installer, request_id, "start").status_code == 200
    photo_id = crew.upload_photo(installer, request_id)
    done = crew.act(installer, request_id, "complete", photos=[photo_id])
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"

    alert = console.wait_for(pushed("alert.raised", request_id, kind="completion_flagged"))
    assert alert["data"]["installation"]["flag_reason"] == "service_code_missing"
    view = crew.ops_view(request_id)
    assert (view["status"], view["flagged"], view["flag_reason"]) == ("completed", True, "service_code_missing")
    assert [h["kind"] for h in view["history"]][-2:] == ["completed", "flagged"]
    flagged = parties.ops.get("/ops/installations", params={"flagged": "true", "area_id": crew.area_id}).json()
    assert [i["installation_id"] for i in flagged["items"]] == [request_id]


def test_installer_app_refusals_revoked_confirm_another_installers_dispatch_and_malformed_actions(
        parties: Parties) -> None:
    crew = Crew.open_area(parties, remind_after_s=2, revoke_after_s=1)
    near, far = crew.hire(NEAR), crew.hire(FAR)
    near_app, far_app = parties.terminal(near), parties.terminal(far)
    request_id = crew.request(parties.customer())["installation_id"]
    near_app.wait_for(pushed("dispatch.created", request_id))
    crew.set_periods(remind_after_s=60, revoke_after_s=60)  # for the far installer's dispatch, later

    # Another installer's dispatch does not exist for this one.
    assert_problem(far.get(f"/installer/dispatches/{request_id}"), 404, "/problems/not-found")
    assert_problem(crew.act(far, request_id, "confirm"), 404, "/problems/not-found")
    assert_problem(far.get(f"/installations/{request_id}"), 404, "/problems/not-found")

    # Malformed actions are 400 problems naming the field, and change nothing.
    for body, field in (({"action": "finish"}, "action"), ({}, "action"),
                        ({"action": "confirm", "photos": ["ph_1"]}, "body"),
                        ({"action": "complete", "service_code": "123456"}, "body"),
                        ({"action": "confirm", "extra": 1}, "extra")):
        problem = assert_problem(near.post(f"/installer/dispatches/{request_id}/actions", body), 400,
                                 "/problems/malformed-request")
        assert field in {e["field"] for e in problem["errors"]}, (body, problem)
    not_json = near.post(f"/installer/dispatches/{request_id}/actions", content=b"{\"action\": ",
                         headers={"Content-Type": "application/json"})
    assert_problem(not_json, 400, "/problems/malformed-request")
    assert near.get(f"/installer/dispatches/{request_id}").json()["status"] in {"dispatched", "reminded"}

    # The near installer lets it lapse; confirming afterwards is refused with dispatch-revoked.
    near_app.wait_for(pushed("dispatch.revoked", request_id), timeout_s=WAIT_S + 2)
    late = crew.act(near, request_id, "confirm")
    assert_problem(late, 409, "/problems/dispatch-revoked")
    assert near.get(f"/installer/dispatches/{request_id}").json()["status"] == "revoked"

    # The far installer got it meanwhile, and the late confirm took nothing from them.
    far_app.wait_for(pushed("dispatch.created", request_id))
    confirmed = crew.act(far, request_id, "confirm")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed", confirmed.text
    assert crew.ops_view(request_id)["assignment"]["installer"]["installer_id"] == far.sub
