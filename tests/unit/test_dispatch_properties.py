"""Property of workflow 02 on the engine: installers confirming, starting and completing (the
current one, or one whose dispatch ended), two managers reassigning at once (one commit loses and
re-reads), requests going back to the pool and being picked up again, alarm messages duplicated,
early, late or superseded, the sweeper, and the clock jumping around both deadlines — every
dispatch is reminded at most once, deducted at most once and revoked at most once, every
installer's workload adds up, every committed transition is reacted to once and follows the
table, and nothing is left waiting past its deadline."""

from __future__ import annotations

import contextlib
from collections import Counter
from dataclasses import dataclass

from hypothesis import event, given, settings
from hypothesis import strategies as st

from chalicelib.core.errors import DomainError, NotFound
from chalicelib.core.observability import RecordingMetrics
from chalicelib.dispatch import decider
from chalicelib.dispatch.decider import DISPATCH_TABLE
from chalicelib.dispatch.errors import DispatchRevoked
from chalicelib.dispatch.model import (
    ASSIGNED,
    AWAITING_CONFIRMATION,
    Alert,
    Assign,
    Cancel,
    Complete,
    Confirm,
    Deadline,
    DispatchEnded,
    FlagReason,
    HistoryEntry,
    Installation,
    InstallationEvent,
    LedgerEntry,
    NeedsInstaller,
    NoEligibleInstaller,
    Periods,
    Reminded,
    Start,
    Status,
    StatusChanged,
    WorkloadChange,
)
from chalicelib.waitstate.engine import FireOutcome, WaitStateEngine
from chalicelib.waitstate.model import AlarmMessage, Workflow
from tests.dispatch_builders import CNY_5, T0, a_card, an_installation
from tests.fakes import HookedClock, InMemoryEntityStore, InterleavingStore, RecordingAlarmQueue

KIND = "installation"
GRACE_S = 5
REQUEST_ID = "ins_1"
POOL = ("i1", "i2", "i3")
"""Installers the managers pick from (so a manager may hand the request back to one who let it lapse)."""

STATUS_OF_KIND = {"dispatched": Status.DISPATCHED, "reminded": Status.REMINDED, "revoked": Status.PENDING,
                  "confirmed": Status.CONFIRMED, "started": Status.IN_PROGRESS, "completed": Status.COMPLETED,
                  "cancelled": Status.CANCELLED}
"""History entries that record a change of status (the others: created, deducted, no_installer, flagged)."""
NEXT_ACTION = {Status.CONFIRMED: "start", Status.IN_PROGRESS: "complete"}
REPEATS: dict[type, frozenset[str]] = {Confirm: frozenset({"confirmed", "in_progress", "completed"}),
                                       Start: frozenset({"in_progress", "completed"}),
                                       Complete: frozenset({"completed"})}
"""Where a repeated tap of each kind is answered with the current state, not refused."""


# ── steps ─────────────────────────────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class Act:
    action: str  # confirm, start, complete, cancel, or next: whichever moves the installation on
    who: str  # current, previous (a dispatch of theirs ended), stranger
    code: str = "right"  # at completion: right, wrong, none


@dataclass(frozen=True)
class Manage:
    """A manager assigns by hand, naming the dispatch they saw (or an older one: `stale`)."""

    installer: int
    stale: bool = False


@dataclass(frozen=True)
class NoInstaller:
    """The server looked and found nobody."""


@dataclass(frozen=True)
class Pickup:
    """The server reacts to the `NeedsInstaller` it saw: it assigns to a fresh installer."""


Op = Act | Manage | NoInstaller | Pickup


@dataclass(frozen=True)
class Race:
    """`first` is decided, then `second` (or a pending alarm) commits before `first`'s write."""

    first: Op
    second: Op | None  # None: the latest alarm message fires in between


@dataclass(frozen=True)
class Deliver:
    which: int  # any message ever sent: duplicates and superseded ones included
    copies: int


@dataclass(frozen=True)
class Advance:
    ms: int


@dataclass(frozen=True)
class NearDeadline:
    which: str  # remind, revoke, wake
    offset_ms: int


@dataclass(frozen=True)
class Sweep:
    pass


Step = Op | Race | Deliver | Advance | NearDeadline | Sweep

acts = st.builds(Act, st.sampled_from(["confirm", "start", "complete", "cancel"]),
                 st.sampled_from(["current", "previous", "stranger"]), st.sampled_from(["right", "wrong", "none"]))
