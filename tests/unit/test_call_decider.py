"""The call's rules, transition by transition (pure: microseconds, no AWS)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.calls.call import (
    Answer,
    Call,
    CallAlarm,
    CallEvent,
    CallStatus,
    Cancel,
    Decline,
    DetailValue,
    HangUp,
    PresenceChecked,
    Rejoin,
    RequestDetails,
    Side,
    UpdateDetails,
)
from chalicelib.calls.call_decider import (
    PARTIES_GONE,
    RING_ELAPSED,
    Answered,
    CallChanged,
    CheckPresence,
    DetailsChanged,
    DetailsRequested,
    Rejoined,
    decide,
)
from chalicelib.calls.errors import CallNotConnected, CallNotRinging

T0 = 1_800_000_000_000
RING_MS = 30_000
CHECK_MS = 30_000


def ringing() -> Call:
    return Call(id="cal_1", customer_id="u_1", merchant_id="m_1", status=CallStatus.RINGING,
                customer_connection="cust-conn", ring_deadline=T0 + RING_MS, presence_check_ms=CHECK_MS,
                created_at=T0, updated_at=T0)


def connected(at: int = T0 + 1_000) -> Call:
    return decide(ringing(), Answer("merch-conn", "staff_1"), at).state


def final(status: CallStatus) -> Call:
    return replace(ringing(), status=status, ended_at=T0 + 1, end_cause="x")


# ── the table: what each event does in each state ───────────────────────────────────────────

LIVE_EVENTS: list[CallEvent] = [Answer("c2", "s2"), Decline("s"), Cancel("u_1"), HangUp(Side.CUSTOMER),
                                Rejoin(Side.CUSTOMER, "c3"), RequestDetails(),
                                UpdateDetails({"content": DetailValue(1, "x")})]
FINAL = [CallStatus.ENDED, CallStatus.MISSED, CallStatus.DECLINED, CallStatus.CANCELLED]


def test_a_ringing_call_waits_for_its_ring_deadline() -> None:
    assert ringing().wake_at == T0 + RING_MS


def test_the_first_answer_connects_the_call_to_the_answering_terminal() -> None:
    decision = decide(ringing(), Answer("merch-conn", "staff_1"), T0 + 1_000)
    call = decision.state
    assert call.status is CallStatus.CONNECTED
    assert (call.merchant_connection, call.answered_by, call.answered_at) == ("merch-conn", "staff_1", T0 + 1_000)
    assert call.wake_at == T0 + 1_000 + CHECK_MS  # the presence check replaces the ring deadline
    assert any(isinstance(e, Answered) for e in decision.events)
    assert decision.refusal is None


def test_a_second_answer_is_refused_and_changes_nothing() -> None:
    call = connected()
    decision = decide(call, Answer("other-conn", "staff_2"), T0 + 2_000)
    assert isinstance(decision.refusal, CallNotRinging)
    assert decision.state == call


def test_an_answer_after_the_ring_deadline_settles_missed_then_is_refused() -> None:
    decision = decide(ringing(), Answer("merch-conn", "staff_1"), T0 + RING_MS)
    assert decision.state.status is CallStatus.MISSED
    assert decision.state.end_cause == RING_ELAPSED
    assert isinstance(decision.refusal, CallNotRinging)
    assert [type(e) for e in decision.events] == [CallChanged]


def test_the_ring_deadline_makes_a_ringing_call_missed_once() -> None:
    missed = decide(ringing(), CallAlarm(T0 + RING_MS), T0 + RING_MS + 5)
    assert missed.state.status is CallStatus.MISSED and missed.state.wake_at is None
    again = decide(missed.state, CallAlarm(T0 + RING_MS), T0 + RING_MS + 50)
    assert again.state == missed.state and again.events == ()


@pytest.mark.parametrize(("event", "status", "cause"), [
    (Decline("staff_1"), CallStatus.DECLINED, "declined_by_merchant"),
    (Cancel("u_1"), CallStatus.CANCELLED, "cancelled_by_customer"),
])
def test_a_ringing_call_can_be_declined_or_cancelled(event: CallEvent, status: CallStatus, cause: str) -> None:
    decision = decide(ringing(), event, T0 + 1)
    assert (decision.state.status, decision.state.end_cause) == (status, cause)
    assert decision.state.wake_at is None
    assert decide(decision.state, event, T0 + 2).state == decision.state  # again: no change, no error


@pytest.mark.parametrize("event", [Decline("s"), Cancel("u")])
def test_a_connected_call_is_not_declined_or_cancelled(event: CallEvent) -> None:
    assert isinstance(decide(connected(), event, T0 + 2_000).refusal, CallNotRinging)


@pytest.mark.parametrize("side", list(Side))
def test_either_side_hangs_up_a_connected_call(side: Side) -> None:
    decision = decide(connected(), HangUp(side), T0 + 5_000)
    assert decision.state.status is CallStatus.ENDED
    assert decision.state.end_cause == f"hung_up_by_{side.value}"
    assert decide(decision.state, HangUp(side.other), T0 + 6_000).state == decision.state


def test_hanging_up_a_ringing_call_is_refused() -> None:
    assert isinstance(decide(ringing(), HangUp(Side.CUSTOMER), T0 + 1).refusal, CallNotConnected)


@pytest.mark.parametrize("status", FINAL)
@pytest.mark.parametrize("event", LIVE_EVENTS, ids=lambda e: type(e).__name__)
def test_a_final_call_changes_no_more(status: CallStatus, event: CallEvent) -> None:
    call = final(status)
    decision = decide(call, event, T0 + 10)
    assert decision.state == call
    assert decision.events == ()


def test_rejoining_moves_the_sides_terminal_and_tells_the_other_side() -> None:
    decision = decide(connected(), Rejoin(Side.CUSTOMER, "cust-conn-2"), T0 + 3_000)
    assert decision.state.customer_connection == "cust-conn-2"
    assert decision.state.merchant_connection == "merch-conn"
    assert [type(e) for e in decision.events] == [Rejoined]
    merchant = decide(decision.state, Rejoin(Side.MERCHANT, "merch-conn-2"), T0 + 4_000).state
    assert (merchant.customer_connection, merchant.merchant_connection) == ("cust-conn-2", "merch-conn-2")


def test_rejoining_with_the_same_terminal_changes_nothing() -> None:
    call = connected()
    assert decide(call, Rejoin(Side.MERCHANT, "merch-conn"), T0 + 3_000).state == call


def test_details_are_asked_for_and_typed_only_while_connected() -> None:
    asked = decide(connected(), RequestDetails(), T0 + 2_000)
    assert asked.state.details_requested_at == T0 + 2_000 and isinstance(asked.events[0], DetailsRequested)
    assert isinstance(decide(ringing(), RequestDetails(), T0 + 1).refusal, CallNotConnected)
    assert isinstance(decide(ringing(), UpdateDetails({}), T0 + 1).refusal, CallNotConnected)


def test_typed_details_keep_each_fields_newest_text_and_report_what_changed() -> None:
    typed = UpdateDetails({"content": DetailValue(2, "2 kg"), "price_proposal": DetailValue(1, "30")})
    call = decide(connected(), typed, T0 + 2_000).state
    late = decide(call, UpdateDetails({"content": DetailValue(1, "2"), "address": DetailValue(1, "Rd 1")}), T0 + 3_000)
    assert late.state.detail_text() == {"content": "2 kg", "price_proposal": "30", "address": "Rd 1"}
    changed = late.events[0]
    assert isinstance(changed, DetailsChanged) and set(changed.changed) == {"address"}


def test_a_repeated_details_update_changes_nothing() -> None:
    update = UpdateDetails({"content": DetailValue(2, "2 kg")})
    call = decide(connected(), update, T0 + 2_000).state
    assert decide(call, update, T0 + 3_000).state == call


def test_submitting_marks_the_details_submitted_even_without_changes() -> None:
    call = decide(connected(), UpdateDetails({"content": DetailValue(2, "2 kg")}), T0 + 2_000).state
    submitted = decide(call, UpdateDetails({}, submit=True), T0 + 3_000)
    assert submitted.state.details_submitted_at == T0 + 3_000
    event = submitted.events[0]
    assert isinstance(event, DetailsChanged) and event.submitted and event.changed == {}


def test_a_presence_check_asks_the_service_to_look_and_sets_the_next() -> None:
    call = connected()
    due = decide(call, CallAlarm(call.next_presence_check or 0), (call.next_presence_check or 0) + 10)
    assert [type(e) for e in due.events] == [CheckPresence]
    assert due.state.next_presence_check == (call.next_presence_check or 0) + 10 + CHECK_MS


def test_a_superseded_presence_alarm_does_nothing() -> None:
    call = connected()
    assert decide(call, CallAlarm(123), T0 + 50_000).state == call


def test_two_checks_in_a_row_finding_no_terminal_end_the_call() -> None:
    first = decide(connected(), PresenceChecked(anyone_connected=False), T0 + 31_000).state
    assert first.status is CallStatus.CONNECTED and first.absent_since == T0 + 31_000
    second = decide(first, PresenceChecked(anyone_connected=False), T0 + 61_000).state
    assert (second.status, second.end_cause) == (CallStatus.ENDED, PARTIES_GONE)


def test_a_terminal_found_or_rejoining_clears_the_first_absence() -> None:
    first = decide(connected(), PresenceChecked(anyone_connected=False), T0 + 31_000).state
    assert decide(first, PresenceChecked(anyone_connected=True), T0 + 61_000).state.absent_since is None
    rejoined = decide(first, Rejoin(Side.CUSTOMER, "cust-conn-2"), T0 + 40_000).state
    assert rejoined.absent_since is None
    assert decide(rejoined, PresenceChecked(anyone_connected=False), T0 + 61_000).state.status is CallStatus.CONNECTED
