"""Who sees what of an installation request: an installer only their own dispatches (and, once it
lapsed, only that it ended), a customer only their own requests (installer and service code once
confirmed), ops everything but the service code."""

from __future__ import annotations

from typing import Any

from tests.documents import member_names
from tests.functional.crew import FAR, NEAR, Crew


def values(tree: Any) -> list[Any]:
    """Every scalar anywhere in a JSON document."""
    if isinstance(tree, dict):
        return [v for value in tree.values() for v in values(value)]
    if isinstance(tree, list):
        return [v for value in tree for v in values(value)]
    return [tree]



def never_shows(document: Any, code: str) -> None:
    assert "service_code" not in member_names(document), document
    assert code not in values(document), document


def test_another_installers_dispatch_is_not_found_and_stays_untouched(crew: Crew) -> None:
    near, far = crew.hire("i-near", NEAR), crew.hire("i-far", FAR)
    request_id = crew.requested()["installation_id"]
    before = crew.snapshot()
    for reply in (far.get(f"/installer/dispatches/{request_id}"), far.get(f"/installations/{request_id}"),
                  crew.act(request_id, far, "confirm"), crew.act(request_id, far, "start"),
                  crew.act(request_id, far, "complete", photos=["ph_1"]),
                  far.post(f"/installer/dispatches/{request_id}/photos",
                           {"content_type": "image/jpeg", "size_bytes": 10})):
        assert reply.status == 404 and reply.is_problem and reply.body["type"] == "/problems/not-found", reply.body
    assert crew.snapshot() == before
    assert far.get("/installer/dispatches?status=all").body["items"] == []
    assert [i["installation_id"] for i in near.get("/installer/dispatches").body["items"]] == [request_id]


def test_only_installers_read_a_dispatch_the_others_read_the_request(crew: Crew) -> None:
    crew.hire("i-near", NEAR)
    request_id = crew.requested()["installation_id"]
    for who in (crew.customer, crew.ops):
        reply = who.get(f"/installer/dispatches/{request_id}")
        assert reply.status == 403 and reply.is_problem, reply.body
        assert who.get(f"/installations/{request_id}").status == 200


def test_a_foreign_dispatch_and_a_missing_one_look_the_same(crew: Crew) -> None:
    crew.hire("i-near", NEAR)
    far = crew.hire("i-far", FAR)
    request_id = crew.requested()["installation_id"]
    foreign, missing = far.get(f"/installer/dispatches/{request_id}"), far.get("/installer/dispatches/ins_missing")
    assert (foreign.status, foreign.body["title"]) == (missing.status, missing.body["title"])


def test_a_lapsed_installer_sees_only_that_the_dispatch_was_revoked(crew: Crew) -> None:
    near = crew.hire("i-near", NEAR)
    crew.hire("i-far", FAR)
    request_id = crew.requested()["installation_id"]
    crew.fire(request_id)
    crew.fire(request_id)
    assert crew.stored(request_id).installer_id == "i-far"

    seen = near.get(f"/installer/dispatches/{request_id}")
    assert seen.status == 200
    assert set(seen.body) == {"installation_id", "status", "server_time"} and seen.body["status"] == "revoked"
    assert near.get(f"/installations/{request_id}").body == {**seen.body, "server_time": seen.body["server_time"]}
    # the lists are of the installer's current dispatches: a lapsed one is in neither
    for scope in ("open", "all"):
        assert near.get(f"/installer/dispatches?status={scope}").body["items"] == []


def test_a_lapsed_installer_gets_409_on_every_action_and_changes_nothing(crew: Crew) -> None:
    near = crew.hire("i-near", NEAR)
    far = crew.hire("i-far", FAR)
    request_id = crew.requested()["installation_id"]
    crew.fire(request_id)
    crew.fire(request_id)
    assert crew.act(request_id, far, "confirm").status == 200
    assert crew.act(request_id, far, "start").status == 200
    photo = crew.upload_photo(request_id, far)
    before = crew.snapshot()
    for action, fields in (("confirm", {}), ("start", {}), ("complete", {"photos": [photo]}),
                           ("complete", {"photos": ["ph_never_uploaded"], "service_code": "123456"})):
        reply = crew.act(request_id, near, action, **fields)
        assert reply.status == 409 and reply.body["type"] == "/problems/dispatch-revoked", (action, fields, reply.body)
    upload = near.post(f"/installer/dispatches/{request_id}/photos", {"content_type": "image/jpeg", "size_bytes": 10})
    assert upload.status in (409, 422) and upload.is_problem
    assert crew.snapshot() == before


def test_an_installer_replaced_by_a_manager_sees_the_dispatch_revoked(crew: Crew) -> None:
    near = crew.hire("i-near", NEAR)
    crew.hire("i-far", FAR)
    request_id = crew.requested()["installation_id"]
    assert crew.ops.post(f"/ops/installations/{request_id}/assign",
                         {"installer_id": "i-far", "attempt": 1}).status == 200
    assert near.get(f"/installer/dispatches/{request_id}").body["status"] == "revoked"
    assert crew.act(request_id, near, "confirm").body["type"] == "/problems/dispatch-revoked"


def test_a_customer_sees_only_their_own_requests(crew: Crew) -> None:
    crew.hire("i-near", NEAR)
    mine = crew.requested()["installation_id"]
    crew.advance(1)
    theirs = crew.requested(customer_id="u2")["installation_id"]
    crew.advance(1)
    newer = crew.request(crew.request_body(customer_id=None), by=crew.customer).body["installation_id"]
    stranger = crew.party("customer", "u2")

    assert [i["installation_id"] for i in crew.customer.get("/installations").body["items"]] == [newer, mine]
    assert [i["installation_id"] for i in stranger.get("/installations").body["items"]] == [theirs]
    before = crew.snapshot()
    for reply in (stranger.get(f"/installations/{mine}"), stranger.post(f"/installations/{mine}/cancel"),
                  crew.customer.get(f"/installations/{theirs}"),
                  crew.customer.post(f"/installations/{theirs}/cancel", {"reason": "not mine"})):
        assert reply.status == 404 and reply.is_problem, reply.body
    assert crew.snapshot() == before


