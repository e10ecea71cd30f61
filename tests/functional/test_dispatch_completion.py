"""Finishing an installation: photo uploads (who, when, what type and size), completion with the
service code or without it (flagged for a follow-up call), repeated taps, and cancellations that
give the installer their capacity back."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.dispatch.settings import DispatchSettings
from tests.conftest import aws_client
from tests.functional.api import Api
from tests.functional.crew import FAR, NEAR, PHOTO_BUCKET, Crew


@pytest.fixture
def near(crew: Crew) -> Api:
    return crew.hire("i-near", NEAR)


def presign(by: Api, request_id: str, content_type: str = "image/jpeg", size_bytes: int = 2048
            ) -> tuple[int, dict[str, Any]]:
    reply = by.post(f"/installer/dispatches/{request_id}/photos",
                    {"content_type": content_type, "size_bytes": size_bytes})
    assert reply.status >= 400 or reply.status == 201, reply.body
    if reply.status >= 400:
        assert reply.is_problem, reply.body
    return reply.status, reply.body


# ── photo uploads ───────────────────────────────────────────────────────────────────────────

def test_only_the_installer_of_a_started_installation_may_upload_photos(crew: Crew, near: Api) -> None:
    far = crew.hire("i-far", FAR)
    request_id = crew.requested()["installation_id"]
    status, body = presign(near, request_id)
    assert (status, [e["field"] for e in body["errors"]]) == (422, ["status"])  # dispatched
    crew.act(request_id, near, "confirm")
    assert presign(near, request_id)[0] == 422  # confirmed
    assert presign(far, request_id)[0] == 404  # never theirs
    crew.act(request_id, near, "start")

    status, body = presign(near, request_id, "image/png", 2048)
    assert status == 201
    assert body["photo_id"].startswith("ph_") and body["upload_deadline"] > body["server_time"]
    assert body["upload"]["url"] and body["upload"]["fields"]["key"].startswith(f"installations/{request_id}/")
    assert body["upload"]["fields"]["key"].endswith(".png")
    assert body["upload"]["fields"]["Content-Type"] == "image/png"
    assert presign(far, request_id)[0] == 404

    photo = crew.upload_photo(request_id, near)
    assert crew.act(request_id, near, "complete", service_code=crew.service_code(request_id),
                    photos=[photo]).status == 200
    assert presign(near, request_id)[0] == 422  # completed: nothing more to add


@pytest.mark.parametrize("content_type", ["image/gif", "image/svg+xml", "application/pdf", "IMAGE/JPEG", ""])
def test_photos_are_jpeg_png_webp_or_heic_only(crew: Crew, near: Api, content_type: str) -> None:
    request_id = crew.started(near)
    status, body = presign(near, request_id, content_type)
    assert status == 400 and [e["field"] for e in body["errors"]] == ["content_type"]


def test_accepted_photo_types_each_get_a_key_with_their_extension(crew: Crew, near: Api) -> None:
    request_id = crew.started(near)
    for content_type, extension in (("image/jpeg", "jpg"), ("image/png", "png"), ("image/webp", "webp"),
                                    ("image/heic", "heic")):
        status, body = presign(near, request_id, content_type)
        assert status == 201 and body["upload"]["fields"]["key"].endswith(f".{extension}"), body


def test_a_photo_over_the_size_limit_is_422_and_one_at_the_limit_is_signed(crew: Crew, near: Api) -> None:
    request_id = crew.started(near)
    limit = DispatchSettings().photo_max_bytes
    status, body = presign(near, request_id, size_bytes=limit + 1)
    assert status == 422 and [e["field"] for e in body["errors"]] == ["size_bytes"]
    status, body = presign(near, request_id, size_bytes=limit)
    assert status == 201 and body["max_bytes"] == limit
    assert presign(near, request_id, size_bytes=0)[0] == 400


def test_completing_with_a_photo_that_never_arrived_is_422_and_changes_nothing(crew: Crew, near: Api) -> None:
    request_id = crew.started(near)
    code = crew.service_code(request_id)
    arrived = crew.upload_photo(request_id, near)
    signed_only = presign(near, request_id)[1]["photo_id"]  # signed, never uploaded
    before = crew.snapshot()
    reply = crew.act(request_id, near, "complete", service_code=code, photos=[arrived, signed_only, "ph_made_up"])
    assert reply.status == 422 and reply.is_problem
    assert reply.error_fields == ["photos[1]", "photos[2]"]
    assert crew.snapshot() == before
    assert crew.stored(request_id).status.value == "in_progress"


def test_a_photo_of_another_request_does_not_complete_this_one(crew: Crew, near: Api) -> None:
    this = crew.started(near)
    other = crew.started(near)
    photo = crew.upload_photo(other, near)
    reply = crew.act(this, near, "complete", service_code=crew.service_code(this), photos=[photo])
    assert reply.status == 422 and reply.error_fields == ["photos[0]"]
    assert crew.stored(this).status.value == "in_progress"


def test_an_object_stored_with_another_content_type_is_not_accepted_as_a_photo(crew: Crew, near: Api) -> None:
    request_id = crew.started(near)
    key = presign(near, request_id)[1]["upload"]["fields"]["key"]
    photo_id = key.rsplit("/", 1)[1].split(".")[0]
    aws_client("s3").put_object(Bucket=PHOTO_BUCKET, Key=key, Body=b"<html>",
                                ContentType="text/html")
    reply = crew.act(request_id, near, "complete", service_code=crew.service_code(request_id), photos=[photo_id])
    assert reply.status == 422 and reply.error_fields == ["photos[0]"]
    assert "not an accepted image" in reply.body["errors"][0]["message"]


# ── completing ──────────────────────────────────────────────────────────────────────────────

def test_completion_with_the_right_code_is_completed_and_not_flagged(crew: Crew, near: Api) -> None:
    assert crew.connect("c-ops", crew.ops) == 200
    assert crew.connect("c-cust", crew.customer) == 200
    request_id = crew.started(near)
    first, second = crew.upload_photo(request_id, near), crew.upload_photo(request_id, near, content_type="image/png")
    done = crew.act(request_id, near, "complete", service_code=f" {crew.service_code(request_id)} ",
                    photos=[first, second])
    assert done.status == 200 and done.body["status"] == "completed" and done.body["completed_at"]
    view = crew.ops_view(request_id)
    assert (view["status"], view["flagged"], view["flag_reason"]) == ("completed", False, None)
    assert [p.rsplit("/", 1)[1].split(".")[0] for p in view["photos"]] == [first, second]
    assert view["history"][-1]["kind"] == "completed" and view["history"][-1]["detail"] == "2 photo(s)"
    assert crew.pushed("c-ops", "alert.raised") == []
    assert crew.pushed("c-cust", "installation.status_changed")[-1]["data"]["status"] == "completed"
    assert crew.open_jobs("i-near") == 0
    assert near.get("/installer/dispatches").body["items"] == []
    assert [i["status"] for i in near.get("/installer/dispatches?status=all").body["items"]] == ["completed"]


def test_completion_without_the_code_is_flagged_for_a_follow_up_call(crew: Crew, near: Api) -> None:
    crew.connect("c-ops", crew.ops)
    request_id = crew.started(near)
    photo = crew.upload_photo(request_id, near)
    done = crew.act(request_id, near, "complete", photos=[photo])
    assert done.status == 200 and done.body["status"] == "completed", done.body
    view = crew.ops_view(request_id)
    assert (view["status"], view["flagged"], view["flag_reason"]) == ("completed", True, "service_code_missing")
    assert [h["kind"] for h in view["history"]][-2:] == ["completed", "flagged"]
    [alert] = crew.pushed("c-ops", "alert.raised")
    assert alert["data"]["kind"] == "completion_flagged"
    assert alert["data"]["installation"]["flag_reason"] == "service_code_missing"
    assert crew.open_jobs("i-near") == 0


@pytest.mark.parametrize("given", ["blank", "spaces"])
def test_a_blank_code_counts_as_missing(crew: Crew, near: Api, given: str) -> None:
    request_id = crew.started(near)
    photo = crew.upload_photo(request_id, near)
    code = "" if given == "blank" else "      "
    assert crew.act(request_id, near, "complete", service_code=code, photos=[photo]).status == 200
    assert crew.ops_view(request_id)["flag_reason"] == "service_code_missing"


def test_completion_with_a_wrong_code_is_flagged_as_wrong(crew: Crew, near: Api) -> None:
    crew.connect("c-ops", crew.ops)
    request_id = crew.started(near)
    code = crew.service_code(request_id)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    photo = crew.upload_photo(request_id, near)
    assert crew.act(request_id, near, "complete", service_code=wrong, photos=[photo]).status == 200
    view = crew.ops_view(request_id)
    assert (view["status"], view["flagged"], view["flag_reason"]) == ("completed", True, "service_code_wrong")
    assert [m["data"]["kind"] for m in crew.pushed("c-ops", "alert.raised")] == ["completion_flagged"]


def test_a_repeated_complete_gets_the_same_result_and_pushes_nothing_more(crew: Crew, near: Api) -> None:
    assert crew.connect("c-ops", crew.ops) == 200
    assert crew.connect("c-cust", crew.customer) == 200
    assert crew.connect("c-near", near) == 200
    request_id = crew.started(near)
    photo = crew.upload_photo(request_id, near)
    first = crew.act(request_id, near, "complete", photos=[photo])
    pushed = len(crew.world.push.sent)
    before = crew.snapshot()
    for again in (crew.act(request_id, near, "complete", photos=[photo]),
                  crew.act(request_id, near, "complete", photos=[photo], service_code=crew.service_code(request_id)),
                  crew.act(request_id, near, "complete", photos=["ph_gone"])):
        assert again.status == 200, again.body
        assert {k: v for k, v in again.body.items() if k != "server_time"} == {
            k: v for k, v in first.body.items() if k != "server_time"}
    assert len(crew.world.push.sent) == pushed
    assert crew.snapshot() == before
    assert crew.ops_view(request_id)["flag_reason"] == "service_code_missing"  # the first completion stands
    assert len(crew.pushed("c-ops", "alert.raised")) == 1


def test_repeated_confirm_and_start_taps_change_nothing(crew: Crew, near: Api) -> None:
    request_id = crew.requested()["installation_id"]
    crew.act(request_id, near, "confirm")
    code = crew.service_code(request_id)
    before = crew.snapshot()
    again = crew.act(request_id, near, "confirm")
    assert again.status == 200 and again.body["status"] == "confirmed"
    assert crew.snapshot() == before and crew.service_code(request_id) == code  # the code is not redrawn
    crew.act(request_id, near, "start")
    assert crew.act(request_id, near, "start").body["status"] == "in_progress"
    assert crew.act(request_id, near, "confirm").body["status"] == "in_progress"


def test_steps_cannot_be_skipped(crew: Crew, near: Api) -> None:
    request_id = crew.requested()["installation_id"]
    before = crew.snapshot()
    start = crew.act(request_id, near, "start")
    complete = crew.act(request_id, near, "complete", photos=["ph_1"])
    for reply in (start, complete):
        assert reply.status == 409 and reply.body["type"] == "/problems/invalid-transition", reply.body
    assert crew.snapshot() == before
    crew.act(request_id, near, "confirm")
    assert crew.act(request_id, near, "complete", photos=["ph_1"]).status == 409


# ── cancelling ──────────────────────────────────────────────────────────────────────────────

def test_a_customer_cancels_a_confirmed_request_and_the_installer_is_freed(crew: Crew, near: Api) -> None:
    crew.connect("c-near", near)
    request_id = crew.requested()["installation_id"]
    crew.act(request_id, near, "confirm")
    assert crew.open_jobs("i-near") == 1
    cancelled = crew.customer.post(f"/installations/{request_id}/cancel", {"reason": "bought elsewhere"})
    assert cancelled.status == 200 and cancelled.body["status"] == "cancelled" and cancelled.body["cancelled_at"]
    assert crew.open_jobs("i-near") == 0
    [ended] = crew.pushed("c-near", "dispatch.revoked")
    assert ended["data"] == {"installation_id": request_id, "attempt": 1, "reason": "cancelled"}
    seen = crew.customer.get(f"/installations/{request_id}").body
    assert (seen["installer"], seen["service_code"]) == (None, None)  # nobody is coming any more
    late = crew.act(request_id, near, "start")
    assert late.status == 409 and late.body["current_status"] == "cancelled", late.body
    assert near.get(f"/installer/dispatches/{request_id}").body["status"] == "cancelled"
    assert crew.ops_view(request_id)["history"][-1]["detail"] == "customer:u1: bought elsewhere"


def test_ops_cancel_an_installation_in_progress_and_the_installer_is_freed(crew: Crew, near: Api) -> None:
    request_id = crew.started(near)
    cancelled = crew.ops.post(f"/ops/installations/{request_id}/cancel")
    assert cancelled.status == 200 and cancelled.body["status"] == "cancelled"
    assert crew.open_jobs("i-near") == 0
    assert crew.stored(request_id).wake_at is None
    again = crew.ops.post(f"/ops/installations/{request_id}/cancel", {"reason": "twice"})
    assert again.status == 200 and again.body["history"] == cancelled.body["history"]  # a repeat changes nothing
    assert crew.open_jobs("i-near") == 0


def test_cancelling_a_waiting_request_stops_its_retries(crew: Crew) -> None:
    request_id = crew.requested()["installation_id"]
    assert crew.stored(request_id).wake_at is not None
    assert crew.customer.post(f"/installations/{request_id}/cancel").status == 200
    stored = crew.stored(request_id)
    assert stored.status.value == "cancelled" and stored.wake_at is None
    crew.hire("i-near", NEAR)
    assert crew.stored(request_id).status.value == "cancelled" and crew.open_jobs("i-near") == 0


def test_a_cancelled_dispatch_frees_room_for_a_waiting_request(crew: Crew) -> None:
    busy = crew.hire("i-near", NEAR, max_open_jobs=1)
    first = crew.requested()["installation_id"]
    waiting = crew.requested()["installation_id"]
    assert crew.stored(waiting).status.value == "pending"
    crew.act(first, busy, "confirm")
    assert crew.ops.post(f"/ops/installations/{first}/cancel", {"reason": "duplicate"}).status == 200
    assert crew.stored(waiting).installer_id == "i-near" and crew.open_jobs("i-near") == 1


def test_a_completed_installation_cannot_be_cancelled(crew: Crew, near: Api) -> None:
    request_id = crew.started(near)
    photo = crew.upload_photo(request_id, near)
    crew.act(request_id, near, "complete", service_code=crew.service_code(request_id), photos=[photo])
    before = crew.snapshot()
    for reply in (crew.customer.post(f"/installations/{request_id}/cancel"),
                  crew.ops.post(f"/ops/installations/{request_id}/cancel")):
        assert reply.status == 409 and reply.body["type"] == "/problems/invalid-transition", reply.body
    assert crew.snapshot() == before
