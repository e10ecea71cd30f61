"""The wait-state engine's behaviour, whatever store it runs on.

`EngineContract` is collected through its subclasses: `tests/unit/test_engine.py` runs it on the
in-memory fake store, `tests/integration/test_engine_contract_dynamo.py` on the DynamoDB
`OrderStore` in moto. A behaviour that passes on the fake but fails on DynamoDB means the fake lies.

The workflow driven here is the real order workflow (its decider and alarm event); reactions
are recorded instead of pushed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from chalicelib.core.contention import DEFAULT_BACKOFF
from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate, NotFound, WindowClosed
from chalicelib.core.observability import RecordingMetrics
from chalicelib.orders import decider
from chalicelib.orders.model import Answer, Deadline, Fetch, MerchantAction, Order, Status, StatusChanged
from chalicelib.persistence.entity_store import due_shard
from chalicelib.waitstate.engine import Change, FireOutcome, WaitStateEngine
from chalicelib.waitstate.model import AlarmMessage, DueAlarm, EntityStore, Workflow
from tests.builders import T0, a_resubmit, an_order
from tests.fakes import HookedClock, InterleavingStore, RecordingAlarmQueue

KIND = "order"
GRACE_S = 5


@dataclass
class Rig:
    """An engine on a store, with a fake clock, a recording queue and recorded reactions."""

    store: InterleavingStore[Order]
    clock: HookedClock = field(default_factory=lambda: HookedClock(T0))
    alarms: RecordingAlarmQueue = field(default_factory=RecordingAlarmQueue)
    metrics: RecordingMetrics = field(default_factory=RecordingMetrics)
    reactions: list[tuple[Order, tuple[object, ...]]] = field(default_factory=list)
    reactions_fail: bool = False

    def __post_init__(self) -> None:
        self.engine = WaitStateEngine(self.alarms, self.clock, self.metrics, due_shards=16, sweep_interval_s=60,
                                      overdue_grace_s=GRACE_S)
        self.engine.register(Workflow(kind=KIND, store=self.store, decide=decider.decide, alarm_event=Deadline,
                                      react=self.react))

    def react(self, entity: Order, events: tuple[object, ...], now: int) -> None:
        self.reactions.append((entity, events))
        if self.reactions_fail:
            raise ConnectionError("the push endpoint is down")

    def place(self, order_id: str = "ord_1", window_ms: int = 120_000) -> Order:
        placed: Order = self.engine.start(KIND, an_order(id=order_id, now=self.clock.now_ms(), window_ms=window_ms))
        return placed

    def act(self, order_id: str, event: object) -> Order:
        acted: Order = self.engine.apply(KIND, order_id, event)
        return acted

    def current(self, order_id: str = "ord_1") -> Order:
        stored = self.store.load(order_id)
        assert stored is not None
        return stored.entity

    def alarm_of(self, order: Order) -> AlarmMessage:
        assert order.wake_at is not None
        return AlarmMessage(KIND, order.id, order.wake_at)

    def status_changes(self) -> list[tuple[str, str]]:
        return [(e.previous.value, e.order.status.value) for _, events in self.reactions for e in events
                if isinstance(e, StatusChanged)]


def accept() -> Answer:
    return Answer(MerchantAction.ACCEPT)


class EngineContract:
    @pytest.fixture
    def store(self) -> EntityStore[Order]:
        raise NotImplementedError("a subclass provides the store under test")

    @pytest.fixture
    def rig(self, store: EntityStore[Order]) -> Rig:
        return Rig(InterleavingStore(store))

    # ── triggers at write time ────────────────────────────────────────────────────────────

    def test_starting_sends_the_trigger_delayed_to_the_whole_second_before_the_alarm(self, rig: Rig) -> None:
        order = rig.place(window_ms=120_700)
        assert rig.alarms.sent == [(rig.alarm_of(order), 120)]

    def test_an_alarm_beyond_the_sqs_delay_limit_gets_no_trigger_at_write(self, rig: Rig) -> None:
        rig.place(window_ms=900_001)
        assert rig.alarms.sent == []

    def test_an_alarm_exactly_at_the_sqs_delay_limit_is_triggered_at_write(self, rig: Rig) -> None:
        order = rig.place(window_ms=900_000)
        assert rig.alarms.sent == [(rig.alarm_of(order), 900)]

    def test_the_sweeper_hands_over_a_far_alarm_once_it_comes_into_range(self, rig: Rig) -> None:
        order = rig.place(window_ms=30 * 60_000)
        assert rig.engine.sweep().enqueued == 0
        rig.clock.set(order.answer_deadline - 70_000)
        report = rig.engine.sweep()
        assert report.enqueued == 1 and report.overdue == 0
        assert rig.alarms.sent == [(rig.alarm_of(order), 70)]

    def test_a_trigger_sqs_refused_once_is_sent_again_at_once(self, rig: Rig) -> None:
        rig.alarms.fail_sends = 1
        order = rig.place(window_ms=120_700)
        assert rig.alarms.sent == [(rig.alarm_of(order), 120)]

    def test_a_trigger_sqs_refused_twice_does_not_fail_the_write_and_the_next_sweep_sends_it(self, rig: Rig) -> None:
        rig.alarms.fail_sends = 2
        order = rig.place()
        assert rig.current().status is Status.NEW and rig.alarms.sent == []
        stored = rig.store.load(order.id)
        assert stored is not None and stored.alarm_set_at is None and stored.entity.version == order.version
        rig.clock.set(order.answer_deadline - 10_000)  # not overdue: no grace to wait for
        report = rig.engine.sweep()
        assert (report.enqueued, report.overdue) == (1, 0)
        assert rig.alarms.sent == [(rig.alarm_of(order), 10)]
        rig.clock.set(order.answer_deadline)
        assert rig.engine.fire(rig.alarms.take()[0]) is FireOutcome.FIRED
        assert rig.current().status is Status.NOT_CONNECTED

    def test_a_lost_trigger_whose_mark_failed_too_is_recovered_once_overdue(self, rig: Rig) -> None:
        rig.alarms.fail_sends, rig.store.marks_fail = 2, True
        order = rig.place()
        rig.clock.set(order.answer_deadline)
        assert rig.engine.sweep().enqueued == 0  # its trigger may still be on its way, for all the sweep knows
        rig.clock.set(order.answer_deadline + GRACE_S * 1000 + 1)
        assert rig.engine.sweep().overdue == 1
        (message,) = rig.alarms.take()
        assert rig.engine.fire(message) is FireOutcome.FIRED
        assert rig.current().status is Status.NOT_CONNECTED

    def test_marking_a_trigger_unsent_leaves_an_alarm_that_has_moved_on_alone(self, rig: Rig) -> None:
        order = rig.place()
        rig.act(order.id, Answer(MerchantAction.RETURN, reason="no beef today"))
        rig.clock.advance(10)
        moved = rig.act(order.id, a_resubmit(window_ms=60_000))
        assert moved.wake_at is not None and order.wake_at is not None and moved.wake_at != order.wake_at
        rig.store.mark_trigger_unsent(order.id, order.wake_at)
        stored = rig.store.load(order.id)
        assert stored is not None and stored.alarm_set_at is not None and stored.entity == moved

    def test_a_sweep_whose_send_sqs_refused_sends_it_again_and_goes_on_with_the_rest(self, rig: Rig) -> None:
        rig.alarms.fail_sends = 4
        first, second = rig.place("ord_1"), rig.place("ord_2")
        assert rig.alarms.sent == []
        rig.clock.set(max(first.answer_deadline, second.answer_deadline) + GRACE_S * 1000 + 1)
        rig.alarms.fail_sends = 1  # the first alarm's send fails once, then goes: the second is sent too
        report = rig.engine.sweep()
        assert (report.enqueued, report.unsent) == (2, 0)
        assert sorted(m.entity_id for m in rig.alarms.take()) == ["ord_1", "ord_2"]

    def test_an_alarm_sqs_refused_twice_in_a_sweep_is_left_to_the_next_one_and_the_rest_are_sent(
            self, rig: Rig) -> None:
        rig.alarms.fail_sends = 4
        first, second = rig.place("ord_1"), rig.place("ord_2")
        rig.clock.set(max(first.answer_deadline, second.answer_deadline) + GRACE_S * 1000 + 1)
        rig.alarms.fail_sends = 3  # both refused in the sweep's batch, then the first again
        report = rig.engine.sweep()
        assert (report.enqueued, report.unsent) == (1, 1)
        assert len(rig.alarms.take()) == 1
        assert rig.engine.sweep().enqueued == 2  # the next sweep sends both (the sent one is still due too)

    def test_the_sweeper_leaves_a_triggered_alarm_alone_until_it_is_overdue_beyond_grace(self, rig: Rig) -> None:
        order = rig.place()
        rig.alarms.take()
        for moment in (order.answer_deadline - 30_000, order.answer_deadline, order.answer_deadline + GRACE_S * 1000):
            rig.clock.set(moment)
            assert rig.engine.sweep().enqueued == 0, moment
        rig.clock.set(order.answer_deadline + GRACE_S * 1000 + 1)
        report = rig.engine.sweep()
        assert (report.enqueued, report.overdue) == (1, 1)
        assert rig.alarms.sent == [(rig.alarm_of(order), 0)]

    def test_a_slow_sweep_judges_an_alarm_overdue_when_it_reads_its_shard_not_when_it_began(
            self, rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
        order_id = next(f"ord_{n}" for n in range(100) if due_shard(f"ord_{n}", 16) == 15)
        order = rig.place(order_id)
        rig.alarms.take()  # its trigger is lost on the way
        read = rig.store.due

        def slow_due(shard: int, until_ms: int) -> list[DueAlarm]:
            rig.clock.advance(0.1)  # each shard's query takes 100 ms under load
            return read(shard, until_ms)

        monkeypatch.setattr(rig.store, "due", slow_due)
        rig.clock.set(order.answer_deadline + GRACE_S * 1000 - 1000)  # overdue 600 ms into the sweep
        report = rig.engine.sweep()
        assert (report.enqueued, report.overdue) == (1, 1)
        assert [m.entity_id for m in rig.alarms.take()] == [order_id]

    def test_the_sweeper_finds_due_alarms_in_every_shard(self, rig: Rig) -> None:
        ids = [f"ord_{n}" for n in range(40)]
        assert len({due_shard(order_id, 16) for order_id in ids}) >= 12
        for order_id in ids:
            rig.place(order_id, window_ms=20 * 60_000)
        rig.clock.advance(20 * 60 - 30)
        assert rig.engine.sweep().enqueued == len(ids)
        assert sorted(m.entity_id for m in rig.alarms.take()) == sorted(ids)
        assert rig.alarms.batches == [10, 10, 10, 10]  # sent ten at a time as they are found

    def test_an_action_that_moves_the_alarm_sends_a_new_trigger_and_one_that_keeps_it_does_not(
            self, rig: Rig) -> None:
        order = rig.place()
        rig.alarms.take()
        rig.act(order.id, Fetch())
        assert rig.alarms.sent == []  # same deadline: the trigger already sent still stands
        rig.act(order.id, Answer(MerchantAction.RETURN, reason="no beef today"))
        rig.clock.advance(10)
        resubmitted = rig.act(order.id, a_resubmit(window_ms=60_000))
        assert rig.alarms.sent == [(rig.alarm_of(resubmitted), 60)]

    # ── reading ───────────────────────────────────────────────────────────────────────────

    def test_a_reader_gets_an_entity_whose_alarm_is_not_due_as_it_was_read(self, rig: Rig) -> None:
        order = rig.place()
        rig.clock.set(order.answer_deadline - 1)
        assert rig.engine.settled(KIND, order) == order
        assert rig.status_changes() == []

    def test_a_reader_of_an_entity_whose_alarm_is_due_settles_it_and_the_late_trigger_is_dropped(
            self, rig: Rig) -> None:
        order = rig.place()
        rig.clock.set(order.answer_deadline)
        read = rig.engine.settled(KIND, order)
        assert read.status is Status.NOT_CONNECTED and rig.current() == read
        assert rig.engine.fire(rig.alarm_of(order)) is FireOutcome.STALE
        assert rig.status_changes() == [("new", "not_connected")]

    # ── firing ────────────────────────────────────────────────────────────────────────────

    def test_a_trigger_at_its_moment_adjudicates_the_window(self, rig: Rig) -> None:
        order = rig.place()
        rig.clock.set(order.answer_deadline)
        assert rig.engine.fire(rig.alarm_of(order)) is FireOutcome.FIRED
        assert rig.current().status is Status.NOT_CONNECTED
        assert rig.status_changes() == [("new", "not_connected")]
        assert rig.metrics.values("AlarmLateness") == [0]

    def test_a_trigger_late_by_minutes_still_adjudicates_and_reports_its_lateness(self, rig: Rig) -> None:
        order = rig.place()
        rig.act(order.id, Fetch())
        rig.clock.set(order.answer_deadline + 5 * 60_000)
        assert rig.engine.fire(rig.alarm_of(order)) is FireOutcome.FIRED
        assert rig.current().status is Status.UNANSWERED
        assert rig.metrics.values("AlarmLateness") == [5 * 60_000]

    def test_a_duplicated_trigger_changes_the_state_once(self, rig: Rig) -> None:
        order = rig.place()
        rig.clock.set(order.answer_deadline + 1)
        outcomes = [rig.engine.fire(rig.alarm_of(order)) for _ in range(3)]
        assert outcomes == [FireOutcome.FIRED, FireOutcome.STALE, FireOutcome.STALE]
        assert rig.status_changes() == [("new", "not_connected")]

    def test_a_trigger_for_an_alarm_that_was_cleared_is_dropped(self, rig: Rig) -> None:
        order = rig.place()
        rig.act(order.id, accept())
        rig.clock.set(order.answer_deadline + 60_000)
        assert rig.engine.fire(rig.alarm_of(order)) is FireOutcome.STALE
        assert rig.current().status is Status.ACCEPTED

    def test_a_trigger_for_an_alarm_that_was_moved_is_dropped_and_the_new_one_fires(self, rig: Rig) -> None:
        first = rig.place()
        rig.act(first.id, Answer(MerchantAction.RETURN, reason="no beef today"))
        rig.clock.advance(30)
        second = rig.act(first.id, a_resubmit())
        rig.clock.set(first.answer_deadline)
        assert rig.engine.fire(rig.alarm_of(first)) is FireOutcome.STALE
        assert rig.current().status is Status.NEW
        rig.clock.set(second.answer_deadline)
        assert rig.engine.fire(rig.alarm_of(second)) is FireOutcome.FIRED
        assert rig.current().status is Status.NOT_CONNECTED and rig.current().round == 2

    def test_a_trigger_for_an_unknown_entity_is_dropped(self, rig: Rig) -> None:
        assert rig.engine.fire(AlarmMessage(KIND, "ord_missing", T0)) is FireOutcome.STALE

    def test_a_trigger_more_than_1_5_s_early_is_requeued_for_the_remaining_whole_seconds(self, rig: Rig) -> None:
        order = rig.place()
        rig.alarms.take()
        for early_ms, delay_s in ((10_400, 10), (1_501, 1)):
            rig.clock.set(order.answer_deadline - early_ms)
            assert rig.engine.fire(rig.alarm_of(order)) is FireOutcome.REQUEUED
            assert rig.alarms.sent == [(rig.alarm_of(order), delay_s)]
            rig.alarms.take()
        assert rig.current().status is Status.NEW

    def test_a_trigger_up_to_1_5_s_early_waits_for_its_moment_then_fires(self, rig: Rig) -> None:
        order = rig.place()
        rig.alarms.take()
        rig.clock.set(order.answer_deadline - 1_500)
        assert rig.engine.fire(rig.alarm_of(order)) is FireOutcome.FIRED
        assert rig.clock.slept == [1_500] and rig.clock.now_ms() == order.answer_deadline
        assert rig.current().status is Status.NOT_CONNECTED and rig.alarms.sent == []

    def test_a_trigger_up_to_1_5_s_early_reads_the_entity_once(self, rig: Rig) -> None:
        order = rig.place()
        rig.clock.set(order.answer_deadline - 1_000)
        loads = rig.store.loads
        assert rig.engine.fire(rig.alarm_of(order)) is FireOutcome.FIRED
        assert rig.store.loads - loads == 1 and rig.clock.slept == [1_000]

    def test_a_stale_trigger_up_to_1_5_s_early_is_dropped_without_waiting(self, rig: Rig) -> None:
        order = rig.place()
        rig.act(order.id, accept())
        rig.clock.set(order.answer_deadline - 1_000)
        assert rig.engine.fire(rig.alarm_of(order)) is FireOutcome.STALE
        assert rig.clock.slept == [] and rig.current().status is Status.ACCEPTED

    def test_a_fetch_given_while_an_early_trigger_waits_makes_it_decide_unanswered(self, rig: Rig) -> None:
        order = rig.place()
        rig.clock.set(order.answer_deadline - 1_000)
        rig.clock.during_next_sleep(lambda: rig.act(order.id, Fetch()))
        assert rig.engine.fire(rig.alarm_of(order)) is FireOutcome.FIRED
        assert rig.current().status is Status.UNANSWERED
        assert rig.status_changes() == [("new", "connected"), ("connected", "unanswered")]

    def test_an_answer_given_while_an_early_trigger_waits_wins(self, rig: Rig) -> None:
        order = rig.place()
        rig.clock.set(order.answer_deadline - 1_000)
        rig.clock.during_next_sleep(lambda: rig.act(order.id, accept()))  # decided before the deadline
        assert rig.engine.fire(rig.alarm_of(order)) is FireOutcome.STALE
        assert rig.clock.slept == [1_000]
        assert rig.current().status is Status.ACCEPTED

    # ── races between an alarm and an action ──────────────────────────────────────────────

    def test_a_fetch_committed_between_the_alarms_read_and_write_makes_the_alarm_decide_unanswered(
            self, rig: Rig) -> None:
        order = rig.place()
        fetched_in_time = decider.decide(order, Fetch(), order.answer_deadline - 100).state
        rig.clock.set(order.answer_deadline)
        rig.store.before_next_commit(lambda: rig.store.inner.commit(fetched_in_time, order.version, T0))
        assert rig.engine.fire(rig.alarm_of(order)) is FireOutcome.FIRED
        assert rig.store.lost == 1
        assert rig.current().status is Status.UNANSWERED
        assert rig.status_changes() == [("connected", "unanswered")]

    def test_an_answer_committed_between_the_alarms_read_and_write_wins_and_the_alarm_is_dropped(
            self, rig: Rig) -> None:
        order = rig.place()
        accepted_in_time = decider.decide(order, accept(), order.answer_deadline - 100).state
        rig.clock.set(order.answer_deadline)
        rig.store.before_next_commit(lambda: rig.store.inner.commit(accepted_in_time, order.version, None))
        assert rig.engine.fire(rig.alarm_of(order)) is FireOutcome.STALE
        assert rig.current().status is Status.ACCEPTED
        assert rig.status_changes() == []  # the interloper wrote behind the engine's back

    def test_an_action_that_loses_to_the_alarm_rereads_and_is_refused_as_late(self, rig: Rig) -> None:
        order = rig.place()
        rig.alarms.take()
        rig.clock.set(order.answer_deadline - 50)
        rig.store.before_next_commit(lambda: rig.engine.fire(rig.alarm_of(order)))  # waits 50 ms, adjudicates
        with pytest.raises(WindowClosed):
            rig.act(order.id, accept())
        assert rig.current().status is Status.NOT_CONNECTED
        assert rig.status_changes() == [("new", "not_connected")]

    # ── applying events ───────────────────────────────────────────────────────────────────

    def test_a_decision_that_changes_nothing_writes_nothing(self, rig: Rig) -> None:
        order = rig.place()
        rig.act(order.id, Fetch())
        version = rig.current().version
        rig.act(order.id, Fetch())
        assert rig.current().version == version
        assert rig.status_changes() == [("new", "connected")]

    def test_a_late_action_commits_the_adjudication_before_it_is_refused(self, rig: Rig) -> None:
        order = rig.place()
        rig.clock.set(order.answer_deadline)
        with pytest.raises(WindowClosed):
            rig.act(order.id, accept())
        assert rig.current().status is Status.NOT_CONNECTED
        assert rig.engine.fire(rig.alarm_of(order)) is FireOutcome.STALE
        assert rig.status_changes() == [("new", "not_connected")]

    def test_acting_on_an_unknown_or_invisible_entity_is_not_found(self, rig: Rig) -> None:
        order = rig.place()
        with pytest.raises(NotFound):
            rig.act("ord_missing", Fetch())
        with pytest.raises(NotFound):
            rig.engine.apply(KIND, order.id, Fetch(), lambda entity: False)
        assert rig.current().status is Status.NEW

    def test_each_commit_bumps_the_version_by_one(self, rig: Rig) -> None:
        order = rig.place()
        fetched = rig.act(order.id, Fetch())
        accepted = rig.act(order.id, accept())
        assert (order.version + 1, order.version + 2) == (fetched.version, accepted.version)
        assert rig.current() == accepted

    def test_a_failing_reaction_neither_fails_nor_undoes_a_committed_change(self, rig: Rig) -> None:
        rig.reactions_fail = True
        order = rig.place()
        assert rig.act(order.id, Fetch()).status is Status.CONNECTED
        rig.clock.set(order.answer_deadline)
        assert rig.engine.fire(rig.alarm_of(order)) is FireOutcome.FIRED
        assert rig.current().status is Status.UNANSWERED
        assert rig.status_changes() == [("new", "connected"), ("connected", "unanswered")]

    def test_starting_the_same_entity_twice_is_refused(self, rig: Rig) -> None:
        rig.place()
        with pytest.raises(AlreadyExists):
            rig.place()

    # ── contention ────────────────────────────────────────────────────────────────────────

    def _another_writer_before_each_of_the_next_commits(self, rig: Rig, order_id: str, times: int) -> None:
        def touch() -> None:  # commits the entity unchanged: only its version moves on
            stored = rig.store.inner.load(order_id)
            assert stored is not None
            rig.store.inner.commit(stored.entity, stored.entity.version, stored.alarm_set_at)

        for _ in range(times):
            rig.store.before_next_commit(touch)

    def test_an_action_that_loses_a_few_races_backs_off_rereads_and_commits(self, rig: Rig) -> None:
        order = rig.place()
        self._another_writer_before_each_of_the_next_commits(rig, order.id, 3)
        assert rig.act(order.id, Fetch()).status is Status.CONNECTED
        assert rig.store.lost == 3 and len(rig.clock.slept) == 3  # one jittered wait after each loss
        assert rig.status_changes() == [("new", "connected")]

    def test_an_action_that_keeps_losing_gives_up_with_a_concurrent_update_and_changes_nothing(
            self, rig: Rig) -> None:
        order = rig.place()
        self._another_writer_before_each_of_the_next_commits(rig, order.id, DEFAULT_BACKOFF.attempts)
        with pytest.raises(ConcurrentUpdate) as gave_up:
            rig.act(order.id, Fetch())
        assert gave_up.value.status == 409 and "retry" in gave_up.value.detail
        assert rig.store.lost == DEFAULT_BACKOFF.attempts
        assert rig.current().status is Status.NEW and rig.status_changes() == []

    def test_an_alarm_that_keeps_losing_reports_the_lost_race_for_its_message_to_come_again(
            self, rig: Rig) -> None:
        order = rig.place()
        rig.clock.set(order.answer_deadline)
        self._another_writer_before_each_of_the_next_commits(rig, order.id, DEFAULT_BACKOFF.attempts)
        assert rig.engine.fire(rig.alarm_of(order)) is FireOutcome.LOST_RACE
        assert rig.current().status is Status.NEW
        rig.store.forget_interlopers()
        assert rig.engine.fire(rig.alarm_of(order)) is FireOutcome.FIRED  # the redelivered message
        assert rig.current().status is Status.NOT_CONNECTED

    def test_of_two_callers_with_the_same_event_only_the_one_whose_write_committed_is_told_so(
            self, rig: Rig) -> None:
        order = rig.place()
        others: list[Change] = []
        rig.store.before_next_commit(lambda: others.append(rig.engine.change(KIND, order.id, Fetch())))
        mine = rig.engine.change(KIND, order.id, Fetch())
        assert [c.committed for c in others] == [True] and mine.committed is False
        assert mine.entity == others[0].entity == rig.current()
        assert rig.status_changes() == [("new", "connected")]
