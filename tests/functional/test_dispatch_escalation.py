"""The two escalation windows through the app: reminder, revocation, reassignment, requests that
find nobody, assignments by hand, and alarms that arrive twice, late, or not at all."""

from __future__ import annotations

from chalicelib.core.timefmt import iso
from tests.functional.crew import FAR, NEAR, Crew


def test_an_unconfirmed_dispatch_is_reminded_then_revoked_with_an_alert_and_goes_to_someone_else(crew: Crew) -> None:
    near, far = crew.hire("i-near", NEAR), crew.hire("i-far", FAR)
    for connection, api in (("c-near", near), ("c-far", far), ("c-ops", crew.ops)):
        assert crew.connect(connection, api) == 200
    request_id = crew.requested()["installation_id"]

    crew.fire_due(request_id)
    assert crew.stored(request_id).status.value == "reminded"
    assert len(crew.pushed("c-near", "dispatch.reminded")) == 1
    assert crew.pushed("c-ops", "alert.raised") == []  # a reminder is the installer's business

    crew.fire_due(request_id)
    [revoked] = crew.pushed("c-near", "dispatch.revoked")
    assert revoked["data"]["reason"] == "timeout"
    [alert] = crew.pushed("c-ops", "alert.raised")
    assert alert["data"]["kind"] == "dispatch_revoked"
    assert alert["data"]["installation"]["installation_id"] == request_id
    assert alert["data"]["installation"]["lapsed_installers"] == ["i-near"]
    [dispatch] = crew.pushed("c-far", "dispatch.created")
    assert dispatch["data"]["installation_id"] == request_id and dispatch["data"]["attempt"] == 2
    view = crew.ops_view(request_id)
    assert view["assignment"]["installer"]["installer_id"] == "i-far"
    assert view["assignment"]["assigned_by"] == "auto"
    assert (view["revocations"], view["status"]) == (1, "dispatched")
    assert crew.ops.get("/installers/i-near").body["open_jobs"] == 0
    assert crew.ops.get("/installers/i-far").body["open_jobs"] == 1


def test_the_reassigned_dispatch_gets_fresh_windows(crew: Crew) -> None:
    crew.hire("i-near", NEAR)
    crew.hire("i-far", FAR)
    request_id = crew.requested()["installation_id"]
    crew.fire(request_id)
    crew.fire(request_id)
    revoked_at = crew.world.clock.now_ms()
    view = crew.ops_view(request_id)
    assert view["assignment"]["remind_at"] == iso(revoked_at + 600_000)
    assert view["confirm_deadline"] == iso(revoked_at + 1_800_000)


def test_an_installer_who_let_a_request_lapse_is_never_chosen_for_it_again(crew: Crew) -> None:
    crew.hire("i-near", NEAR)
    crew.connect("c-ops", crew.ops)
    request_id = crew.requested()["installation_id"]
    crew.fire(request_id)
    crew.fire(request_id)
    # i-near is the closest and now has no job at all, yet the request waits for somebody else
    view = crew.ops_view(request_id)
    assert (view["status"], view["lapsed_installers"], view["assignment"]) == ("pending", ["i-near"], None)
    assert [m["data"]["kind"] for m in crew.pushed("c-ops", "alert.raised")] == [
        "dispatch_revoked", "no_eligible_installer"]
    crew.fire(request_id)  # the retry alarm: still nobody
    assert crew.ops_view(request_id)["status"] == "pending"
    crew.hire("i-far", FAR)
    assert crew.ops_view(request_id)["assignment"]["installer"]["installer_id"] == "i-far"


def test_with_nobody_eligible_the_request_stays_pending_and_managers_are_alerted_once(crew: Crew) -> None:
    crew.connect("c-ops", crew.ops)
    created = crew.requested()
    request_id = created["installation_id"]
    assert created["status"] == "pending" and created["assignment"] is None
    assert created["awaiting_installer_since"] is not None and created["next_attempt_at"] is not None
    [alert] = crew.pushed("c-ops", "alert.raised")
    assert alert["data"]["kind"] == "no_eligible_installer"

    for _ in range(3):  # the retry alarm keeps looking, quietly
        before = crew.stored(request_id).retry_at
        crew.fire(request_id)
        after = crew.stored(request_id)
        assert after.status.value == "pending" and after.retry_at is not None and before is not None
        assert after.retry_at > before
    assert len(crew.pushed("c-ops", "alert.raised")) == 1
    assert crew.history(request_id).count("no_installer") == 1


