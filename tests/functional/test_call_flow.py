"""Workflow 05's calls through the app, on a fake clock: a call rings every terminal of the
merchant until its ring deadline (or fails at once when none is connected); the first terminal to
answer takes it; signals go between the two terminals of a connected call and nowhere else; the
customer's typing reaches the answering console field by field, never older over newer; a
terminal that reconnects resumes; a call whose terminals both vanished ends."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client

from tests.conftest import World
from tests.functional.calls import BACK_OFFICE, COLLEAGUE, COUNTER, PHONE, START, CallDesk
from tests.race import at_once

OFFER = {"type": "offer", "sdp": "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"}
ANSWER = {"type": "answer", "sdp": "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\n"}
CANDIDATE = {"type": "candidate", "candidate": "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host",
             "sdpMid": "0", "sdpMLineIndex": 0}


@pytest.fixture
def desk(world: World, client: Client) -> CallDesk:
    opened = CallDesk(world, client)
    opened.open()
    opened.terminals()
    return opened


# ── ringing ─────────────────────────────────────────────────────────────────────────────────

def test_a_call_to_a_merchant_with_no_terminal_connected_fails_at_once_and_rings_nothing(
        world: World, client: Client) -> None:
    desk = CallDesk(world, client)
    desk.open()
    assert desk.connect(PHONE, desk.customer) == 200
    refused = desk.place()
    assert refused.status == 409 and refused.is_problem
    assert refused.body["type"] == "/problems/merchant-offline"
    assert desk.snapshot()["calls"] == []
    assert desk.queued() == []


def test_a_call_rings_every_terminal_of_the_merchant_with_its_ring_deadline(desk: CallDesk) -> None:
    call = desk.ringing()
    assert call["status"] == "ringing" and call["remaining_ms"] == 30_000 and call["you"] == "customer"
    for console in (COUNTER, BACK_OFFICE, COLLEAGUE):
        [rung] = desk.data(console, "call.ringing")
        assert rung["call_id"] == call["call_id"] and rung["ring_deadline"] == call["ring_deadline"]
    assert desk.data(PHONE, "call.ringing") == []


def test_an_unanswered_call_is_missed_at_its_deadline_and_the_customer_is_told_once(desk: CallDesk) -> None:
    call = desk.ringing()
    desk.at(START + 29_999)
    assert desk.get(call)["status"] == "ringing"
    desk.at(START + 30_000)
    [told] = desk.data(PHONE, "call.status_changed")
    assert (told["status"], told["previous_status"], told["cause"]) == ("missed", "ringing", "ring_deadline_elapsed")
    assert [m["status"] for m in desk.data(COUNTER, "call.status_changed")] == ["missed"]  # stop ringing
    desk.deliver(desk.queued())  # nothing left to fire; a duplicate of the alarm changes nothing
    assert len(desk.data(PHONE, "call.status_changed")) == 1


def test_the_merchants_ring_deadline_is_its_own(desk: CallDesk) -> None:
    assert desk.staff.get("/merchant/call-settings").body == {"ring_s": 30}
    assert desk.staff.put("/merchant/call-settings", {"ring_s": 5}).body == {"ring_s": 5}
    assert desk.ringing()["remaining_ms"] == 5_000
    refused = desk.staff.put("/merchant/call-settings", {"ring_s": 121})
    assert refused.status == 400 and refused.error_fields == ["ring_s"]


# ── answering ───────────────────────────────────────────────────────────────────────────────

def test_the_first_terminal_to_answer_takes_the_call_and_the_others_stop_ringing(desk: CallDesk) -> None:
    call = desk.ringing()
    answered = desk.answer(call, COUNTER)
    assert answered.status == 200 and answered.body["status"] == "connected"
    assert answered.body["you"] == "merchant" and answered.body["ice_servers"] == []  # loopback needs none
    for other in (BACK_OFFICE, COLLEAGUE):
        assert [m["call_id"] for m in desk.data(other, "call.answered_elsewhere")] == [call["call_id"]]
    assert desk.data(COUNTER, "call.answered_elsewhere") == []
    [connected] = desk.data(PHONE, "call.connected")
    assert connected["status"] == "connected" and connected["you"] == "customer"

    second = desk.answer(call, BACK_OFFICE)
    assert second.status == 409 and second.body["type"] == "/problems/call-not-ringing"
    assert second.body["current_status"] == "connected"


def test_of_two_terminals_answering_at_once_exactly_one_takes_the_call(desk: CallDesk) -> None:
    call = desk.ringing()
    replies = at_once(2, lambda n: desk.answer(call, (COUNTER, BACK_OFFICE)[n]))
    assert sorted(r.status for r in replies) == [200, 409]
    winner = COUNTER if replies[0].status == 200 else BACK_OFFICE
    assert desk.get(call)["status"] == "connected"
    desk.signal(PHONE, call, OFFER)
    assert [m["payload"] for m in desk.data(winner, "call.signalled")] == [OFFER]


def test_an_answer_after_the_ring_deadline_is_refused_even_before_the_alarm_fires(desk: CallDesk) -> None:
    call = desk.ringing()
    desk.world.clock.set(START + 30_000)
    late = desk.answer(call)
    assert late.status == 409 and late.body["current_status"] == "missed"
    assert desk.get(call)["status"] == "missed"
    assert [m["status"] for m in desk.data(PHONE, "call.status_changed")] == ["missed"]


@pytest.mark.parametrize(("who", "path", "status", "cause"), [
    ("staff", "/merchant/calls/{}/decline", "declined", "declined_by_merchant"),
    ("customer", "/calls/{}/cancel", "cancelled", "cancelled_by_customer"),
])
def test_a_ringing_call_is_declined_or_cancelled_and_both_sides_are_told(desk: CallDesk, who: str, path: str,
                                                                       status: str, cause: str) -> None:
    call = desk.ringing()
    done = getattr(desk, who).post(path.format(call["call_id"]))
    assert done.status == 200 and done.body["status"] == status
    for terminal in (PHONE, COUNTER, BACK_OFFICE):
        assert [(m["status"], m["cause"]) for m in desk.data(terminal, "call.status_changed")] == [(status, cause)]
    assert desk.answer(call).status == 409
    assert getattr(desk, who).post(path.format(call["call_id"])).status == 200  # again: no change


# ── signalling ──────────────────────────────────────────────────────────────────────────────

def test_signals_go_between_the_two_terminals_of_the_call_and_nowhere_else(desk: CallDesk) -> None:
    call = desk.connected()
    desk.signal(PHONE, call, OFFER)
    desk.signal(COUNTER, call, ANSWER)
    desk.signal(COUNTER, call, CANDIDATE)
    assert [(m["from"], m["payload"]) for m in desk.data(COUNTER, "call.signalled")] == [("customer", OFFER)]
    assert [(m["from"], m["payload"]) for m in desk.data(PHONE, "call.signalled")] == [("merchant", ANSWER),
                                                                                   ("merchant", CANDIDATE)]
    for bystander in (BACK_OFFICE, COLLEAGUE):
        assert desk.data(bystander, "call.signalled") == []


@pytest.mark.parametrize("intruder", [BACK_OFFICE, COLLEAGUE, "ws-stranger"])
def test_a_terminal_that_is_not_in_the_call_cannot_inject_signals(desk: CallDesk, intruder: str) -> None:
    if intruder == "ws-stranger":
        assert desk.connect(intruder, desk.other_customer) == 200
    call = desk.connected()
    desk.signal(intruder, call, OFFER)
    [error] = desk.errors(intruder)
    assert error["problem"] == "not-a-party" and error["action"] == "call.signal"
    assert desk.data(PHONE, "call.signalled") == [] and desk.data(COUNTER, "call.signalled") == []


def test_a_signal_for_a_call_that_does_not_exist_is_answered_like_one_not_ours(desk: CallDesk) -> None:
    desk.signal(PHONE, "cal_nope", OFFER)
    assert [e["problem"] for e in desk.errors(PHONE)] == ["not-a-party"]


def test_signals_while_ringing_or_after_hanging_up_are_refused(desk: CallDesk) -> None:
    call = desk.ringing()
    desk.signal(PHONE, call, OFFER)
    desk.answer(call)
    assert desk.customer.post(f"/calls/{call['call_id']}/hangup").body["status"] == "ended"
    desk.signal(PHONE, call, OFFER)
    desk.signal(COUNTER, call, CANDIDATE)
    assert [e["problem"] for e in desk.errors(PHONE)] == ["call-not-connected", "call-not-connected"]
    assert [e["problem"] for e in desk.errors(COUNTER)] == ["call-not-connected"]
    assert desk.data(COUNTER, "call.signalled") == [] and desk.data(PHONE, "call.signalled") == []


@pytest.mark.parametrize("message", [
    {"action": "call.signal", "call_id": "cal_x"},
    {"action": "call.signal", "payload": {"type": "offer", "sdp": "v=0"}},
    {"action": "call.signal", "call_id": 5, "payload": {"type": "offer", "sdp": "v=0"}},
    {"action": "call.signal", "call_id": "cal_x", "payload": {"type": "offer", "sdp": "v=0", "x": 1}},
    {"action": "call.signal", "call_id": "cal_x", "payload": {"type": "candidate", "candidate": "c" * 2000}},
    {"action": "call.signal", "call_id": "../etc", "payload": {"type": "offer", "sdp": "v=0"}},
])
def test_a_malformed_signal_is_refused_with_a_reason(desk: CallDesk, message: dict[str, Any]) -> None:
    call = desk.connected()
    if message.get("call_id") == "cal_x":
        message = {**message, "call_id": call["call_id"]}
    desk.send(PHONE, message)
    [error] = desk.errors(PHONE)
    assert error["problem"] == "malformed-signal" and error["detail"]
    assert desk.data(COUNTER, "call.signalled") == []


def test_a_signal_to_a_terminal_that_is_gone_tells_the_sender(desk: CallDesk) -> None:
    call = desk.connected()
    desk.world.push.gone.add(COUNTER)
    desk.signal(PHONE, call, OFFER)
    assert [e["problem"] for e in desk.errors(PHONE)] == ["peer-gone"]


# ── details ─────────────────────────────────────────────────────────────────────────────────

def test_the_merchant_asks_for_details_and_the_customers_typing_reaches_its_console_newest_first(
        desk: CallDesk) -> None:
    call = desk.connected()
    asked = desk.staff.post(f"/merchant/calls/{call['call_id']}/details-request")
    assert asked.status == 200 and asked.body["details_requested_at"]
    [request] = desk.data(PHONE, "details.requested")
    assert request["fields"] == ["content", "price_proposal", "when", "address"]

    assert desk.type(call, {"content": (1, "2 kg")}).status == 200
    assert desk.type(call, {"content": (3, "2 kg apples"), "price_proposal": (1, "30")}).status == 200
    late = desk.type(call, {"content": (2, "2 kg ap")})  # overtaken on the way
    assert late.status == 200 and late.body["details"]["content"] == {"value": "2 kg apples", "version": 3}
    updates = desk.data(COUNTER, "details.updated")
    assert [u["fields"] for u in updates] == [
        {"content": {"value": "2 kg", "version": 1}},
        {"content": {"value": "2 kg apples", "version": 3}, "price_proposal": {"value": "30", "version": 1}},
    ]
    assert desk.data(BACK_OFFICE, "details.updated") == []

    submitted = desk.type(call, {"address": (1, "12 Nanjing Rd")}, submit=True)
    assert submitted.status == 200 and submitted.body["details_submitted_at"]
    [final] = desk.data(COUNTER, "details.submitted")
    assert final["details"] == {"content": {"value": "2 kg apples", "version": 3},
                                "price_proposal": {"value": "30", "version": 1}, "when": None,
                                "address": {"value": "12 Nanjing Rd", "version": 1}}
    assert desk.get(call, by=desk.staff)["details"] == final["details"]


def test_details_are_typed_only_in_a_connected_call_by_its_customer(desk: CallDesk) -> None:
    call = desk.ringing()
    early = desk.type(call, {"content": (1, "x")})
    assert early.status == 409 and early.body["type"] == "/problems/call-not-connected"
    desk.answer(call)
    assert desk.type(call, {"content": (1, "x")}, by=desk.other_customer).status == 404
    assert desk.staff.patch(f"/calls/{call['call_id']}/details", {"fields": {}}).status == 403
    assert desk.other_staff.post(f"/merchant/calls/{call['call_id']}/details-request").status == 404


@pytest.mark.parametrize("fields", [
    {"content": {"value": "x", "version": 0}}, {"content": {"value": "x", "version": "1"}},
    {"content": {"value": "x" * 2001, "version": 1}}, {"price_proposal": {"value": "1\x00", "version": 1}},
    {"colour": {"value": "red", "version": 1}}, {"content": {"value": "x"}}, {"content": "x"},
    {"content": {"value": "x", "version": 2 ** 53}},
])
def test_bad_details_are_refused_with_the_field_and_change_nothing(desk: CallDesk, fields: dict[str, Any]) -> None:
    call = desk.connected()
    before = desk.snapshot()
    refused = desk.customer.patch(f"/calls/{call['call_id']}/details", {"fields": fields})
    assert refused.status in (400, 422) and refused.is_problem
    assert desk.snapshot() == before


# ── who may do what ─────────────────────────────────────────────────────────────────────────

def test_a_call_is_seen_only_by_its_parties_and_ops(desk: CallDesk) -> None:
    call = desk.connected()
    assert desk.get(call, by=desk.staff)["you"] == "merchant"
    assert desk.get(call, by=desk.ops)["you"] == "ops"
    assert desk.other_customer.get(f"/calls/{call['call_id']}").status == 404
    assert desk.other_staff.get(f"/calls/{call['call_id']}").status == 404
    assert desk.other_staff.post(f"/merchant/calls/{call['call_id']}/hangup").status == 404


@pytest.mark.parametrize("connection", [COUNTER, "ws-never-connected", "ws-other-phone"])
def test_a_call_is_placed_only_from_the_callers_own_terminal(desk: CallDesk, connection: str) -> None:
    desk.connect("ws-other-phone", desk.other_customer)
    refused = desk.place(connection=connection)
    assert refused.status == 422 and refused.error_fields == ["connection_id"]
    assert desk.snapshot()["calls"] == []


def test_a_call_is_answered_only_from_the_answerers_own_terminal(desk: CallDesk) -> None:
    call = desk.ringing()
    refused = desk.answer(call, PHONE)
    assert refused.status == 422 and refused.error_fields == ["connection_id"]
    assert desk.answer(call, COLLEAGUE).status == 422  # the colleague's console is not staff-1's
    assert desk.answer(call, by=desk.other_staff).status == 422


# ── resuming ────────────────────────────────────────────────────────────────────────────────

def test_a_terminal_that_reconnects_lists_the_call_rejoins_it_and_renegotiates(desk: CallDesk) -> None:
    call = desk.connected()
    desk.disconnect(PHONE)
    assert desk.connect("ws-phone-2", desk.customer) == 200
    desk.send("ws-phone-2", {"action": "list_pending"})
    [listed] = desk.data("ws-phone-2", "calls.listed")
    [item] = listed["items"]
    assert item["call_id"] == call["call_id"] and item["status"] == "connected" and item["ice_servers"] == []

    rejoined = desk.customer.post(f"/calls/{call['call_id']}/rejoin", {"connection_id": "ws-phone-2"})
    assert rejoined.status == 200
    assert desk.data(COUNTER, "call.rejoined") == [{"call_id": call["call_id"], "side": "customer"}]
    desk.signal("ws-phone-2", call, OFFER)  # the new offer (an ICE restart)
    desk.signal(COUNTER, call, ANSWER)
    assert [m["payload"] for m in desk.data(COUNTER, "call.signalled")] == [OFFER]
    assert [m["payload"] for m in desk.data("ws-phone-2", "call.signalled")] == [ANSWER]


def test_only_the_user_who_answered_rejoins_on_the_merchants_side(desk: CallDesk) -> None:
    call = desk.connected()
    refused = desk.colleague.post(f"/merchant/calls/{call['call_id']}/rejoin", {"connection_id": COLLEAGUE})
    assert refused.status == 404
    assert desk.staff.post(f"/merchant/calls/{call['call_id']}/rejoin",
                           {"connection_id": BACK_OFFICE}).status == 200
    desk.signal(PHONE, call, OFFER)
    assert desk.data(BACK_OFFICE, "call.signalled") and not desk.data(COUNTER, "call.signalled")


def test_a_merchant_console_lists_its_ringing_calls_after_a_reconnect(desk: CallDesk) -> None:
    call = desk.ringing()
    desk.send(BACK_OFFICE, {"action": "list_pending"})
    [listed] = desk.data(BACK_OFFICE, "calls.listed")
    assert [c["call_id"] for c in listed["items"]] == [call["call_id"]]


def test_a_call_whose_terminals_both_vanished_ends_by_its_presence_checks(desk: CallDesk) -> None:
    call = desk.connected()
    check = desk.world.clock.now_ms() + 30_000
    desk.at(check)
    assert desk.get(call)["status"] == "connected"  # both still there
    desk.disconnect(PHONE)
    desk.disconnect(COUNTER)
    desk.at(check + 30_000)
    assert desk.get(call)["status"] == "connected"  # one miss: a reconnect may be on its way
    desk.at(check + 60_000)
    ended = desk.get(call)
    assert (ended["status"], ended["end_cause"]) == ("ended", "both_terminals_gone")
    assert [m["cause"] for m in desk.data(BACK_OFFICE, "call.status_changed")] == ["both_terminals_gone"]


def test_one_terminal_left_keeps_the_call_connected(desk: CallDesk) -> None:
    call = desk.connected()
    desk.disconnect(PHONE)
    for k in range(1, 4):
        desk.at(START + k * 30_000 + 1_000)
    assert desk.get(call, by=desk.staff)["status"] == "connected"


def test_hanging_up_ends_the_call_for_both_and_again_changes_nothing(desk: CallDesk) -> None:
    call = desk.connected()
    hung = desk.staff.post(f"/merchant/calls/{call['call_id']}/hangup")
    assert hung.status == 200 and hung.body["status"] == "ended" and hung.body["end_cause"] == "hung_up_by_merchant"
    assert desk.customer.post(f"/calls/{call['call_id']}/hangup").body["status"] == "ended"
    assert [m["cause"] for m in desk.data(PHONE, "call.status_changed")] == ["hung_up_by_merchant"]
    desk.at(START + 120_000)  # the presence check it had set finds nothing to do
    assert len(desk.data(PHONE, "call.status_changed")) == 1


def test_a_flood_of_signals_from_one_terminal_is_cut_off_by_its_rate_limit(desk: CallDesk) -> None:
    limit = desk.world.container.settings.ws_action_limit
    call = desk.connected()
    for _ in range(limit + 3):
        desk.signal(PHONE, call, CANDIDATE)
    assert len(desk.data(COUNTER, "call.signalled")) == limit
    refusals = desk.errors(PHONE)
    assert [e["problem"] for e in refusals] == ["rate-limited"] * 3 and refusals[0]["retry_after_s"] >= 1
    desk.signal(COUNTER, call, ANSWER)  # the other terminal's budget is its own
    assert len(desk.data(PHONE, "call.signalled")) == 1
