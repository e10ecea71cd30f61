"""Property: whatever the merchant, the customer, the alarms and the clock do, and in whatever
order, each answer window ends exactly once, final statuses stay final, and no order is still
waiting once an alarm at or after its deadline has been processed. (The decider alone, applied
in sequence; `test_engine_properties.py` adds racing writers and the fencing.)"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.core.errors import DomainError
from chalicelib.orders.decider import ORDER_TABLE, WINDOW_OUTCOMES, decide
from chalicelib.orders.model import WAITING, Deadline, Order, OrderEvent, StatusChanged
from tests.builders import T0, an_order, event_named

ACTIONS = ["fetch", "accept", "reject", "return", "dispatch", "cancel", "complete", "resubmit"]
LIKELY = [*ACTIONS, "return", "resubmit", "resubmit"]  # more windows per run


@dataclass(frozen=True)
class Act:
    name: str


@dataclass(frozen=True)
class Alarm:
    which: int  # index into the deadlines seen so far: old rounds' alarms arrive too
    copies: int  # duplicated deliveries


@dataclass(frozen=True)
class Advance:
    ms: int


@dataclass(frozen=True)
class NearDeadline:
    offset_ms: int  # jump to the current deadline ± a little: the boundary is where races live


steps = st.lists(st.one_of(
    st.builds(Act, st.sampled_from(LIKELY)),
    st.builds(Alarm, st.integers(0, 5), st.integers(1, 3)),
    st.builds(Advance, st.integers(0, 90_000)),
    st.builds(NearDeadline, st.integers(-2_000, 2_000)),
), max_size=40)


class Run:
    """Folds events through the decider and checks every decision as it goes."""

    def __init__(self, window_ms: int) -> None:
        self.order = an_order(window_ms=window_ms)
        self.now = T0
        self.deadlines = [self.order.answer_deadline]
        self.outcomes: Counter[int] = Counter()  # round → window outcomes reported

    def apply(self, event: OrderEvent) -> None:
        before = self.order
        try:
            decision = decide(before, event, self.now)
        except DomainError:
            return  # refused outright: nothing changed
        after = decision.state
        for reported in decision.events:
            if isinstance(reported, StatusChanged):
                self.check_transition(before, reported)
        if before.status in WAITING and self.now >= before.answer_deadline:
            assert after.status not in WAITING, "a due window must be settled by whatever arrives"
        if decision.refusal is not None:
            assert after.status in (before.status, ORDER_TABLE.target(before.status, "deadline"))
        if after.answer_deadline != before.answer_deadline:
            self.deadlines.append(after.answer_deadline)
        self.order = after

    def check_transition(self, before: Order, changed: StatusChanged) -> None:
        assert changed.previous is before.status
        assert changed.previous not in ORDER_TABLE.final, "nothing leaves a final status"
        assert ORDER_TABLE.target(changed.previous, changed.cause) is changed.order.status
        if changed.previous in WAITING and changed.order.status in WINDOW_OUTCOMES:
            in_time = self.now < before.answer_deadline
            assert in_time == (changed.cause != "deadline"), "answers in time, the deadline after it"
            self.outcomes[before.round] += 1
            assert self.outcomes[before.round] == 1, "a window ends once"

    def step(self, step: Act | Alarm | Advance | NearDeadline) -> None:
        match step:
            case Act(name=name):
                self.apply(event_named(name, self.order))
            case Alarm(which=which, copies=copies):
                wake_at = self.deadlines[min(which, len(self.deadlines) - 1)]
                for _ in range(copies):
                    self.apply(Deadline(wake_at))
            case Advance(ms=ms):
                self.now += ms
            case NearDeadline(offset_ms=offset):
                self.now = max(self.now, self.order.answer_deadline + offset)


@settings(max_examples=400, deadline=None)
@given(steps=steps, window_s=st.integers(1, 900))
def test_every_window_ends_exactly_once_whatever_happens(
        steps: list[Act | Alarm | Advance | NearDeadline], window_s: int) -> None:
    run = Run(window_s * 1000)
    for step in steps:
        run.step(step)
    # Finally the clock passes the last deadline and its alarm arrives (late, perhaps twice).
    run.now = max(run.now, run.order.answer_deadline)
    run.apply(Deadline(run.order.answer_deadline))
    run.apply(Deadline(run.order.answer_deadline))
    assert run.order.status not in WAITING
    assert dict(run.outcomes) == {r: 1 for r in range(1, run.order.round + 1)}