def test_a_waiting_request_is_dispatched_as_soon_as_an_installer_is_hired_for_its_area(crew: Crew) -> None:
    request_id = crew.requested()["installation_id"]
    crew.area("south")
    crew.hire("i-elsewhere", NEAR, areas=("south",))
    assert crew.stored(request_id).status.value == "pending"  # another area's installer is no help
    app = crew.hire("i-near", NEAR)
    view = crew.ops_view(request_id)
    assert view["status"] == "dispatched" and view["assignment"]["installer"]["installer_id"] == "i-near"
    assert view["awaiting_installer_since"] is None and view["next_attempt_at"] is None
    assert [i["installation_id"] for i in app.get("/installer/dispatches").body["items"]] == [request_id]


def test_a_waiting_request_is_dispatched_when_an_installer_is_reactivated(crew: Crew) -> None:
    crew.hire("i-near", NEAR, active=False)
    request_id = crew.requested()["installation_id"]
    assert crew.stored(request_id).status.value == "pending"
    assert crew.ops.patch("/installers/i-near", {"active": True}).status == 200
    assert crew.stored(request_id).installer_id == "i-near"


def test_a_request_behind_one_nobody_can_take_is_dispatched_by_its_retry_alarm(crew: Crew) -> None:
    crew.hire("i-near", NEAR, max_open_jobs=1)
    lapsing = crew.requested()["installation_id"]
    crew.advance(1)
    waiting = crew.requested()["installation_id"]
    assert crew.stored(waiting).status.value == "pending"
    crew.fire(lapsing)
    crew.fire(lapsing)  # i-near is free again, but may never take `lapsing`
    assert crew.stored(lapsing).status.value == "pending"
    crew.fire(waiting)
    assert crew.stored(waiting).installer_id == "i-near"
    assert crew.stored(lapsing).status.value == "pending"


def test_a_busy_installer_gets_the_waiting_request_when_they_complete_a_job(crew: Crew) -> None:
    app = crew.hire("i-near", NEAR, max_open_jobs=1)
    first = crew.requested()["installation_id"]
    waiting = crew.requested()["installation_id"]
    assert crew.stored(waiting).status.value == "pending"
    assert crew.ops.get("/installers/i-near").body["open_jobs"] == 1
    crew.connect("c-near", app)

    assert crew.act(first, app, "confirm").status == 200
    assert crew.act(first, app, "start").status == 200
    assert crew.stored(waiting).status.value == "pending"  # confirming or starting frees nothing
    photo = crew.upload_photo(first, app)
    assert crew.act(first, app, "complete", service_code="000000", photos=[photo]).status == 200

    assert crew.stored(waiting).installer_id == "i-near"
    assert [m["data"]["installation_id"] for m in crew.pushed("c-near", "dispatch.created")] == [waiting]
    assert crew.ops.get("/installers/i-near").body["open_jobs"] == 1


def test_a_manager_assigns_a_waiting_request_by_hand(crew: Crew) -> None:
    crew.area("south")
    helper = crew.hire("i-south", FAR, areas=("south",))
    crew.connect("c-south", helper)
    request_id = crew.requested()["installation_id"]
    assert crew.stored(request_id).status.value == "pending"

    reply = crew.ops.post(f"/ops/installations/{request_id}/assign", {"installer_id": "i-south", "attempt": 0})
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "dispatched" and reply.body["attempt"] == 1
    assert reply.body["assignment"]["assigned_by"] == "ops:ops-1"
    assert reply.body["next_attempt_at"] is None and reply.body["awaiting_installer_since"] is None
    assert reply.body["history"][-1]["detail"] == "assigned by ops:ops-1"
    assert len(crew.pushed("c-south", "dispatch.created")) == 1
    assert crew.act(request_id, helper, "confirm").status == 200


