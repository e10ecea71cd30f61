"""The local stack's fault injection itself (`devstack/faults.py`): rates checked, draws seeded and
counted, nothing struck before the stack is serving or outside an invocation, and the faults that
need no AWS (`@connections`, S3 notifications, the clock). The botocore handlers are proven
against moto in `tests/integration/test_fault_injection.py`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError

from devstack.faults import (
    CLOCK_SKEW_MAX_MS,
    FAULTS,
    S3_DELAY_MAX_S,
    ClockFaults,
    FaultPlan,
    NotificationFaults,
    SkewedClock,
    connections_fault,
    parse_rates,
)
from devstack.stats import running_handler


@pytest.fixture
def in_invocation() -> Iterator[None]:
    """As if the app's REST function were running (faults strike only inside an invocation)."""
    token = running_handler.set("rest")
    yield
    running_handler.reset(token)


def armed(rates: dict[str, float], seed: int = 0) -> FaultPlan:
    plan = FaultPlan(rates, seed)
    plan.arm()
    return plan


def draws(plan: FaultPlan, fault: str, n: int = 200) -> list[bool]:
    return [plan.strikes(fault) for _ in range(n)]


# ── the plan ───────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("rates", [{"dynamodb.throttel": 0.1}, {"sqs.send": 1.5}, {"sqs.send": -0.1}])
def test_unknown_faults_and_rates_outside_0_to_1_are_refused_and_change_nothing(rates: dict[str, float]) -> None:
    plan = FaultPlan({"sqs.send": 0.2})
    with pytest.raises(ValueError, match=r"unknown fault|between 0 and 1"):
        plan.set(rates)
    assert plan.as_json()["rates"] == {"sqs.send": 0.2}


def test_an_empty_mapping_stops_every_fault(in_invocation: None) -> None:
    plan = armed({"sqs.send": 1.0, "dynamodb.throttle": 1.0})
    plan.set({})
    assert plan.as_json()["rates"] == {}
    assert not any(draws(plan, "sqs.send"))


def test_the_same_seed_strikes_the_same_draws_and_another_seed_others(in_invocation: None) -> None:
    first, again, other = (draws(armed({"sqs.send": 0.3}, seed), "sqs.send") for seed in (7, 7, 8))
    assert first == again
    assert first != other


def test_a_rate_strikes_about_that_share_of_draws_and_every_strike_is_counted(in_invocation: None) -> None:
    plan = armed({"sqs.send": 0.2}, seed=3)
    struck = sum(draws(plan, "sqs.send", 2000))
    assert 300 < struck < 500
    assert plan.as_json()["injected"] == {"sqs.send": struck}
    assert all(draws(armed({"sqs.send": 1.0}), "sqs.send"))


def test_a_limited_fault_strikes_that_many_times_then_stops(in_invocation: None) -> None:
    plan = armed({"dynamodb.lost_answer": 1.0, "sqs.send": 1.0}, seed=1)
    plan.set({"dynamodb.lost_answer": 1.0, "sqs.send": 1.0}, limits={"dynamodb.lost_answer": 2})
    assert draws(plan, "dynamodb.lost_answer", 5) == [True, True, False, False, False]
    assert all(draws(plan, "sqs.send", 5))
    assert plan.as_json()["rates"] == {"sqs.send": 1.0}
    assert plan.as_json()["limits"] == {}
    plan.set({"sqs.send": 1.0}, limits={"sqs.send": 0})
    assert not plan.strikes("sqs.send")


def test_a_fault_given_a_handler_strikes_in_that_function_only() -> None:
    plan = armed({"kill.after_write": 1.0, "sqs.send": 1.0})
    plan.set({"kill.after_write": 1.0, "sqs.send": 1.0}, handlers={"kill.after_write": "process_videos"})
    for handler, killed in (("rest", False), ("process_videos", True), ("fire_alarms", False)):
        token = running_handler.set(handler)
        try:
            assert plan.strikes("kill.after_write") is killed and plan.strikes("sqs.send")
        finally:
            running_handler.reset(token)
    assert plan.as_json()["handlers"] == {"kill.after_write": "process_videos"}
    with pytest.raises(ValueError, match="unknown fault"):
        plan.set({"sqs.send": 1.0}, handlers={"nosuch.fault": "rest"})


@pytest.mark.parametrize("limits", [{"sqs.send": -1}, {"nosuch.fault": 1}])
def test_a_negative_or_unknown_limit_is_refused(limits: dict[str, int]) -> None:
    plan = FaultPlan({"sqs.send": 0.2})
    with pytest.raises(ValueError, match=r"unknown fault|at least 0"):
        plan.set({"sqs.send": 1.0}, limits)
    assert plan.as_json()["rates"] == {"sqs.send": 0.2}


def test_nothing_strikes_before_the_stack_arms_the_plan(in_invocation: None) -> None:
    plan = FaultPlan({"sqs.send": 1.0})
    assert not any(draws(plan, "sqs.send"))
    plan.arm()
    assert plan.strikes("sqs.send")
    assert plan.as_json()["armed"] is True


def test_an_app_fault_strikes_only_inside_an_invocation_and_an_event_source_fault_outside_too() -> None:
    plan = armed({"sqs.send": 1.0, "s3.duplicate": 1.0})
    assert not plan.strikes("sqs.send")  # the stack's own pumps and provisioning run clean
    assert plan.strikes("s3.duplicate", in_invocation=False)
    token = running_handler.set("fire_alarms")
    try:
        assert plan.strikes("sqs.send")
    finally:
        running_handler.reset(token)


