"""Installer dispatch on fakes, through `InstallationService`'s public methods: the choice of an
installer, who a request may be for, assignments by hand, confirm → start → complete with photos,
cancellation, and the reminder and revocation by alarm. (Some were moved here from
tests/functional/test_dispatch_console.py and test_dispatch_bad_input.py, where they only drove
this logic over HTTP.)"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.errors import ConcurrentUpdate, NotFound, ValidationFailed
from chalicelib.core.money import Money
from chalicelib.dispatch.model import FlagReason, Installation, Status
from chalicelib.dispatch.photos import photo_key
from chalicelib.dispatch.schemas import AssignIn, DispatchActionIn, InstallerPatch, PhotoIn
from chalicelib.push import party
from tests.fakes.platform import FakeWorld, caller
from tests.functional.crew import FAR, NEAR
from tests.unit.arrange import CUSTOMER, OPS, a_request, body, hire, open_area

NEAR_APP, FAR_APP = caller("installer", "i-near"), caller("installer", "i-far")


@pytest.fixture
def crew(world: FakeWorld) -> FakeWorld:
    open_area(world)
    for connection, who in (("c-near", party.Party("installer", "i-near")), ("c-ops", party.OPS),
                            ("c-cust", party.customer("u1"))):
        world.stores.connections.register(connection, who, who.id, world.clock.now_ms())
    return world


def requested(world: FakeWorld, by: Any = OPS, **changes: Any) -> Installation:
    return world.dispatch.installations.create(by, a_request(**changes))


def act(world: FakeWorld, request_id: str, by: Any, action: str, **fields: Any) -> Installation:
    return world.dispatch.installations.act(by, request_id, body(DispatchActionIn, action=action, **fields))


def open_jobs(world: FakeWorld, installer_id: str) -> int:
    return world.dispatch.workforce.installer(OPS, installer_id).open_jobs


def uploaded(world: FakeWorld, request_id: str, by: Any = NEAR_APP, content_type: str = "image/jpeg") -> str:
    """A presigned upload, and the installer app's POST to it."""
    upload = world.dispatch.installations.photo_upload(by, request_id, body(PhotoIn, content_type=content_type,
                                                                            size_bytes=2048))
    world.stores.photos.put(upload["upload"]["fields"]["key"], b"\xff" * 2048, content_type)
    return str(upload["photo_id"])


def started(world: FakeWorld) -> Installation:
    request = requested(world)
    act(world, request.id, NEAR_APP, "confirm")
    return act(world, request.id, NEAR_APP, "start")


# ── creating and choosing ───────────────────────────────────────────────────────────────────

def test_a_request_goes_to_the_nearest_installer_with_room_and_they_are_told(crew: FakeWorld) -> None:
    hire(crew, "i-near", NEAR)
    hire(crew, "i-far", FAR)
    request = requested(crew)
    assert (request.status, request.installer_id, request.attempt) == (Status.DISPATCHED, "i-near", 1)
    assert request.assignment is not None and request.assignment.deduction == Money(500, "CNY")
    assert request.assignment.remind_at == crew.clock.now_ms() + 600_000
    assert (open_jobs(crew, "i-near"), open_jobs(crew, "i-far")) == (1, 0)
    (created,) = crew.push.to("c-near", "dispatch.created")
    assert created["data"]["installation_id"] == request.id


def test_with_nobody_eligible_the_request_waits_and_ops_are_alerted(crew: FakeWorld) -> None:
    request = requested(crew)
    assert request.status is Status.PENDING and request.wake_at == request.retry_at
    assert [m["data"]["kind"] for m in crew.push.to("c-ops", "alert.raised")] == ["no_eligible_installer"]


def test_who_the_request_is_for_must_be_clear(crew: FakeWorld) -> None:
    for by, changes in ((OPS, {"customer_id": None}), (CUSTOMER, {"customer_id": "u2"})):
        with pytest.raises(ValidationFailed) as refused:
            requested(crew, by, **changes)
        assert [e.field for e in refused.value.errors] == ["customer_id"]
    assert list(crew.stores.installations.entities()) == []
    assert requested(crew, CUSTOMER, customer_id=None).customer_id == "u1"  # for themselves, it may be left out


def test_a_request_in_an_unknown_area_names_the_area(crew: FakeWorld) -> None:
    with pytest.raises(ValidationFailed) as refused:
        requested(crew, area_id="atlantis")
    assert [e.field for e in refused.value.errors] == ["area_id"]


