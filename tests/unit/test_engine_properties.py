"""Property of the engine with its fencing: two writers racing (one commit loses and re-reads),
alarm messages duplicated, early, late or superseded, the sweeper, and the clock moving in any
order — each answer window ends exactly once, with exactly one `StatusChanged` reaction into its
outcome, and every committed transition is reacted to once."""

from __future__ import annotations

import contextlib
from collections import Counter
from dataclasses import dataclass

from hypothesis import event, given, settings
from hypothesis import strategies as st

from chalicelib.core.errors import DomainError
from chalicelib.orders.decider import ORDER_TABLE, WINDOW_OUTCOMES
from chalicelib.orders.model import WAITING, Order, StatusChanged
from chalicelib.waitstate.engine import FireOutcome
from chalicelib.waitstate.model import AlarmMessage
from tests.builders import event_named
from tests.engine_contract import GRACE_S, Rig
from tests.fakes import InMemoryEntityStore, InterleavingStore

ACTIONS = ["fetch", "accept", "reject", "return", "dispatch", "cancel", "complete", "resubmit"]
LIKELY = [*ACTIONS, "return", "resubmit", "resubmit"]  # more windows per run
ORDER_ID = "ord_1"


@dataclass(frozen=True)
class Act:
    name: str


@dataclass(frozen=True)
class Race:
    """`first` is decided, then `second` commits before `first`'s conditional write is sent."""

    first: str
    second: str  # an action name, or "alarm" (a pending alarm message fires in between)


@dataclass(frozen=True)
class Deliver:
    which: int  # any message ever sent: duplicates and superseded ones included
    copies: int


@dataclass(frozen=True)
class Advance:
    ms: int


@dataclass(frozen=True)
class NearDeadline:
    offset_ms: int


@dataclass(frozen=True)
class Sweep:
    pass


Step = Act | Race | Deliver | Advance | NearDeadline | Sweep

steps = st.lists(st.one_of(
    st.builds(Act, st.sampled_from(LIKELY)),
    st.builds(Race, st.sampled_from(LIKELY), st.sampled_from([*ACTIONS, "alarm", "alarm"])),
    st.builds(Deliver, st.integers(0, 20), st.integers(1, 3)),
    st.builds(Advance, st.integers(0, 90_000)),
    st.builds(NearDeadline, st.integers(-3_000, 3_000)),
    st.just(Sweep()),
), max_size=30)


class Run:
    def __init__(self, window_ms: int) -> None:
        self.rig = Rig(InterleavingStore(InMemoryEntityStore()))
        self.rig.place(ORDER_ID, window_ms=window_ms)
        self.delivered: list[AlarmMessage] = []

    @property
    def order(self) -> Order:
        return self.rig.current(ORDER_ID)

    def messages(self) -> list[AlarmMessage]:
        return [message for message, _ in self.rig.alarms.sent]

    def act(self, name: str) -> None:
        # Refused (invalid or late): what it settled first is checked by the invariants.
        with contextlib.suppress(DomainError):
            self.rig.act(ORDER_ID, event_named(name, self.order))

    def fire(self, message: AlarmMessage) -> None:
        outcome = self.rig.engine.fire(message)
        after = self.order
        if outcome is FireOutcome.FIRED:
            assert self.rig.clock.now_ms() >= message.wake_at
            assert after.wake_at != message.wake_at, "a fired alarm leaves no window open at its deadline"
        if outcome is FireOutcome.REQUEUED:
            assert after.wake_at == message.wake_at and self.rig.clock.now_ms() < message.wake_at

    def step(self, step: Step) -> None:
        match step:
            case Act(name=name):
                self.act(name)
            case Race(first=first, second=second):
                pending = self.messages()
                if second == "alarm":
                    if pending:
                        self.rig.store.before_next_commit(lambda: self.fire(pending[-1]))
                else:
                    self.rig.store.before_next_commit(lambda: self.act(second))
                self.act(first)
                self.rig.store.forget_interlopers()
            case Deliver(which=which, copies=copies):
                pending = self.messages()
                if pending:
                    for _ in range(copies):
                        self.fire(pending[which % len(pending)])
            case Advance(ms=ms):
                self.rig.clock.advance(ms / 1000)
            case NearDeadline(offset_ms=offset):
                self.rig.clock.set(max(self.rig.clock.now_ms(), self.order.answer_deadline + offset))
            case Sweep():
                self.rig.engine.sweep()

    def finish(self) -> None:
        """The clock passes the last deadline; the sweeper and every message ever sent run."""
        self.rig.clock.set(max(self.rig.clock.now_ms(), self.order.answer_deadline + GRACE_S * 1000 + 1))
        self.rig.engine.sweep()
        for message in self.messages():
            self.fire(message)

    def check(self) -> None:
        changes = [e for _, events in self.rig.reactions for e in events if isinstance(e, StatusChanged)]
        outcomes: Counter[int] = Counter()
        for change in changes:
            assert change.previous not in ORDER_TABLE.final, "nothing leaves a final status"
            assert ORDER_TABLE.target(change.previous, change.cause) is change.order.status
            if change.previous in WAITING and change.order.status in WINDOW_OUTCOMES:
                outcomes[change.order.round] += 1
        order = self.order
        assert order.status not in WAITING
        assert dict(outcomes) == {r: 1 for r in range(1, order.round + 1)}, "one outcome reaction per window"
        committed = [entry.status for entry in order.history[1:]]
        assert [change.order.status for change in changes] == committed, "each commit reacted to once"


@settings(max_examples=300, deadline=None)
@given(steps=steps, window_s=st.sampled_from([1, 2, 30, 120, 900, 1_200]))
def test_racing_writers_and_unreliable_alarms_end_each_window_exactly_once(steps: list[Step], window_s: int) -> None:
    run = Run(window_s * 1000)
    for step in steps:
        run.step(step)
    run.finish()
    run.check()
    event(f"a commit lost its race: {run.rig.store.lost > 0}")
    event(f"windows: {run.order.round}, outcome: {run.order.status.value}")
