"""`decide(order, event, now)`: every transition of the table, every refusal, and the deadline."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.core.errors import InvalidTransition, WindowClosed
from chalicelib.core.timefmt import iso
from chalicelib.orders.decider import ORDER_TABLE, decide
from chalicelib.orders.model import (
    WAITING,
    Answer,
    Cancel,
    Deadline,
    Fetch,
    HistoryEntry,
    MerchantAction,
    Order,
    RejectReason,
    Status,
    StatusChanged,
    WindowOpened,
)
from tests.builders import T0, WINDOW_MS, a_resubmit, an_order, event_named

DEADLINE = T0 + WINDOW_MS
IN_TIME = DEADLINE - 1


EVENT_NAMES = sorted({name for moves in ORDER_TABLE.transitions.values() for name in moves})
ALLOWED = [(state, name, target) for state, moves in ORDER_TABLE.transitions.items() for name, target in moves.items()]
REFUSED = [(state, name) for state in ORDER_TABLE.transitions for name in EVENT_NAMES
           if ORDER_TABLE.target(state, name) is None and name != "deadline"
           and not (name == "fetch" and state is not Status.NEW)]


def in_status(status: Status) -> Order:
    return an_order(status=status)


def moment_for(state: Status, name: str) -> int:
    return DEADLINE if name == "deadline" else IN_TIME


# ── allowed: every row of the table ──────────────────────────────────────────────────────────

@pytest.mark.parametrize(("state", "name", "target"), ALLOWED, ids=[f"{s}-{n}" for s, n, _ in ALLOWED])
def test_every_transition_of_the_table_moves_to_its_target_and_reports_it(
        state: Status, name: str, target: Status) -> None:
    order = in_status(state)
    now = moment_for(state, name)
    decision = decide(order, event_named(name, order), now)
    assert decision.refusal is None
    assert decision.state.status is target
    assert decision.state.updated_at == now
    assert decision.state.history == (*order.history, HistoryEntry(now, target, name))
    changed = [e for e in decision.events if isinstance(e, StatusChanged)]
    assert changed == [StatusChanged(decision.state, state, name)]


@pytest.mark.parametrize(("state", "name"), REFUSED, ids=[f"{s}-{n}" for s, n in REFUSED])
def test_every_event_the_table_does_not_allow_is_refused_naming_event_and_state(state: Status, name: str) -> None:
    order = in_status(state)
    with pytest.raises(InvalidTransition) as refused:
        decide(order, event_named(name, order), IN_TIME)
    error = refused.value
    assert error.extensions["current_status"] == state.value and error.extensions["action"] == name
    if state in (Status.NOT_CONNECTED, Status.UNANSWERED):
        assert isinstance(error, WindowClosed) and state.value in error.detail
    else:
        assert not isinstance(error, WindowClosed) and name in error.detail and state.value in error.detail


def test_the_refused_pairs_cover_every_final_status_and_every_event_but_the_harmless_ones() -> None:
    # An alarm and a repeated fetch are never refused: they are no-ops (tested below).
    assert {state for state, _ in REFUSED} >= ORDER_TABLE.final
    assert {name for _, name in REFUSED} == set(EVENT_NAMES) - {"deadline", "fetch"}


# ── the deadline ─────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize(("waiting", "outcome"), [(Status.NEW, Status.NOT_CONNECTED),
                                                  (Status.CONNECTED, Status.UNANSWERED)])
@pytest.mark.parametrize("late_ms", [0, 1, 10 * 60_000])
def test_at_or_after_the_deadline_the_alarm_adjudicates(waiting: Status, outcome: Status, late_ms: int) -> None:
    order = in_status(waiting)
    decision = decide(order, Deadline(DEADLINE), DEADLINE + late_ms)
    assert decision.state.status is outcome and decision.refusal is None
    assert decision.events == (StatusChanged(decision.state, waiting, "deadline"),)
    assert decision.state.answered_at is None


@pytest.mark.parametrize("waiting", sorted(WAITING))
def test_an_alarm_before_the_deadline_changes_nothing(waiting: Status) -> None:
    order = in_status(waiting)
    decision = decide(order, Deadline(DEADLINE), IN_TIME)
    assert decision.state == order and decision.events == () and decision.refusal is None


@pytest.mark.parametrize("settled", sorted(set(Status) - WAITING))
def test_an_alarm_for_a_settled_order_changes_nothing(settled: Status) -> None:
    order = in_status(settled)
    decision = decide(order, Deadline(DEADLINE), DEADLINE + 5_000)
    assert decision.state == order and decision.events == ()


@pytest.mark.parametrize(("waiting", "outcome"), [(Status.NEW, Status.NOT_CONNECTED),
                                                  (Status.CONNECTED, Status.UNANSWERED)])
@pytest.mark.parametrize("name", ["accept", "reject", "return", "dispatch", "cancel"])
def test_an_action_at_the_deadline_settles_the_window_and_is_refused(
        waiting: Status, outcome: Status, name: str) -> None:
    order = in_status(waiting)
    decision = decide(order, event_named(name, order), DEADLINE)
    assert decision.state.status is outcome
    assert decision.events == (StatusChanged(decision.state, waiting, "deadline"),)
    assert isinstance(decision.refusal, WindowClosed)
    assert decision.refusal.extensions == {"current_status": outcome.value, "action": name,
                                           "answer_deadline": iso(DEADLINE)}


@pytest.mark.parametrize("name", ["accept", "reject", "return", "dispatch", "cancel"])
def test_an_action_one_millisecond_before_the_deadline_is_in_time(name: str) -> None:
    order = in_status(Status.CONNECTED)
    decision = decide(order, event_named(name, order), DEADLINE - 1)
    assert decision.refusal is None
    assert decision.state.status is ORDER_TABLE.target(Status.CONNECTED, name)


def test_a_fetch_after_the_deadline_settles_not_connected_without_refusing() -> None:
    decision = decide(in_status(Status.NEW), Fetch(), DEADLINE)
    assert decision.state.status is Status.NOT_CONNECTED and decision.refusal is None
    assert decision.state.connected_at is None


def test_acting_on_an_adjudicated_order_is_refused_as_window_closed() -> None:
    order = decide(in_status(Status.NEW), Deadline(DEADLINE), DEADLINE).state
    with pytest.raises(WindowClosed) as refused:
        decide(order, Answer(MerchantAction.ACCEPT), DEADLINE + 60_000)
    assert refused.value.extensions["current_status"] == "not_connected"


# ── fetch, answers, cancel, resubmit ─────────────────────────────────────────────────────────

def test_only_the_first_fetch_changes_the_order() -> None:
    connected = decide(in_status(Status.NEW), Fetch(), T0 + 5_000).state
    assert connected.status is Status.CONNECTED and connected.connected_at == T0 + 5_000
    again = decide(connected, Fetch(), T0 + 9_000)
    assert again.state == connected and again.events == ()


@pytest.mark.parametrize("settled", sorted(set(Status) - {Status.NEW}))
def test_fetching_an_order_that_is_no_longer_new_changes_nothing(settled: Status) -> None:
    order = in_status(settled)
    decision = decide(order, Fetch(), DEADLINE + 60_000 if settled not in WAITING else IN_TIME)
    assert decision.state == order and decision.events == ()


def test_answering_from_new_is_allowed_and_records_when() -> None:
    decision = decide(in_status(Status.NEW), Answer(MerchantAction.ACCEPT), T0 + 7_000)
    assert decision.state.status is Status.ACCEPTED and decision.state.answered_at == T0 + 7_000


def test_a_reject_records_its_reason() -> None:
    rejected = decide(in_status(Status.CONNECTED), Answer(MerchantAction.REJECT, RejectReason.OUT_OF_STOCK), IN_TIME)
    assert rejected.state.reason == "out_of_stock"


def test_a_reject_without_a_reason_records_other() -> None:
    rejected = decide(in_status(Status.CONNECTED), Answer(MerchantAction.REJECT), IN_TIME)
    assert rejected.state.reason == "other"


def test_a_return_records_the_merchants_reason() -> None:
    returned = decide(in_status(Status.CONNECTED), Answer(MerchantAction.RETURN, reason="no beef today"), IN_TIME)
    assert returned.state.status is Status.RETURNED and returned.state.reason == "no beef today"
    assert returned.state.wake_at is None


def test_dispatching_an_accepted_order_keeps_the_time_it_was_answered() -> None:
    accepted = decide(in_status(Status.CONNECTED), Answer(MerchantAction.ACCEPT), T0 + 3_000).state
    dispatched = decide(accepted, Answer(MerchantAction.DISPATCH), DEADLINE + 600_000)
    assert dispatched.state.status is Status.DISPATCHED and dispatched.state.answered_at == T0 + 3_000
    completed = decide(dispatched.state, Answer(MerchantAction.COMPLETE), DEADLINE + 900_000)
    assert completed.state.status is Status.COMPLETED


def test_a_customer_cancel_while_waiting_is_not_an_answer() -> None:
    cancelled = decide(in_status(Status.CONNECTED), Cancel(), IN_TIME).state
    assert cancelled.status is Status.CANCELLED and cancelled.answered_at is None and cancelled.wake_at is None


def test_a_resubmit_opens_a_fresh_window() -> None:
    returned = replace(decide(in_status(Status.CONNECTED), Answer(MerchantAction.RETURN, reason="no beef"),
                              T0 + 4_000).state, connected_at=T0 + 1_000)
    later = DEADLINE + 3_600_000
    edit = a_resubmit(window_ms=90_000)
    decision = decide(returned, edit, later)
    order = decision.state
    assert order.status is Status.NEW and order.round == returned.round + 1
    assert (order.window_started_at, order.answer_deadline, order.window_ms) == (later, later + 90_000, 90_000)
    assert order.wake_at == later + 90_000
    assert (order.lines, order.address, order.note) == (edit.lines, edit.address, edit.note)
    assert (order.connected_at, order.answered_at, order.reason) == (None, None, None)
    assert decision.events == (StatusChanged(order, Status.RETURNED, "resubmit"), WindowOpened(order))


def test_a_resubmitted_order_is_adjudicated_by_its_new_deadline_not_the_old_one() -> None:
    returned = decide(in_status(Status.CONNECTED), Answer(MerchantAction.RETURN, reason="no beef"), IN_TIME).state
    fresh = decide(returned, a_resubmit(), DEADLINE + 10).state
    assert decide(fresh, Fetch(), DEADLINE + 20).state.status is Status.CONNECTED


def test_deciding_is_pure() -> None:
    order = in_status(Status.CONNECTED)
    event = Answer(MerchantAction.ACCEPT)
    assert decide(order, event, IN_TIME) == decide(order, event, IN_TIME)
    assert order == in_status(Status.CONNECTED)