def test_rates_are_parsed_from_the_command_line_form() -> None:
    assert parse_rates("dynamodb.throttle=0.05, sqs.send=0.2,") == {"dynamodb.throttle": 0.05, "sqs.send": 0.2}
    assert parse_rates("") == {}


@pytest.mark.parametrize("text", ["sqs.send", "sqs.send=lots", "nosuch.fault=0.1", "sqs.send=2"])
def test_malformed_rates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"NAME=RATE|could not convert|unknown fault|between 0 and 1"):
        parse_rates(text)


def test_every_fault_named_in_the_table_can_be_set() -> None:
    assert set(FaultPlan(dict.fromkeys(FAULTS, 0.5)).as_json()["rates"]) == set(FAULTS)


# ── @connections ──────────────────────────────────────────────────────────────────────────


class Deliveries:
    def __init__(self, status: int = 200) -> None:
        self.count = 0
        self._status = status

    def __call__(self) -> int:
        self.count += 1
        return self._status


@pytest.mark.parametrize(("fault", "status"), [("connections.error", 500), ("connections.gone", 410)])
def test_an_error_or_a_gone_answer_delivers_nothing(in_invocation: None, fault: str, status: int) -> None:
    deliveries = Deliveries()
    assert connections_fault(armed({fault: 1.0}), deliveries) == status
    assert deliveries.count == 0


def test_a_timed_out_post_was_delivered_before_its_answer_was_lost(in_invocation: None) -> None:
    deliveries = Deliveries()
    with pytest.raises(ReadTimeoutError):
        connections_fault(armed({"connections.timeout": 1.0}), deliveries)
    assert deliveries.count == 1


def test_a_post_to_a_closed_connection_answers_its_own_status_without_a_timeout(in_invocation: None) -> None:
    deliveries = Deliveries(status=410)
    assert connections_fault(armed({"connections.timeout": 1.0}), deliveries) == 410


def test_without_a_fault_a_post_is_delivered_once(in_invocation: None) -> None:
    deliveries = Deliveries()
    assert connections_fault(armed({}), deliveries) == 200
    assert deliveries.count == 1


# ── S3 notifications ──────────────────────────────────────────────────────────────────────


class RecordingQueue:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.deleted: list[str] = []

    def send_message(self, **params: Any) -> None:
        self.sent.append(params)

    def delete_message(self, **params: Any) -> None:
        self.deleted.append(params["ReceiptHandle"])


S3_BODY = json.dumps({"Records": [{"eventSource": "aws:s3", "s3": {"object": {"key": "videos/x.mp4"}}}]})
OTHER_BODY = json.dumps({"kind": "order", "entity_id": "ord_1", "wake_at": 1})


def messages() -> list[dict[str, Any]]:
    return [{"Body": S3_BODY, "ReceiptHandle": "s3"}, {"Body": OTHER_BODY, "ReceiptHandle": "other"}]


def test_a_duplicated_notification_is_delivered_now_and_sent_again_and_other_messages_are_left_alone() -> None:
    queue = RecordingQueue()
    delivered = NotificationFaults(armed({"s3.duplicate": 1.0})).filter(queue, "q", messages())
    assert delivered == messages()
    assert queue.sent == [{"QueueUrl": "q", "MessageBody": S3_BODY}]
    assert queue.deleted == []


def test_a_delayed_notification_is_not_delivered_now_but_sent_back_late() -> None:
    queue = RecordingQueue()
    delivered = NotificationFaults(armed({"s3.delay": 1.0})).filter(queue, "q", messages())
    assert [m["ReceiptHandle"] for m in delivered] == ["other"]
    [late] = queue.sent
    assert late["MessageBody"] == S3_BODY and 1 <= late["DelaySeconds"] <= S3_DELAY_MAX_S
    assert queue.deleted == ["s3"]


@pytest.mark.parametrize("body", ["not json", "[]", json.dumps({"Records": [{"eventSource": "aws:sqs"}]})])
def test_only_s3_notifications_are_duplicated(body: str) -> None:
    queue = RecordingQueue()
    faults = NotificationFaults(armed({"s3.duplicate": 1.0, "s3.delay": 1.0}))
    assert faults.filter(queue, "q", [{"Body": body, "ReceiptHandle": "h"}]) == [{"Body": body, "ReceiptHandle": "h"}]
    assert queue.sent == []


# ── the clock ─────────────────────────────────────────────────────────────────────────────


def test_a_skewed_invocation_reads_a_clock_off_by_at_most_the_maximum_and_the_next_reads_it_true(
        in_invocation: None) -> None:
    clock, faults = SkewedClock(), ClockFaults(armed({"clock.skew": 1.0}, seed=5))
    offsets = []
    for _ in range(50):
        token = faults.skew_for_invocation()
        offsets.append(_skew_of(clock))
        faults.reset(token)
        assert abs(_skew_of(clock)) <= 1  # reset: the true time again
    assert all(abs(offset) <= CLOCK_SKEW_MAX_MS + 1 for offset in offsets)
    assert max(offsets) > CLOCK_SKEW_MAX_MS / 2 and min(offsets) < -CLOCK_SKEW_MAX_MS / 2


def _skew_of(clock: SkewedClock) -> int:
    return clock.now_ms() - time.time_ns() // 1_000_000