def test_an_installer_who_starts_covering_an_area_picks_up_its_oldest_waiting_requests(crew: FakeWorld) -> None:
    open_area(crew, "south")
    hire(crew, "i-a", NEAR, areas=("south",))
    older = requested(crew)
    crew.clock.advance(1)
    newer = requested(crew)
    assert (older.status, newer.status) == (Status.PENDING, Status.PENDING)  # nobody covers north
    crew.dispatch.workforce.patch_installer(OPS, "i-a", body(InstallerPatch, areas=["south", "north"],
                                                             max_open_jobs=1))
    assert crew.dispatch.installations.get(OPS, older.id).installer_id == "i-a"
    assert crew.dispatch.installations.get(OPS, newer.id).status is Status.PENDING  # no room for a second
    assert open_jobs(crew, "i-a") == 1


def test_a_deactivated_installer_keeps_their_jobs_but_gets_no_new_ones(crew: FakeWorld) -> None:
    hire(crew, "i-near", NEAR)
    hire(crew, "i-far", FAR)
    running = requested(crew)
    crew.dispatch.workforce.patch_installer(OPS, "i-near", body(InstallerPatch, active=False))
    assert requested(crew).installer_id == "i-far"
    assert act(crew, running.id, NEAR_APP, "confirm").status is Status.CONFIRMED


def test_a_waiting_request_is_dispatched_as_soon_as_an_installer_is_hired_for_its_area(crew: FakeWorld) -> None:
    waiting = requested(crew)
    hire(crew, "i-far", FAR)
    assert crew.dispatch.installations.get(OPS, waiting.id).installer_id == "i-far"


def test_a_waiting_request_others_keep_changing_neither_fails_the_hire_nor_holds_up_the_rest(
        crew: FakeWorld) -> None:
    contended = requested(crew)
    crew.clock.advance(1)
    other = requested(crew)
    store = crew.stores.installations
    commit = store.commit

    def always_lost(entity: Installation, *args: Any, **kwargs: Any) -> Installation:
        if entity.id == contended.id:
            raise ConcurrentUpdate(entity.id)
        return commit(entity, *args, **kwargs)

    store.commit = always_lost  # type: ignore[method-assign]
    hire(crew, "i-far", FAR)  # answered, not a 409: the installer is hired
    assert crew.dispatch.installations.get(OPS, other.id).installer_id == "i-far"
    assert crew.stores.installations.get(contended.id) == contended  # its retry alarm offers it again


# ── by hand ─────────────────────────────────────────────────────────────────────────────────

def test_an_assignment_to_an_unknown_or_inactive_installer_is_422(crew: FakeWorld) -> None:
    open_area(crew, "south")  # nobody covers it: the request waits
    waiting = requested(crew, area_id="south")
    hire(crew, "i-off", FAR, active=False)
    for installer_id in ("i-404", "i-off"):
        with pytest.raises(ValidationFailed) as refused:
            crew.dispatch.installations.assign(OPS, waiting.id, body(AssignIn, installer_id=installer_id, attempt=0))
        assert [e.field for e in refused.value.errors] == ["installer_id"]
    assert crew.stores.installations.get(waiting.id) == waiting


def test_a_manager_assigns_a_waiting_request_by_hand(crew: FakeWorld) -> None:
    open_area(crew, "south")
    waiting = requested(crew, area_id="south")
    hire(crew, "i-far", FAR)  # covers north only: never chosen for south by itself
    assigned = crew.dispatch.installations.assign(OPS, waiting.id, body(AssignIn, installer_id="i-far",
                                                                        attempt=waiting.attempt))
    assert assigned.installer_id == "i-far" and assigned.assignment is not None
    assert assigned.assignment.assigned_by == "ops:ops-1"


# ── confirm, start, complete ────────────────────────────────────────────────────────────────

def test_a_completion_with_the_code_and_uploaded_photos_is_completed_and_not_flagged(crew: FakeWorld) -> None:
    hire(crew, "i-near", NEAR)
    request = started(crew)
    assert request.service_code is not None
    first, second = uploaded(crew, request.id), uploaded(crew, request.id, content_type="image/png")
    done = act(crew, request.id, NEAR_APP, "complete", service_code=f" {request.service_code} ",
               photos=[first, second])
    assert (done.status, done.flag) == (Status.COMPLETED, None)
    assert done.photos == (photo_key(request.id, first, "image/jpeg"), photo_key(request.id, second, "image/png"))
    assert open_jobs(crew, "i-near") == 0 and crew.push.to("c-ops", "alert.raised") == []
    assert crew.dispatch.installations.installer_requests(NEAR_APP, True, 10, None).items == []


@pytest.mark.parametrize(("code", "flag"), [(None, FlagReason.CODE_MISSING), ("      ", FlagReason.CODE_MISSING),
                                            ("wrong", FlagReason.CODE_WRONG)])