work = st.builds(Act, st.just("next"), st.just("current"), st.sampled_from(["right", "wrong", "none"]))
"""The current installer does whatever moves the installation on."""
offsets = st.one_of(st.integers(-3_000, 3_000), st.sampled_from([-1_501, -1_500, -1, 0, 1]))
"""Around a deadline: on it, a millisecond either side, and just beyond the engine's in-process wait."""
manages = st.builds(Manage, st.integers(0, len(POOL)), st.booleans())
steps = st.lists(st.one_of(
    work,
    work,
    acts,
    manages,
    st.just(NoInstaller()),
    st.just(Pickup()),
    st.builds(Race, st.one_of(work, acts, manages), st.one_of(st.none(), manages, work, acts)),
    st.builds(Race, manages, manages),
    st.builds(Deliver, st.integers(0, 30), st.integers(1, 3)),
    st.builds(Advance, st.integers(0, 400_000)),
    st.builds(NearDeadline, st.sampled_from(["remind", "revoke", "wake"]), offsets),
    st.builds(NearDeadline, st.sampled_from(["remind", "revoke"]), offsets),
    st.just(Sweep()),
), min_size=6, max_size=40)

period_choices = st.sampled_from([(1, 2), (2, 1), (30, 60), (600, 1_200), (1_000, 950)])


# ── the run ───────────────────────────────────────────────────────────────────────────────────

