"""The declared state tables are validated: the order workflow's, and the validator itself."""

from __future__ import annotations

import pytest

from chalicelib.orders.decider import ORDER_TABLE, WINDOW_OUTCOMES
from chalicelib.orders.model import WAITING, Status
from chalicelib.waitstate.table import StateTable


def test_the_order_table_has_no_problems() -> None:
    assert ORDER_TABLE.problems() == []


def test_every_status_appears_in_the_order_table() -> None:
    assert ORDER_TABLE.states == frozenset(Status)


def test_every_window_outcome_is_one_step_from_every_waiting_status_except_the_unreachable_pairing() -> None:
    # new → not_connected and connected → unanswered are the deadline's; the answers go from both.
    for waiting in WAITING:
        reachable = set(ORDER_TABLE.transitions[waiting].values())
        assert WINDOW_OUTCOMES - reachable == ({Status.UNANSWERED} if waiting is Status.NEW
                                               else {Status.NOT_CONNECTED}), waiting


def test_a_waiting_status_is_never_final_and_never_a_window_outcome() -> None:
    assert not WAITING & ORDER_TABLE.final
    assert not WAITING & WINDOW_OUTCOMES


def test_final_statuses_have_no_way_out() -> None:
    for final in ORDER_TABLE.final:
        assert ORDER_TABLE.transitions[final] == {}


# ── the validator catches each kind of defect ──────────────────────────────────────────────────

def test_a_sound_table_has_no_problems() -> None:
    table = StateTable("a", {"a": {"go": "b"}, "b": {"stop": "c", "back": "a"}, "c": {}})
    assert table.problems() == []


def test_an_unreachable_state_is_reported() -> None:
    table = StateTable("a", {"a": {"go": "b"}, "b": {}, "orphan": {"go": "b"}})
    assert table.problems() == ["state 'orphan' is unreachable"]


def test_a_state_that_cannot_reach_a_final_one_is_reported() -> None:
    table = StateTable("a", {"a": {"go": "b", "loop": "c"}, "b": {}, "c": {"again": "d"}, "d": {"again": "c"}})
    assert table.problems() == ["state 'c' cannot reach a final state", "state 'd' cannot reach a final state"]


def test_a_target_that_is_not_declared_is_reported() -> None:
    table = StateTable("a", {"a": {"go": "b", "typo": "bb"}, "b": {}})
    assert table.problems() == ["state 'bb' is a target but not declared"]


def test_a_missing_initial_state_is_reported() -> None:
    table = StateTable("start", {"a": {"go": "b"}, "b": {}})
    problems = table.problems()
    assert "initial state 'start' is not declared" in problems
    assert "state 'a' is unreachable" in problems and "state 'b' is unreachable" in problems


@pytest.mark.parametrize("broken", [
    StateTable("a", {"a": {}, "x": {}}),
    StateTable("a", {"a": {"go": "a"}}),
    StateTable("a", {"a": {"go": "missing"}}),
])
def test_a_defective_table_never_passes(broken: StateTable[str]) -> None:
    assert broken.problems() != []


def test_target_answers_none_for_an_event_the_state_does_not_take() -> None:
    assert ORDER_TABLE.target(Status.NEW, "fetch") is Status.CONNECTED
    assert ORDER_TABLE.target(Status.ACCEPTED, "reject") is None
    assert ORDER_TABLE.target(Status.CANCELLED, "anything") is None