def test_the_customer_sees_the_installer_and_the_service_code_only_once_confirmed(crew: Crew) -> None:
    near = crew.hire("i-near", NEAR, photo_url="https://img.example/i-near.jpg")
    crew.connect("c-cust", crew.customer)
    request_id = crew.requested()["installation_id"]
    crew.fire(request_id)  # reminded: still nobody to show
    before = crew.customer.get(f"/installations/{request_id}").body
    assert (before["status"], before["installer"], before["service_code"]) == ("reminded", None, None)
    assert all(m["data"]["installer"] is None and m["data"]["service_code"] is None
               for m in crew.pushed("c-cust", "installation.status_changed"))

    assert crew.act(request_id, near, "confirm").status == 200
    after = crew.customer.get(f"/installations/{request_id}").body
    assert after["installer"] == {"installer_id": "i-near", "name": "Installer i-near", "phone": "+86 138 0000 0000",
                                  "photo_url": "https://img.example/i-near.jpg"}
    code = after["service_code"]
    assert isinstance(code, str) and len(code) == 6 and code.isdigit()
    pushed = crew.pushed("c-cust", "installation.status_changed")[-1]["data"]
    assert (pushed["status"], pushed["service_code"], pushed["installer"]) == ("confirmed", code, after["installer"])
    assert crew.act(request_id, near, "start").status == 200
    assert crew.customer.get(f"/installations/{request_id}").body["service_code"] == code  # issued once


def test_installers_never_see_the_service_code(crew: Crew) -> None:
    near = crew.hire("i-near", NEAR)
    crew.connect("c-near", near)
    request_id = crew.requested()["installation_id"]
    crew.fire(request_id)
    confirmed = crew.act(request_id, near, "confirm")
    code = crew.service_code(request_id)
    started = crew.act(request_id, near, "start")
    crew.list_pending("c-near")
    documents = [confirmed.body, started.body, near.get(f"/installer/dispatches/{request_id}").body,
                 near.get(f"/installations/{request_id}").body, near.get("/installer/dispatches?status=all").body,
                 *crew.pushed("c-near")]
    assert len(crew.pushed("c-near")) >= 3  # created, reminded, listed
    for document in documents:
        never_shows(document, code)


def test_ops_views_never_include_the_service_code(crew: Crew) -> None:
    near = crew.hire("i-near", NEAR)
    crew.connect("c-ops", crew.ops)
    request_id = crew.requested()["installation_id"]
    assert crew.act(request_id, near, "confirm").status == 200
    code = crew.service_code(request_id)
    assert crew.act(request_id, near, "start").status == 200
    photo = crew.upload_photo(request_id, near)
    assert crew.act(request_id, near, "complete", service_code="999999" if code != "999999" else "000000",
                    photos=[photo]).status == 200  # flagged: an alert to ops too
    view = crew.ops_view(request_id)
    assert view["service_code_issued"] is True and view["flag_reason"] == "service_code_wrong"
    documents = [view, crew.ops.get(f"/installations/{request_id}").body, crew.ops.get("/ops/installations").body,
                 crew.ops.get("/ops/installations?flagged=true").body, *crew.pushed("c-ops")]
    assert crew.pushed("c-ops", "alert.raised")
    for document in documents:
        never_shows(document, code)


def test_an_installer_reads_their_own_ledger_but_not_anothers(crew: Crew) -> None:
    near = crew.hire("i-near", NEAR)
    far = crew.hire("i-far", FAR)
    request_id = crew.requested()["installation_id"]
    crew.fire(request_id)  # i-near is deducted
    mine = near.get("/installer/ledger")
    assert mine.status == 200 and [e["installation_id"] for e in mine.body["items"]] == [request_id]
    assert near.get("/installers/i-near/ledger").body["items"] == mine.body["items"]
    assert near.get("/installer/me").body["installer_id"] == "i-near"
    for reply in (far.get("/installers/i-near/ledger"), far.get("/installers/i-near")):
        assert reply.status == 404 and reply.is_problem, reply.body
    assert far.get("/installer/ledger").body["items"] == []


def test_installers_and_customers_cannot_use_the_console(crew: Crew) -> None:
    near = crew.hire("i-near", NEAR)
    request_id = crew.requested()["installation_id"]
    before = crew.snapshot()
    for api in (near, crew.customer):
        for reply in (api.get("/ops/installations"), api.get(f"/ops/installations/{request_id}"),
                      api.get("/ops/installations?installer_id=i-near"), api.get("/areas"),
                      api.get("/installers"), api.post(f"/ops/installations/{request_id}/cancel"),
                      api.post(f"/ops/installations/{request_id}/assign", {"installer_id": "i-near", "attempt": 1})):
            assert reply.status == 403 and reply.is_problem, reply.body
    assert crew.snapshot() == before


def test_the_customer_of_a_request_cannot_read_an_installers_profile_or_ledger(crew: Crew) -> None:
    crew.hire("i-near", NEAR)
    crew.requested()
    for path in ("/installers/i-near", "/installers/i-near/ledger"):
        reply = crew.customer.get(path)
        assert reply.status in (403, 404) and reply.is_problem, (path, reply.body)