class Run:
    def __init__(self, periods: Periods, retry_ms: int, start_dispatched: bool, eager: bool) -> None:
        self.periods = periods
        self.eager = eager
        self.memory: InMemoryEntityStore[Installation] = InMemoryEntityStore()
        self.store = InterleavingStore(self.memory)
        self.clock = HookedClock(T0)
        self.alarms = RecordingAlarmQueue()
        self.engine = WaitStateEngine(self.alarms, self.clock, RecordingMetrics(), due_shards=16,
                                      sweep_interval_s=60, overdue_grace_s=GRACE_S)
        self.engine.register(Workflow(kind=KIND, store=self.store, decide=decider.decide, alarm_event=Deadline,
                                      react=self.react))
        self.reactions: list[tuple[Installation, tuple[object, ...]]] = []
        self.needs_installer = False
        self.fresh = 0
        self.codes = 0
        request = an_installation(id=REQUEST_ID, retry_ms=retry_ms, retry_at=T0 + retry_ms)
        if start_dispatched:
            decision = decider.decide(request, self.assign_event(request, "auto"), T0)
            assert decision.refusal is None
            self.engine.start(KIND, decision.state, decision.events, decision.writes)
        else:
            self.engine.start(KIND, request)
            self.pickup(force=True)

    # what happens

    def react(self, entity: Installation, events: tuple[object, ...], now: int) -> None:
        self.reactions.append((entity, events))
        if any(isinstance(e, NeedsInstaller) for e in events):
            self.needs_installer = True

    @property
    def request(self) -> Installation:
        stored = self.store.load(REQUEST_ID)
        assert stored is not None
        return stored.entity

    def messages(self) -> list[AlarmMessage]:
        return [message for message, _ in self.alarms.sent]

    def apply(self, event: InstallationEvent) -> None:
        # Refused (invalid, late, stale): what it settled first is checked by the invariants.
        with contextlib.suppress(DomainError):
            self.engine.apply(KIND, REQUEST_ID, event)

    def assign_event(self, request: Installation, by: str, installer_id: str | None = None,
                     stale: bool = False) -> Assign:
        if installer_id is None:
            self.fresh += 1
            installer_id = f"f{self.fresh}"
        return Assign(a_card(installer_id), request.attempt - int(stale), self.periods, by)

    def pickup(self, force: bool = False) -> None:
        if not (force or self.needs_installer):
            return
        self.needs_installer = False
        request = self.request
        if request.status is Status.PENDING:
            self.apply(self.assign_event(request, "auto"))

    def event_for(self, op: Act) -> InstallationEvent:
        request = self.request
        installer_id = self.actor(request, op.who)
        action = NEXT_ACTION.get(request.status, "confirm") if op.action == "next" else op.action
        if action == "confirm":
            self.codes += 1
            return Confirm(installer_id, f"{self.codes:06d}")
        if action == "start":
            return Start(installer_id)
        if action == "complete":
            code = {"right": request.service_code, "wrong": "000000", "none": None}[op.code]
            return Complete(installer_id, code, ("photo.jpg",))
        return Cancel("ops:m1")

    def actor(self, request: Installation, who: str) -> str:
        if who == "current" and request.installer_id is not None:
            return request.installer_id
        if who == "previous":
            earlier = [h.installer_id for h in request.history
                       if h.kind == "dispatched" and h.installer_id not in (None, request.installer_id)]
            if earlier and earlier[-1] is not None:
                return earlier[-1]
        return "stranger"

    def act(self, op: Act, racing: bool) -> None:
        """An installer's tap (or a cancel). Unless another writer may commit in between
        (`racing`), what the installer is told follows from the state they acted on."""
        before = self.request
        event = self.event_for(op)
        if not isinstance(event, Confirm | Start | Complete):
            self.apply(event)
            return
        installer_id = event.installer_id
        was_dispatched = before.was_dispatched_to(installer_id)
        is_current = installer_id == before.installer_id
        try:
            after: Installation = self.engine.apply(KIND, REQUEST_ID, event)
        except DispatchRevoked:
            assert was_dispatched, "only an installer the request was sent to learns it was revoked"
            return
        except NotFound:
            assert not was_dispatched, "an installer who had the dispatch is told it ended, not 'not found'"
            return
        except DomainError:
            assert racing or is_current, "an installer whose dispatch ended is only ever told so"
            assert racing or before.status.value not in REPEATS[type(event)], "a retried tap is never refused"
            return
        assert after.installer_id == installer_id, "only the current installer's action goes through"
        self.check_confirmation(after)
        if not racing and isinstance(event, Complete) and before.status is Status.IN_PROGRESS:
            expected = {"right": None, "wrong": FlagReason.CODE_WRONG, "none": FlagReason.CODE_MISSING}[op.code]
            assert after.flag is expected, "a completion is flagged exactly when the code is missing or wrong"

    def check_confirmation(self, request: Installation) -> None:
        """A confirmation that went through came before the revocation; at or after the reminder's
        deadline, the reminder (and its deduction) came first — one outcome at each deadline."""
        if request.confirmed_at is None or request.assignment is None:
            return
        assignment = request.assignment
        assert request.confirmed_at < assignment.revoke_at
        reminded = any(h.kind == "reminded" and h.attempt == assignment.attempt for h in request.history)
        assert reminded == (request.confirmed_at >= assignment.remind_at)

    def op(self, op: Op, racing: bool = False) -> bool:
        """Do `op`; True when it was a manager's assignment that went through."""
        match op:
            case Act():
                self.act(op, racing)
            case Manage(installer=index, stale=stale):
                installer_id = POOL[index] if index < len(POOL) else None
                try:
                    self.engine.apply(KIND, REQUEST_ID, self.assign_event(self.request, "ops:m1", installer_id,
                                                                          stale))
                except DomainError:
                    return False
                assert not stale, "an assignment naming a replaced dispatch never goes through"
                return True
            case NoInstaller():
                self.apply(NoEligibleInstaller())
            case Pickup():
                self.pickup()
        return False

    def fire(self, message: AlarmMessage) -> None:
        outcome = self.engine.fire(message)
        after = self.request
        if outcome is FireOutcome.FIRED:
            assert self.clock.now_ms() >= message.wake_at
            assert after.wake_at != message.wake_at, "a fired alarm is never due again at the same moment"
        if outcome is FireOutcome.REQUEUED:
            assert after.wake_at == message.wake_at and self.clock.now_ms() < message.wake_at

    def step(self, step: Step) -> None:
        match step:
            case Race(first=first, second=second):
                pending = self.messages()
                assigned: list[bool] = []
                if second is None:
                    if pending:
                        self.store.before_next_commit(lambda: self.fire(pending[-1]))
                else:
                    self.store.before_next_commit(lambda: assigned.append(self.op(second)))
                assigned.append(self.op(first, racing=True))
                self.store.forget_interlopers()
                assert sum(assigned) <= 1, "of two managers assigning the same dispatch, one wins"
            case Deliver(which=which, copies=copies):
                pending = self.messages()
                if pending:
                    for _ in range(copies):
                        self.fire(pending[which % len(pending)])
            case Advance(ms=ms):
                self.clock.advance(ms / 1000)
            case NearDeadline(which=which, offset_ms=offset):
                request = self.request
                assignment = request.assignment
                moments = {"remind": None if assignment is None else assignment.remind_at,
                           "revoke": None if assignment is None else assignment.revoke_at,
                           "wake": request.wake_at}
                moment = moments[which]
                if moment is not None:
                    self.clock.set(max(self.clock.now_ms(), moment + offset))
            case Sweep():
                self.engine.sweep()
            case _:
                self.op(step)
        if self.eager:
            self.pickup()

    def finish(self) -> None:
        """The clock passes the current dispatch's last deadline, or the retry alarm (beyond the
        sweeper's grace); the sweeper and every message ever sent run. Nobody picks the request up
        any more."""
        request = self.request
        last = request.confirm_deadline or request.wake_at  # a dispatch waits for both deadlines
        if last is not None:
            self.clock.set(max(self.clock.now_ms(), last + GRACE_S * 1000 + 1))
        self.engine.sweep()
        for message in self.messages():
            self.fire(message)

    # what must hold

    def check(self) -> None:
        request = self.request
        history = request.history
        writes = self.memory.writes

        per_attempt = Counter((h.attempt, h.kind) for h in history)
        for (attempt, kind), seen in per_attempt.items():
            if kind in ("dispatched", "reminded", "deducted", "revoked", "no_installer"):
                assert seen == 1, f"attempt {attempt}: {seen} × {kind}"
        assert request.revocations == count(history, "revoked")
        dispatched_to = {h.attempt: h.installer_id for h in history if h.kind == "dispatched"}
        assert request.lapsed == tuple(dispatched_to[h.attempt] for h in history if h.kind == "revoked")

        ledger = [w for w in writes if isinstance(w, LedgerEntry)]
        assert len({entry.entry_id for entry in ledger}) == len(ledger), "a ledger entry id is written once"
        assert sorted(entry.attempt for entry in ledger) == sorted(
            h.attempt for h in history if h.kind == "deducted"), "one deduction per reminded dispatch, at most"
        for entry in ledger:
            assert entry.installer_id == dispatched_to[entry.attempt] and entry.request_id == REQUEST_ID
            assert entry.amount == self.periods.deduction
        if self.periods.deduction is None:
            assert ledger == []

        workload: Counter[str] = Counter()
        for delta in (w for w in writes if isinstance(w, WorkloadChange)):
            workload[delta.installer_id] += delta.delta
        expected = {request.installer_id: 1} if request.status in ASSIGNED else {}
        assert {i: n for i, n in workload.items() if n} == expected, "open jobs add up"

        events = [e for _, reacted in self.reactions for e in reacted]
        changes = [e for e in events if isinstance(e, StatusChanged)]
        previous = Status.PENDING
        for change in changes:
            assert change.previous is previous, "each change starts where the last one ended"
            assert change.previous not in DISPATCH_TABLE.final, "nothing leaves a final status"
            assert DISPATCH_TABLE.target(change.previous, change.cause) is change.installation.status
            previous = change.installation.status
        committed = [STATUS_OF_KIND[h.kind] for h in history if h.kind in STATUS_OF_KIND]
        assert [c.installation.status for c in changes] == committed, "each commit reacted to once"
        assert previous is request.status

        reminded = Counter(e.installation.attempt for e in events if isinstance(e, Reminded))
        assert all(n == 1 for n in reminded.values()), "one reminder per dispatch"
        timeouts = Counter(e.assignment.attempt for e in events if isinstance(e, DispatchEnded)
                           and e.reason == "timeout")
        assert all(n == 1 for n in timeouts.values()) and sum(timeouts.values()) == request.revocations
        revoked_alerts = [e for e in events if isinstance(e, Alert) and e.kind == "dispatch_revoked"]
        assert len(revoked_alerts) == request.revocations, "managers hear of each revocation once"
        no_installer_alerts = [e for e in events if isinstance(e, Alert) and e.kind == "no_eligible_installer"]
        assert len(no_installer_alerts) == count(history, "no_installer")

        self.check_confirmation(request)
        now = self.clock.now_ms()
        assert request.status not in AWAITING_CONFIRMATION, "nobody waits for a confirmation past its deadline"
        assert request.wake_at is None or request.wake_at > now, "no alarm is left behind"
        if request.status is Status.PENDING:
            assert request.retry_at is not None, "a request in the pool is retried"


def count(history: tuple[HistoryEntry, ...], kind: str) -> int:
    return sum(1 for h in history if h.kind == kind)


@settings(max_examples=200, deadline=None)
@given(steps=steps, timing=period_choices, deduct=st.sampled_from([True, True, False]),
       retry_s=st.sampled_from([1, 60, 300]), start_dispatched=st.booleans(), eager=st.booleans())
def test_every_dispatch_is_reminded_deducted_and_revoked_at_most_once_and_workloads_add_up(
        steps: list[Step], timing: tuple[int, int], deduct: bool, retry_s: int, start_dispatched: bool,
        eager: bool) -> None:
    periods = Periods(timing[0] * 1000, timing[1] * 1000, CNY_5 if deduct else None)
    run = Run(periods, retry_s * 1000, start_dispatched, eager)
    for step in steps:
        run.step(step)
    run.finish()
    run.check()
    request = run.request
    event(f"a commit lost its race: {run.store.lost > 0}")
    event(f"dispatches: {min(request.attempt, 3)}{'+' if request.attempt > 3 else ''}, "
          f"revocations: {min(request.revocations, 2)}")
    event(f"outcome: {request.status.value}")