def test_two_managers_assigning_from_the_same_view_get_one_dispatch_and_one_conflict(crew: Crew) -> None:
    crew.hire("i-near", NEAR)
    first, second = crew.hire("i-a", FAR), crew.hire("i-b", FAR)
    assert crew.connect("c-a", first) == 200
    assert crew.connect("c-b", second) == 200
    assert crew.connect("c-near", crew.installer("i-near")) == 200
    request_id = crew.requested()["installation_id"]
    seen = crew.ops_view(request_id)["attempt"]
    assert seen == 1

    one = crew.ops.post(f"/ops/installations/{request_id}/assign", {"installer_id": "i-a", "attempt": seen})
    two = crew.ops2.post(f"/ops/installations/{request_id}/assign", {"installer_id": "i-b", "attempt": seen})

    assert one.status == 200, one.body
    assert two.status == 409 and two.is_problem and two.body["type"] == "/problems/already-reassigned"
    assert two.body["attempt"] == 2 and two.body["installer_id"] == "i-a"
    stored = crew.stored(request_id)
    assert (stored.attempt, stored.installer_id) == (2, "i-a")
    assert crew.history(request_id).count("dispatched") == 2
    assert len(crew.pushed("c-a", "dispatch.created")) == 1 and crew.pushed("c-b") == []
    [ended] = crew.pushed("c-near", "dispatch.revoked")
    assert ended["data"]["reason"] == "reassigned"
    jobs = {i: crew.ops.get(f"/installers/{i}").body["open_jobs"] for i in ("i-near", "i-a", "i-b")}
    assert jobs == {"i-near": 0, "i-a": 1, "i-b": 0}


def test_two_managers_assigning_a_waiting_request_get_one_dispatch(crew: Crew) -> None:
    crew.area("south")  # installers of another area: the server never chooses them for `north`
    crew.hire("i-a", FAR, areas=("south",))
    crew.hire("i-b", FAR, areas=("south",))
    request_id = crew.requested()["installation_id"]
    assert crew.stored(request_id).status.value == "pending"

    one = crew.ops.post(f"/ops/installations/{request_id}/assign", {"installer_id": "i-a", "attempt": 0})
    two = crew.ops2.post(f"/ops/installations/{request_id}/assign", {"installer_id": "i-b", "attempt": 0})

    assert one.status == 200 and two.status == 409 and two.body["type"] == "/problems/already-reassigned"
    assert crew.history(request_id).count("dispatched") == 1
    assert crew.stored(request_id).installer_id == "i-a"
    assert crew.ops.get("/installers/i-b").body["open_jobs"] == 0


def test_reminder_and_revocation_alarms_delivered_three_times_act_once(crew: Crew) -> None:
    app = crew.hire("i-near", NEAR)
    assert crew.connect("c-near", app) == 200
    assert crew.connect("c-ops", crew.ops) == 200
    request_id = crew.requested()["installation_id"]

    crew.to_wake(request_id)
    reminder = crew.queued()
    for _ in range(3):
        crew.deliver(reminder)
        crew.sweep()
    crew.to_wake(request_id)
    crew.sweep()
    revocation = crew.queued()
    assert {m.wake_at for m in revocation} == {crew.stored(request_id).wake_at}
    for _ in range(3):
        crew.deliver(revocation + reminder)
    crew.advance(3 * 3600)  # and once more, long after
    crew.deliver(revocation + reminder + revocation)

    assert_escalated_once(crew, request_id)


def test_alarms_that_arrive_long_after_both_deadlines_remind_deduct_and_revoke_once(crew: Crew) -> None:
    app = crew.hire("i-near", NEAR)
    assert crew.connect("c-near", app) == 200
    assert crew.connect("c-ops", crew.ops) == 200
    request_id = crew.requested()["installation_id"]
    reminder = crew.queued()
    crew.advance(5 * 3600)  # the queue was down for hours

    crew.deliver(reminder + reminder)
    crew.sweep()
    crew.deliver(crew.queued() + reminder)

    assert_escalated_once(crew, request_id)
    stored = crew.stored(request_id)
    assert stored.status.value == "pending" and stored.retry_at is not None


