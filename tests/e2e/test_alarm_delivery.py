"""The alarm trigger misbehaving as SQS may: delivered twice, delivered late, or lost.

These tests reach the alarm queue through boto3 at the stack's moto endpoint — what an operator
with console access could do — and otherwise watch the order only as its parties do.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from chalicelib.settings import ALARM_QUEUE_NAME, Settings
from tests.e2e.client import WAIT_S, StackUrls, epoch_s, status_changed
from tests.e2e.conftest import SWEEP_INTERVAL_S, Parties

pytestmark = pytest.mark.e2e

GRACE_S = Settings.from_env({"ONTIME_STAGE": "local"}).overdue_grace_s
"""How overdue an alarm must be before the sweeper re-sends its trigger (the local stage's default)."""
LATE_COPY_DELAY_S = 3


class AlarmQueue:
    def __init__(self, aws_url: str) -> None:
        self.sqs: Any = boto3.client("sqs", endpoint_url=aws_url, region_name="us-east-1",
                                     aws_access_key_id="local", aws_secret_access_key="local")
        self.url: str = self.sqs.get_queue_url(QueueName=ALARM_QUEUE_NAME)["QueueUrl"]

    def send_copy(self, order: dict[str, Any], delay_s: int = 0) -> None:
        """The trigger the engine sends for this order's window, as SQS would deliver it."""
        wake_at = round(epoch_s(order["answer_deadline"]) * 1000)
        body = json.dumps({"kind": "order", "entity_id": order["order_id"], "wake_at": wake_at})
        self.sqs.send_message(QueueUrl=self.url, MessageBody=body, DelaySeconds=delay_s)

    def counts(self) -> dict[str, int]:
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                 "ApproximateNumberOfMessagesDelayed"]
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=names)["Attributes"]
        return {name.removeprefix("ApproximateNumberOfMessages") or "Visible": int(attributes[name])
                for name in names}

    def wait_until_consumed(self, sent_at: float, delay_s: int) -> None:
        """Until a copy sent at `sent_at` with `delay_s` has been received and deleted: once it is no
        longer delayed, nothing may be left visible or in flight."""
        time.sleep(max(0.0, sent_at + delay_s + 0.1 - time.time()))
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            counts = self.counts()
            if counts["Visible"] == 0 and counts["NotVisible"] == 0:
                return
            time.sleep(0.1)
        raise AssertionError(f"the alarm queue still holds messages: {self.counts()}")


@pytest.fixture
def alarm_queue(stack: StackUrls) -> Iterator[AlarmQueue]:
    queue = AlarmQueue(stack.aws)
    yield queue
    queue.sqs.close()


def test_duplicated_and_late_alarm_messages_make_one_transition(parties: Parties, alarm_queue: AlarmQueue) -> None:
    shop = parties.shop(window_s=2)
    customer = parties.customer()
    phone = parties.terminal(customer)
    order = parties.place(customer, shop)
    order_id = order["order_id"]

    alarm_queue.send_copy(order)  # a duplicate, delivered now (early)
    outcome = phone.wait_for(status_changed(order_id), timeout_s=shop.window_s + WAIT_S)
    assert outcome["data"]["status"] == "not_connected"

    late_sent_at = time.time()
    alarm_queue.send_copy(order, delay_s=LATE_COPY_DELAY_S)  # and one delivered seconds after the outcome
    alarm_queue.wait_until_consumed(late_sent_at, LATE_COPY_DELAY_S)
    phone.drain(quiet_s=0.5)
    assert [m["data"]["status"] for m in phone.about(order_id, "order.status_changed")] == ["not_connected"]
    seen = customer.get(f"/orders/{order_id}").json()
    assert [h["cause"] for h in seen["history"]] == ["place", "deadline"]


def test_alarm_whose_message_was_lost_is_fired_by_the_sweeper(parties: Parties, alarm_queue: AlarmQueue) -> None:
    shop = parties.shop(window_s=2)
    customer = parties.customer()
    phone = parties.terminal(customer)
    order = parties.place(customer, shop)

    # The order's trigger is a message delayed until about its deadline: purge it.
    alarm_queue.sqs.purge_queue(QueueUrl=alarm_queue.url)
    assert alarm_queue.counts() == {"Visible": 0, "NotVisible": 0, "Delayed": 0}  # delayed ones go too

    # No GET in the meantime: reading an overdue order settles it, which would hide the sweeper.
    outcome = phone.wait_for(status_changed(order["order_id"]), timeout_s=shop.window_s + GRACE_S + WAIT_S)
    assert outcome["data"]["status"] == "not_connected"
    lateness_s = outcome["_received_at"] - epoch_s(order["answer_deadline"])
    # Not before the grace period (so not by the lost trigger), and within one sweep after it.
    assert GRACE_S - 0.1 <= lateness_s <= GRACE_S + SWEEP_INTERVAL_S + 1.5
