"""The wait-state engine on the in-memory store (the same contract runs on DynamoDB in integration)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from chalicelib.core.clock import FakeClock
from chalicelib.core.observability import RecordingMetrics
from chalicelib.orders.model import Order
from chalicelib.waitstate.engine import (
    OVERDUE_GUARD_S,
    REDELIVERY,
    WaitStateEngine,
    redelivery_delay_s,
    trigger_delay_s,
)
from chalicelib.waitstate.model import AlarmMessage, EntityStore
from tests.engine_contract import EngineContract
from tests.fakes import InMemoryEntityStore
from tests.fakes.doubles import RecordingAlarmQueue


class TestEngineOnInMemoryStore(EngineContract):
    @pytest.fixture
    def store(self) -> EntityStore[Order]:
        return InMemoryEntityStore()


@pytest.mark.parametrize(("delay_ms", "delay_s"), [
    (0, 0), (-5, 0), (949, 0), (950, 1), (999, 1), (1000, 1), (9_949, 9), (9_950, 10), (9_999, 10), (10_000, 10),
    (10_001, 10),
])
def test_a_trigger_is_delayed_its_whole_seconds_or_the_next_one_when_that_is_at_most_50_ms_late(
        delay_ms: int, delay_s: int) -> None:
    # A deadline of `now + 10 s`, read a millisecond later, arrives on time instead of a second
    # early: it then holds no alarm worker while it waits for its moment.
    assert trigger_delay_s(delay_ms) == delay_s


def test_an_alarm_aws_refused_is_sent_again_after_jittered_doubling_delays_until_its_redeliveries_are_spent() -> None:
    alarms = RecordingAlarmQueue()
    engine = WaitStateEngine(alarms, FakeClock(), RecordingMetrics(), due_shards=16, sweep_interval_s=60,
                             overdue_grace_s=5)
    message = AlarmMessage("order", "ord_1", 1_795_000_000_000)
    while engine.redeliver(message, draw=lambda: 0.999):
        message = alarms.sent[-1][0]
    assert [(m.redelivery, delay_s) for m, delay_s in alarms.sent] == [(1, 1), (2, 2), (3, 4), (4, 8), (5, 8)]
    assert len(alarms.sent) == REDELIVERY.attempts - 1
    assert [redelivery_delay_s(retry, 0.0) for retry in range(5)] == [1, 1, 1, 1, 1]  # jittered from 1 s up


def test_an_alarm_whose_redelivery_sqs_refused_is_left_to_sqs_own_redelivery() -> None:
    alarms = RecordingAlarmQueue()
    alarms.fail_sends = 2
    engine = WaitStateEngine(alarms, FakeClock(), RecordingMetrics(), due_shards=16, sweep_interval_s=60,
                             overdue_grace_s=5)
    assert not engine.redeliver(AlarmMessage("order", "ord_1", 1_795_000_000_000))
    assert alarms.sent == []


def test_guarding_a_batch_that_sqs_refuses_to_guard_is_logged_and_the_batch_goes_on() -> None:
    class Unguardable(RecordingAlarmQueue):
        def redeliver_unless_done(self, receipts: Sequence[str], after_s: int) -> None:
            raise ConnectionError("SQS unreachable")

    engine = WaitStateEngine(Unguardable(), FakeClock(), RecordingMetrics(), due_shards=16, sweep_interval_s=60,
                             overdue_grace_s=5)
    engine.guard_batch([("r1", 1_795_000_000_000), ("r2", 1_795_000_000_000)])  # raises nothing


def test_a_batch_is_guarded_for_the_grace_and_a_lone_alarm_not_at_all() -> None:
    alarms = RecordingAlarmQueue()
    clock = FakeClock()
    engine = WaitStateEngine(alarms, clock, RecordingMetrics(), due_shards=16, sweep_interval_s=60,
                             overdue_grace_s=5)
    engine.guard_batch([("r1", clock.now_ms())])
    engine.guard_batch([("r1", clock.now_ms()), ("r2", clock.now_ms() - 4_999)])
    assert alarms.guarded == [(["r1", "r2"], 5)]


def test_the_overdue_alarms_of_a_batch_come_back_after_a_second_and_the_others_after_the_grace() -> None:
    alarms = RecordingAlarmQueue()
    clock = FakeClock()
    engine = WaitStateEngine(alarms, clock, RecordingMetrics(), due_shards=16, sweep_interval_s=60,
                             overdue_grace_s=5)
    now = clock.now_ms()
    engine.guard_batch([("due", now), ("overdue", now - 5_000), ("long_overdue", now - 70_000), ("early", now + 900)])
    assert alarms.guarded == [(["overdue", "long_overdue"], OVERDUE_GUARD_S), (["due", "early"], 5)]


def test_a_batch_of_overdue_alarms_alone_is_guarded_in_one_call() -> None:
    alarms = RecordingAlarmQueue()
    clock = FakeClock()
    engine = WaitStateEngine(alarms, clock, RecordingMetrics(), due_shards=16, sweep_interval_s=60,
                             overdue_grace_s=5)
    engine.guard_batch([(f"r{n}", clock.now_ms() - 6_000) for n in range(3)])
    assert alarms.guarded == [(["r0", "r1", "r2"], OVERDUE_GUARD_S)]