def assert_escalated_once(crew: Crew, request_id: str) -> None:
    assert len(crew.pushed("c-near", "dispatch.reminded")) == 1
    assert len(crew.pushed("c-near", "dispatch.revoked")) == 1
    assert [m["data"]["kind"] for m in crew.pushed("c-ops", "alert.raised")].count("dispatch_revoked") == 1
    ledger = crew.ops.get("/installers/i-near/ledger").body["items"]
    assert [(e["installation_id"], e["attempt"]) for e in ledger] == [(request_id, 1)]
    history = crew.history(request_id)
    assert (history.count("reminded"), history.count("deducted"), history.count("revoked")) == (1, 1, 1)
    assert crew.stored(request_id).revocations == 1
    assert crew.ops.get("/installers/i-near").body["open_jobs"] == 0


def test_a_confirm_exactly_at_the_reminder_deadline_is_a_late_confirm_deducted_once(crew: Crew) -> None:
    app = crew.hire("i-near", NEAR)
    crew.connect("c-near", app)
    request_id = crew.requested()["installation_id"]
    reminder = crew.queued()
    crew.to_wake(request_id)  # exactly remind_at, the alarm not yet delivered

    confirmed = crew.act(request_id, app, "confirm")
    assert confirmed.status == 200 and confirmed.body["status"] == "confirmed"
    crew.deliver(reminder)  # the reminder's alarm comes in right after: too late to matter
    assert crew.history(request_id)[-3:] == ["reminded", "deducted", "confirmed"]
    assert len(crew.ops.get("/installers/i-near/ledger").body["items"]) == 1
    assert len(crew.pushed("c-near", "dispatch.reminded")) == 1
    assert crew.stored(request_id).status.value == "confirmed"


def test_a_confirm_one_moment_before_the_reminder_deadline_is_not_deducted(crew: Crew) -> None:
    app = crew.hire("i-near", NEAR)
    request_id = crew.requested()["installation_id"]
    crew.to_wake(request_id, offset_s=-0.001)
    assert crew.act(request_id, app, "confirm").body["status"] == "confirmed"
    crew.deliver(crew.queued())
    assert "reminded" not in crew.history(request_id)
    assert crew.ops.get("/installers/i-near/ledger").body["items"] == []


def test_a_confirm_exactly_at_the_revocation_deadline_is_refused_and_the_dispatch_revoked(crew: Crew) -> None:
    app = crew.hire("i-near", NEAR)
    crew.connect("c-near", app)
    request_id = crew.requested()["installation_id"]
    crew.fire(request_id)
    crew.to_wake(request_id)  # exactly revoke_at

    late = crew.act(request_id, app, "confirm")
    assert late.status == 409 and late.is_problem and late.body["type"] == "/problems/dispatch-revoked"
    crew.sweep()
    crew.deliver(crew.queued())  # the revocation alarm arrives after the fact
    stored = crew.stored(request_id)
    assert stored.status.value == "pending" and stored.lapsed == ("i-near",) and stored.revocations == 1
    assert crew.history(request_id).count("revoked") == 1 and "confirmed" not in crew.history(request_id)
    assert len(crew.pushed("c-near", "dispatch.revoked")) == 1
    assert len(crew.ops.get("/installers/i-near/ledger").body["items"]) == 1


def test_a_confirm_one_moment_before_the_revocation_deadline_wins(crew: Crew) -> None:
    app = crew.hire("i-near", NEAR)
    request_id = crew.requested()["installation_id"]
    crew.fire(request_id)
    crew.to_wake(request_id, offset_s=-0.001)
    assert crew.act(request_id, app, "confirm").body["status"] == "confirmed"
    crew.advance(1)
    crew.sweep()
    crew.deliver(crew.queued())
    assert crew.stored(request_id).status.value == "confirmed" and "revoked" not in crew.history(request_id)


def test_every_action_after_the_revocation_is_a_409_and_changes_nothing(crew: Crew) -> None:
    app = crew.hire("i-near", NEAR)
    crew.hire("i-far", FAR)
    request_id = crew.requested()["installation_id"]
    crew.fire(request_id)
    crew.fire(request_id)
    crew.advance(60)
    before = crew.snapshot()
    for action in ("confirm", "start", "confirm"):
        reply = crew.act(request_id, app, action)
        assert reply.status == 409 and reply.body["type"] == "/problems/dispatch-revoked", (action, reply.body)
    assert crew.snapshot() == before
    assert crew.stored(request_id).installer_id == "i-far"


