"""The whole escalation through the app: dispatch → reminder with a deduction → revocation with
an alert → reassignment → confirm → service code → start → complete with photos."""

from __future__ import annotations

from tests.functional.crew import FAR, NEAR, Crew


def test_unconfirmed_dispatch_is_reminded_then_revoked_and_goes_to_the_next_installer(crew: Crew) -> None:
    near, far = crew.hire("i-near", NEAR), crew.hire("i-far", FAR)
    assert crew.connect("c-near", near) == 200 and crew.connect("c-far", far) == 200
    assert crew.connect("c-ops", crew.ops) == 200 and crew.connect("c-cust", crew.customer) == 200

    created = crew.requested()
    request_id = created["installation_id"]
    assert created["status"] == "dispatched"
    assert created["assignment"]["installer"]["installer_id"] == "i-near"
    [dispatch] = crew.pushed("c-near", "dispatch.created")
    assert dispatch["data"]["confirm_deadline"] == created["confirm_deadline"]

    crew.fire_due(request_id)  # period 1
    [reminder] = crew.pushed("c-near", "dispatch.reminded")
    assert reminder["data"]["ring"] is True
    assert reminder["data"]["deduction"] == {"amount": 500, "currency": "CNY"}
    ledger = crew.ops.get("/installers/i-near/ledger").body["items"]
    assert [(e["installation_id"], e["amount"]["amount"]) for e in ledger] == [(request_id, 500)]

    crew.fire_due(request_id)  # period 2
    [revoked] = crew.pushed("c-near", "dispatch.revoked")
    assert revoked["data"] == {"installation_id": request_id, "attempt": 1, "reason": "timeout"}
    [alert] = crew.pushed("c-ops", "alert.raised")
    assert alert["data"]["kind"] == "dispatch_revoked"
    assert crew.pushed("c-far", "dispatch.created"), "reassigned automatically"
    view = crew.ops_view(request_id)
    assert (view["status"], view["attempt"], view["lapsed_installers"]) == ("dispatched", 2, ["i-near"])

    late = crew.act(request_id, near, "confirm")
    assert late.status == 409 and late.body["type"] == "/problems/dispatch-revoked"

    confirmed = crew.act(request_id, far, "confirm")
    assert confirmed.status == 200 and confirmed.body["status"] == "confirmed"
    code = crew.customer.get(f"/installations/{request_id}").body["service_code"]
    assert len(code) == 6 and code.isdigit()
    assert any(m["data"]["service_code"] == code for m in crew.pushed("c-cust", "installation.status_changed"))
    assert "service_code" not in confirmed.body

    assert crew.act(request_id, far, "start").body["status"] == "in_progress"
    photo = crew.upload_photo(request_id, far)
    done = crew.act(request_id, far, "complete", service_code=code, photos=[photo])
    assert done.status == 200, done.body
    view = crew.ops_view(request_id)
    assert (view["status"], view["flagged"]) == ("completed", False)
    assert [h["kind"] for h in view["history"]] == [
        "created", "dispatched", "reminded", "deducted", "revoked", "dispatched", "confirmed", "started", "completed"]
    assert crew.ops.get("/installers/i-far").body["open_jobs"] == 0
    assert crew.ops.get("/installers/i-near").body["open_jobs"] == 0
