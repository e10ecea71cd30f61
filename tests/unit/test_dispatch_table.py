"""Workflow 02's declared state table is sound, and the validator would catch it going wrong."""

from __future__ import annotations

import pytest

from chalicelib.dispatch.decider import DISPATCH_TABLE
from chalicelib.dispatch.model import ASSIGNED, AWAITING_CONFIRMATION, Status
from chalicelib.waitstate.table import StateTable


def test_the_dispatch_table_has_no_problems() -> None:
    assert DISPATCH_TABLE.problems() == []


def test_every_status_appears_in_the_dispatch_table_and_pending_is_where_requests_start() -> None:
    assert DISPATCH_TABLE.states == frozenset(Status)
    assert DISPATCH_TABLE.initial is Status.PENDING


def test_the_final_statuses_are_exactly_completed_and_cancelled() -> None:
    assert DISPATCH_TABLE.final == {Status.COMPLETED, Status.CANCELLED}


def test_the_two_waiting_statuses_escalate_in_order_and_revocation_goes_back_to_the_pool() -> None:
    assert DISPATCH_TABLE.target(Status.DISPATCHED, "remind") is Status.REMINDED
    assert DISPATCH_TABLE.target(Status.REMINDED, "revoke") is Status.PENDING
    assert DISPATCH_TABLE.target(Status.DISPATCHED, "revoke") is None, "no revocation without a reminder first"
    assert DISPATCH_TABLE.target(Status.REMINDED, "remind") is None, "one reminder per dispatch"


def test_a_confirmation_and_a_reassignment_are_possible_in_either_stage_and_nowhere_else() -> None:
    confirmable = {s for s in Status if DISPATCH_TABLE.target(s, "confirm") is not None}
    reassignable = {s for s in Status if DISPATCH_TABLE.target(s, "reassign") is not None}
    assert confirmable == reassignable == AWAITING_CONFIRMATION


def test_every_open_status_can_be_cancelled_and_no_final_one_can() -> None:
    final = DISPATCH_TABLE.final
    for status in Status:
        assert (DISPATCH_TABLE.target(status, "cancel") is Status.CANCELLED) == (status not in final), status


def test_the_assigned_statuses_are_those_between_a_dispatch_and_the_end() -> None:
    assert AWAITING_CONFIRMATION | {Status.CONFIRMED, Status.IN_PROGRESS} == ASSIGNED
    assert not ASSIGNED & DISPATCH_TABLE.final and Status.PENDING not in ASSIGNED


# ── broken variants of the dispatch table are caught ────────────────────────────────────────────

def _without(status: Status, event: str) -> StateTable[Status]:
    transitions = {s: dict(moves) for s, moves in DISPATCH_TABLE.transitions.items()}
    del transitions[status][event]
    return StateTable(DISPATCH_TABLE.initial, transitions)


def test_a_variant_where_nothing_leads_to_in_progress_reports_it_and_completed_unreachable() -> None:
    broken = _without(Status.CONFIRMED, "start")
    assert broken.problems() == ["state 'completed' is unreachable", "state 'in_progress' is unreachable"]


def test_a_variant_whose_waiting_statuses_can_only_loop_reports_them_as_stuck() -> None:
    transitions = {s: dict(moves) for s, moves in DISPATCH_TABLE.transitions.items()}
    for status in (Status.PENDING, Status.DISPATCHED, Status.REMINDED):
        transitions[status].pop("cancel")
        transitions[status].pop("confirm", None)
    problems = StateTable(Status.PENDING, transitions).problems()
    stuck = [p.split("'")[1] for p in problems if p.endswith("cannot reach a final state")]
    assert stuck == ["dispatched", "pending", "reminded"]


def test_a_variant_with_a_misspelt_target_reports_the_undeclared_state() -> None:
    transitions: dict[str, dict[str, str]] = {s.value: {e: t.value for e, t in moves.items()}
                                              for s, moves in DISPATCH_TABLE.transitions.items()}
    transitions["reminded"]["revoke"] = "pendng"
    problems = StateTable("pending", transitions).problems()
    assert "state 'pendng' is a target but not declared" in problems


@pytest.mark.parametrize(("status", "event"), [(Status.PENDING, "assign"), (Status.IN_PROGRESS, "complete")])
def test_removing_a_needed_transition_never_passes(status: Status, event: str) -> None:
    assert _without(status, event).problems() != []