def test_reading_an_overdue_dispatch_settles_it_without_any_alarm(crew: Crew) -> None:
    app = crew.hire("i-near", NEAR)
    assert crew.connect("c-near", app) == 200
    assert crew.connect("c-ops", crew.ops) == 200
    request_id = crew.requested()["installation_id"]
    crew.queued()  # the triggers are lost
    crew.to_wake(request_id, offset_s=1800 + 1)  # past remind_at and revoke_at

    seen = app.get(f"/installer/dispatches/{request_id}")
    assert seen.status == 200 and seen.body["status"] == "revoked" and "address" not in seen.body
    assert crew.customer.get(f"/installations/{request_id}").body["status"] == "pending"
    view = crew.ops_view(request_id)
    assert (view["status"], view["revocations"], view["lapsed_installers"]) == ("pending", 1, ["i-near"])
    assert [h["kind"] for h in view["history"]][-4:] == ["reminded", "deducted", "revoked", "no_installer"]
    assert len(crew.pushed("c-near", "dispatch.revoked")) == 1
    assert "dispatch_revoked" in [m["data"]["kind"] for m in crew.pushed("c-ops", "alert.raised")]
    assert len(crew.ops.get("/installers/i-near/ledger").body["items"]) == 1


def test_reading_a_dispatch_past_only_its_reminder_deadline_reminds_it(crew: Crew) -> None:
    app = crew.hire("i-near", NEAR)
    crew.connect("c-near", app)
    request_id = crew.requested()["installation_id"]
    crew.to_wake(request_id, offset_s=5)
    seen = crew.customer.get(f"/installations/{request_id}")
    assert seen.status == 200 and seen.body["status"] == "reminded"
    [reminded] = crew.pushed("c-near", "dispatch.reminded")
    assert reminded["data"]["ring"] is True and reminded["data"]["awaiting_confirmation"] is True


def test_a_reconnected_installer_app_lists_its_open_dispatches_over_the_socket(crew: Crew) -> None:
    near, far = crew.hire("i-near", NEAR), crew.hire("i-far", FAR)
    first = crew.requested()["installation_id"]
    second = crew.requested()["installation_id"]
    elsewhere = crew.requested()["installation_id"]  # i-near has two jobs now: i-far is closer in score
    assert crew.stored(elsewhere).installer_id == "i-far"
    assert crew.act(first, near, "confirm").status == 200
    assert crew.connect("c-near", near) == 200 and crew.connect("c-far", far) == 200

    crew.list_pending("c-near")

    [listed] = crew.pushed("c-near", "dispatches.listed")
    items = listed["data"]["items"]
    assert sorted(i["installation_id"] for i in items) == sorted([first, second])
    assert {i["installation_id"]: i["status"] for i in items} == {first: "confirmed", second: "dispatched"}
    assert all("confirm_deadline" in i and "address" in i and "service_code" not in i for i in items)
    assert listed["server_time"]
    assert crew.pushed("c-far", "dispatches.listed") == []


def test_a_lapsed_or_finished_dispatch_is_not_listed_to_a_reconnected_installer(crew: Crew) -> None:
    near = crew.hire("i-near", NEAR)
    lapsed = crew.requested()["installation_id"]
    crew.fire(lapsed)
    crew.fire(lapsed)
    assert crew.stored(lapsed).status.value == "pending"
    finished = crew.started(near)
    photo = crew.upload_photo(finished, near)
    assert crew.act(finished, near, "complete", photos=[photo]).status == 200
    cancelled = crew.requested()["installation_id"]
    assert crew.customer.post(f"/installations/{cancelled}/cancel").status == 200
    still_open = crew.requested()["installation_id"]
    assert crew.stored(still_open).installer_id == "i-near"

    assert crew.connect("c-near", near) == 200
    crew.list_pending("c-near")
    [listed] = crew.pushed("c-near", "dispatches.listed")
    assert [i["installation_id"] for i in listed["data"]["items"]] == [still_open]
