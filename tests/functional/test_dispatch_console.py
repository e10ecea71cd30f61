"""The management console: every request with filters and pages, each one's full history, the
installers' ledgers, and area periods that steer what comes next. (Deactivation and the areas'
defaults are unit-tested on fakes: tests/unit/test_workforce.py and
test_installation_service.py.)"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalicelib.core.timefmt import iso
from tests.functional.api import Api
from tests.functional.crew import FAR, NEAR, Crew


def ids(reply_body: dict[str, Any]) -> set[str]:
    return {item["installation_id"] for item in reply_body["items"]}


def every_page(api: Api, path: str, limit: int) -> tuple[list[str], int]:
    """All ids of a list, page by page, and the number of pages it took."""
    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        sep = "&" if "?" in path else "?"
        reply = api.get(f"{path}{sep}limit={limit}" + (f"&next_token={token}" if token else ""))
        assert reply.status == 200, reply.body
        assert len(reply.body["items"]) <= limit
        seen += [item["installation_id"] for item in reply.body["items"]]
        pages += 1
        token = reply.body["next_token"]
        if not token:
            return seen, pages
        assert pages < 50, "the list never ends"


def finish(crew: Crew, request_id: str, by: Api, code: str | None) -> None:
    for action in ("confirm", "start"):
        assert crew.act(request_id, by, action).status == 200
    photo = crew.upload_photo(request_id, by)
    fields: dict[str, Any] = {"photos": [photo]}
    if code == "right":
        fields["service_code"] = crew.service_code(request_id)
    assert crew.act(request_id, by, "complete", **fields).status == 200


def test_the_console_filters_requests_by_status_area_installer_flag_and_revocation(crew: Crew) -> None:
    crew.area("south")
    crew.area("east")
    near = crew.hire("i-near", NEAR)
    crew.hire("i-far", FAR)
    crew.hire("i-south", NEAR, areas=("south",))
    done = crew.requested()["installation_id"]
    finish(crew, done, near, "right")
    flagged = crew.requested()["installation_id"]
    finish(crew, flagged, near, None)
    revoked = crew.requested()["installation_id"]
    assert crew.stored(revoked).installer_id == "i-near"
    crew.fire(revoked)
    crew.fire(revoked)  # now dispatched to i-far
    waiting = crew.requested(area_id="east")["installation_id"]
    south = crew.requested(area_id="south")["installation_id"]
    cancelled = crew.requested()["installation_id"]
    assert crew.customer.post(f"/installations/{cancelled}/cancel").status == 200
    everything = {done, flagged, revoked, waiting, south, cancelled}

    expected = {
        "": everything,
        "status=completed": {done, flagged},
        "status=dispatched": {revoked, south},
        "status=pending": {waiting},
        "status=cancelled": {cancelled},
        "status=confirmed": set(),
        "area_id=north": {done, flagged, revoked, cancelled},
        "area_id=south": {south},
        "area_id=east": {waiting},
        "area_id=west": set(),
        "area_id=east&status=pending": {waiting},
        "area_id=north&status=pending": set(),
        "area_id=north&status=completed": {done, flagged},
        "installer_id=i-near": {done, flagged, cancelled},
        "installer_id=i-far": {revoked},
        "installer_id=i-south": {south},
        "installer_id=i-near&status=completed": {done, flagged},
        "installer_id=i-near&flagged=true": {flagged},
        "flagged=true": {flagged},
        "flagged=false": everything - {flagged},
        "revoked=true": {revoked},
        "revoked=false": everything - {revoked},
        "revoked=true&installer_id=i-near": set(),
        "area_id=north&flagged=false&status=completed": {done},
        "area_id=north&revoked=true": {revoked},
    }
    for query, wanted in expected.items():
        reply = crew.ops.get(f"/ops/installations?{query}&limit=100")
        assert reply.status == 200, (query, reply.body)
        assert ids(reply.body) == wanted, query
        assert reply.body["next_token"] is None and reply.body["server_time"]
    view = {i["installation_id"]: i for i in crew.ops.get("/ops/installations?flagged=true").body["items"]}[flagged]
    assert (view["flag_reason"], view["customer_id"], view["area_id"]) == ("service_code_missing", "u1", "north")


def test_console_lists_are_paginated_without_losing_or_repeating_a_request(crew: Crew) -> None:
    crew.area("east")
    north = [crew.requested()["installation_id"] for _ in range(5)]
    east = []
    for _ in range(3):
        crew.advance(1)
        east.append(crew.requested(area_id="east")["installation_id"])

    for path, wanted, limit in (("/ops/installations", north + east, 3), ("/ops/installations?area_id=north", north, 2),
                                ("/ops/installations?status=pending&area_id=east", east, 1),
                                ("/ops/installations?status=pending", north + east, 4)):
        seen, pages = every_page(crew.ops, path, limit)
        assert len(seen) == len(set(seen)), path
        assert set(seen) == set(wanted), path
        assert pages >= len(wanted) // limit, path
    seen, _ = every_page(crew.ops, "/ops/installations?area_id=east", 2)
    assert seen == list(reversed(east))  # an area's requests come newest first
    seen, _ = every_page(crew.ops, "/ops/installations?status=pending&area_id=east", 2)
    assert seen == east  # waiting requests come oldest first: the order they are offered in


def test_the_default_and_largest_page_sizes(crew: Crew) -> None:
    crew.hire("i-near", NEAR, max_open_jobs=50)
    template = crew.stored(crew.requested()["installation_id"])
    store = crew.world.dispatch.installations.store
    for n in range(21):  # copies straight into the table: the lists are what is tested here
        store.insert(replace(template, id=f"ins_copy_{n:02d}", created_at=template.created_at + n), None)
    first = crew.ops.get("/ops/installations?installer_id=i-near")
    assert len(first.body["items"]) == 20 and first.body["next_token"]
    assert len(crew.ops.get("/ops/installations?installer_id=i-near&limit=100").body["items"]) == 22


def test_a_request_shows_its_full_history_across_dispatches(crew: Crew) -> None:
    near, far = crew.hire("i-near", NEAR), crew.hire("i-far", FAR)
    created_at = crew.world.clock.now_ms()
    request_id = crew.requested()["installation_id"]
    crew.fire(request_id)
    reminded_at = crew.world.clock.now_ms()
    crew.fire(request_id)
    revoked_at = crew.world.clock.now_ms()
    crew.advance(30)
    crew.act(request_id, far, "confirm")
    crew.advance(3600)
    crew.act(request_id, far, "start")
    crew.advance(5400)
    photo = crew.upload_photo(request_id, far)
    crew.act(request_id, far, "complete", service_code=crew.service_code(request_id), photos=[photo])

    view = crew.ops_view(request_id)
    history = [(h["kind"], h["attempt"], h["installer_id"]) for h in view["history"]]
    assert history == [
        ("created", 0, None),
        ("dispatched", 1, "i-near"),
        ("reminded", 1, "i-near"),
        ("deducted", 1, "i-near"),
        ("revoked", 1, "i-near"),
        ("dispatched", 2, "i-far"),
        ("confirmed", 2, "i-far"),
        ("started", 2, "i-far"),
        ("completed", 2, "i-far"),
    ]
    at = [h["at"] for h in view["history"]]
    assert at == sorted(at)
    assert at[:6] == [iso(created_at), iso(created_at), iso(reminded_at), iso(reminded_at), iso(revoked_at),
                      iso(revoked_at)]
    assert view["history"][3]["detail"] == "500 CNY"
    assert view["history"][0]["detail"] == "ops"
    assert (view["attempt"], view["revocations"], view["lapsed_installers"]) == (2, 1, ["i-near"])
    assert (view["created_by"], view["confirmed_at"], view["started_at"]) == (
        "ops:ops-1", at[6], at[7])
    assert near.get(f"/installer/dispatches/{request_id}").body["status"] == "revoked"


def test_each_installer_has_their_own_ledger_of_deductions(crew: Crew) -> None:
    near, far = crew.hire("i-near", NEAR), crew.hire("i-far", FAR)
    first = crew.requested()["installation_id"]
    crew.fire(first)  # i-near deducted
    crew.fire(first)  # revoked → i-far
    crew.fire(first)  # i-far deducted
    crew.advance(60)
    second = crew.requested()["installation_id"]
    assert crew.stored(second).installer_id == "i-near"
    crew.fire(second)  # i-near deducted again

    near_ledger = crew.ops.get("/installers/i-near/ledger").body["items"]
    assert [(e["installation_id"], e["attempt"]) for e in near_ledger] == [(second, 1), (first, 1)]  # newest first
    assert all(e["amount"] == {"amount": 500, "currency": "CNY"} and e["reason"] == "late_confirmation"
               and e["installer_id"] == "i-near" for e in near_ledger)
    far_ledger = crew.ops.get("/installers/i-far/ledger").body["items"]
    assert [(e["installation_id"], e["attempt"]) for e in far_ledger] == [(first, 2)]
    assert near.get("/installer/ledger").body["items"] == near_ledger
    assert far.get("/installer/ledger").body["items"] == far_ledger
    paged = crew.ops.get("/installers/i-near/ledger?limit=1").body
    assert len(paged["items"]) == 1 and paged["next_token"]
    rest = crew.ops.get(f"/installers/i-near/ledger?limit=1&next_token={paged['next_token']}").body
    assert paged["items"] + rest["items"] == near_ledger


def test_an_area_without_a_deduction_reminds_but_deducts_nothing(crew: Crew) -> None:
    crew.area("free", deduction=None)
    crew.area("dear", deduction={"amount": 1250, "currency": "CNY"})
    app = crew.hire("i-near", NEAR, areas=("free", "dear"))
    crew.connect("c-near", app)
    free = crew.requested(area_id="free")["installation_id"]
    crew.fire(free)
    assert crew.stored(free).status.value == "reminded" and "deducted" not in crew.history(free)
    assert crew.pushed("c-near", "dispatch.reminded")[0]["data"]["deduction"] is None
    dear = crew.requested(area_id="dear")["installation_id"]
    crew.fire(dear)
    ledger = crew.ops.get("/installers/i-near/ledger").body["items"]
    assert [(e["installation_id"], e["amount"]["amount"]) for e in ledger] == [(dear, 1250)]


def test_changing_an_areas_periods_applies_to_new_dispatches_only(crew: Crew) -> None:
    crew.hire("i-near", NEAR)
    crew.hire("i-far", FAR)
    running = crew.requested()["installation_id"]
    start = crew.world.clock.now_ms()
    patched = crew.ops.patch("/areas/north", {"remind_after_s": 60, "revoke_after_s": 120,
                                              "deduction": {"amount": 100, "currency": "CNY"}})
    assert patched.status == 200, patched.body
    assert (patched.body["remind_after_s"], patched.body["revoke_after_s"]) == (60, 120)
    assert crew.ops.get("/areas/north").body == patched.body

    crew.advance(61)
    kept = crew.ops_view(running)
    assert kept["status"] == "dispatched"
    assert kept["assignment"]["remind_at"] == iso(start + 600_000)
    assert kept["assignment"]["deduction"] == {"amount": 500, "currency": "CNY"}

    fresh = crew.requested()
    now = crew.world.clock.now_ms()
    assert fresh["assignment"]["remind_at"] == iso(now + 60_000)
    assert fresh["confirm_deadline"] == iso(now + 180_000)
    assert fresh["assignment"]["deduction"] == {"amount": 100, "currency": "CNY"}

    crew.fire(running)  # reminded with the 5.00 it was dispatched with
    assert crew.ops.get("/installers/i-near/ledger").body["items"][0]["amount"]["amount"] == 500
    crew.fire(running)  # revoked: its next dispatch takes the area's current periods
    again = crew.ops_view(running)
    now = crew.world.clock.now_ms()
    assert again["attempt"] == 2 and again["assignment"]["remind_at"] == iso(now + 60_000)


def test_changing_an_installers_areas_moves_their_coverage_and_the_choice_follows(crew: Crew) -> None:
    crew.area("south")
    crew.hire("i-a", NEAR)
    crew.hire("i-b", FAR, areas=("south",))
    assert [i["installer_id"] for i in crew.ops.get("/installers?area_id=north").body["items"]] == ["i-a"]

    moved = crew.ops.patch("/installers/i-a", {"areas": ["south"]})
    assert moved.status == 200 and moved.body["areas"] == ["south"]
    assert crew.ops.get("/installers?area_id=north").body["items"] == []
    assert {i["installer_id"] for i in crew.ops.get("/installers?area_id=south").body["items"]} == {"i-a", "i-b"}

    north = crew.requested()["installation_id"]
    assert crew.stored(north).status.value == "pending"  # nobody covers north any more
    south = crew.requested(area_id="south")["installation_id"]
    assert crew.stored(south).installer_id == "i-a"  # 1 km beats 8 km

    assert crew.ops.patch("/installers/i-a", {"areas": ["south", "north"]}).status == 200
    assert crew.stored(north).installer_id == "i-a"  # covering north again picks up the waiting request
    assert crew.open_jobs("i-a") == 2


def test_ops_list_areas_and_installers(crew: Crew) -> None:
    crew.area("south")
    crew.hire("i-a", NEAR)
    crew.hire("i-b", FAR, areas=("north", "south"))
    areas = crew.ops.get("/areas").body["items"]
    assert {a["area_id"] for a in areas} == {"north", "south"}
    north = next(a for a in areas if a["area_id"] == "north")
    assert (north["remind_after_s"], north["revoke_after_s"], north["deduction"]) == (
        600, 1200, {"amount": 500, "currency": "CNY"})
    installers = {i["installer_id"]: i for i in crew.ops.get("/installers").body["items"]}
    assert set(installers) == {"i-a", "i-b"}
    assert installers["i-b"]["areas"] == ["north", "south"]
    assert installers["i-a"]["location"]["lat"] == NEAR[0]
    page = crew.ops.get("/installers?limit=1").body
    assert len(page["items"]) == 1 and page["next_token"]