def test_a_completion_without_the_right_code_is_flagged_for_a_follow_up(crew: FakeWorld, code: str | None,
                                                                       flag: FlagReason) -> None:
    hire(crew, "i-near", NEAR)
    request = started(crew)
    done = act(crew, request.id, NEAR_APP, "complete", service_code=code, photos=[uploaded(crew, request.id)])
    assert (done.status, done.flag) == (Status.COMPLETED, flag)
    assert [m["data"]["kind"] for m in crew.push.to("c-ops", "alert.raised")] == ["completion_flagged"]


def test_a_photo_that_never_arrived_or_is_not_an_image_does_not_complete(crew: FakeWorld) -> None:
    hire(crew, "i-near", NEAR)
    request = started(crew)
    never = crew.dispatch.installations.photo_upload(NEAR_APP, request.id, body(PhotoIn, content_type="image/jpeg",
                                                                                size_bytes=10))["photo_id"]
    html = uploaded(crew, request.id)
    crew.stores.photos.put(photo_key(request.id, html, "image/jpeg"), b"<html>", "text/html")
    with pytest.raises(ValidationFailed) as refused:
        act(crew, request.id, NEAR_APP, "complete", photos=[never, html])
    assert [e.field for e in refused.value.errors] == ["photos[0]", "photos[1]"]
    assert crew.dispatch.installations.get(OPS, request.id).status is Status.IN_PROGRESS


def test_only_the_installer_of_a_started_installation_gets_a_photo_upload_and_within_the_size(
        crew: FakeWorld) -> None:
    hire(crew, "i-near", NEAR)
    hire(crew, "i-far", FAR)
    request = requested(crew)
    photo = body(PhotoIn, content_type="image/png", size_bytes=2048)
    with pytest.raises(ValidationFailed):
        crew.dispatch.installations.photo_upload(NEAR_APP, request.id, photo)  # dispatched, not started
    act(crew, request.id, NEAR_APP, "confirm")
    act(crew, request.id, NEAR_APP, "start")
    with pytest.raises(NotFound):
        crew.dispatch.installations.photo_upload(FAR_APP, request.id, photo)
    upload = crew.dispatch.installations.photo_upload(NEAR_APP, request.id, photo)
    assert upload["upload"]["fields"]["key"] == photo_key(request.id, upload["photo_id"], "image/png")
    with pytest.raises(ValidationFailed) as refused:
        crew.dispatch.installations.photo_upload(NEAR_APP, request.id, body(PhotoIn, content_type="image/png",
                                                                            size_bytes=upload["max_bytes"] + 1))
    assert [e.field for e in refused.value.errors] == ["size_bytes"]


def test_the_customer_cancels_a_confirmed_request_and_the_installer_is_freed(crew: FakeWorld) -> None:
    hire(crew, "i-near", NEAR)
    request = requested(crew)
    act(crew, request.id, NEAR_APP, "confirm")
    cancelled = crew.dispatch.installations.cancel(CUSTOMER, request.id, "changed my mind")
    assert cancelled.status is Status.CANCELLED and open_jobs(crew, "i-near") == 0
    with pytest.raises(NotFound):
        crew.dispatch.installations.cancel(caller("customer", "u2"), request.id, None)


# ── the escalation, by alarm ────────────────────────────────────────────────────────────────

def test_an_unconfirmed_dispatch_is_reminded_with_a_deduction_then_revoked_and_goes_to_someone_else(
        crew: FakeWorld) -> None:
    hire(crew, "i-near", NEAR)
    hire(crew, "i-far", FAR)
    request = requested(crew)
    assert request.assignment is not None
    crew.clock.set(request.assignment.remind_at)
    crew.fire_queued()
    assert crew.dispatch.installations.get(OPS, request.id).status is Status.REMINDED
    [deduction] = crew.dispatch.workforce.ledger(OPS, "i-near", 10, None).items
    assert (deduction.request_id, deduction.amount) == (request.id, Money(500, "CNY"))
    crew.clock.set(request.assignment.revoke_at)
    crew.container.engine.sweep()  # the revocation is more than SQS's 15 minutes after the dispatch
    crew.fire_queued()
    again = crew.dispatch.installations.get(OPS, request.id)
    assert (again.status, again.installer_id, again.attempt, again.lapsed) == (
        Status.DISPATCHED, "i-far", 2, ("i-near",))
    assert (open_jobs(crew, "i-near"), open_jobs(crew, "i-far")) == (0, 1)
    assert [m["data"]["kind"] for m in crew.push.to("c-ops", "alert.raised")] == ["dispatch_revoked"]
