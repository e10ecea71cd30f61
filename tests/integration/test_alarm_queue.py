"""Alarm triggers on SQS: the JSON body goes to the queue with the delay, capped at 15 minutes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from chalicelib.settings import ALARM_QUEUE_NAME
from chalicelib.waitstate.alarm_queue import SqsAlarmQueue
from chalicelib.waitstate.model import AlarmMessage

MESSAGE = AlarmMessage("order", "ord_1", 1_795_000_120_000)
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/ontime-alarms"


@pytest.fixture
def stubbed() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("sqs", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def test_the_message_body_is_read_back_from_the_queue(tables: dict[str, str]) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = tables[ALARM_QUEUE_NAME]
    SqsAlarmQueue(sqs, url).send(MESSAGE, 0)
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [AlarmMessage.from_json(m["Body"]) for m in received] == [MESSAGE]


def test_a_delayed_message_is_not_visible_before_its_delay(tables: dict[str, str]) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = tables[ALARM_QUEUE_NAME]
    SqsAlarmQueue(sqs, url).send(MESSAGE, 60)
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []


@pytest.mark.parametrize(("delay_s", "sent"), [(0, 0), (7, 7), (900, 900), (901, 900), (86_400, 900), (-3, 0)])
def test_the_delay_is_sent_within_what_sqs_accepts(stubbed: tuple[Any, Stubber], delay_s: int, sent: int) -> None:
    client, stubber = stubbed
    stubber.add_response("send_message", {"MessageId": "m-1", "MD5OfMessageBody": "x"},
                         {"QueueUrl": QUEUE_URL, "MessageBody": MESSAGE.to_json(), "DelaySeconds": sent})
    SqsAlarmQueue(client, QUEUE_URL).send(MESSAGE, delay_s)


def test_a_batch_of_triggers_is_read_back_from_the_queue_with_each_its_own_delay(tables: dict[str, str]) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = tables[ALARM_QUEUE_NAME]
    now, later = [AlarmMessage("order", f"ord_{n}", 1_795_000_000_000 + n) for n in range(12)], MESSAGE
    assert SqsAlarmQueue(sqs, url).send_batch([(m, 0) for m in now] + [(later, 60)]) == []
    received: list[AlarmMessage] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        received += [AlarmMessage.from_json(m["Body"]) for m in batch]
    assert sorted(received, key=lambda m: m.entity_id) == sorted(now, key=lambda m: m.entity_id)  # not the later one


def test_a_batch_reports_the_entries_sqs_refused_and_every_entry_of_a_call_that_failed(
        stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    triggers = [(AlarmMessage("order", f"ord_{n}", 1_795_000_000_000), n) for n in range(12)]
    stubber.add_response("send_message_batch", {
        "Successful": [{"Id": str(n), "MessageId": f"m-{n}", "MD5OfMessageBody": "x"} for n in range(10) if n != 3],
        "Failed": [{"Id": "3", "SenderFault": False, "Code": "InternalError"}]})
    stubber.add_client_error("send_message_batch", "ServiceUnavailable", http_status_code=503)
    assert SqsAlarmQueue(client, QUEUE_URL).send_batch(triggers) == [triggers[3], triggers[10], triggers[11]]


def test_received_triggers_whose_batch_is_not_done_come_back_after_the_time_asked(tables: dict[str, str]) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = tables[ALARM_QUEUE_NAME]
    queue = SqsAlarmQueue(sqs, url)
    assert queue.send_batch([(MESSAGE, 0), (AlarmMessage("order", "ord_2", 1_795_000_120_000), 0)]) == []
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(received) == 2 and sqs.receive_message(QueueUrl=url).get("Messages", []) == []  # in flight
    queue.redeliver_unless_done([m["ReceiptHandle"] for m in received], 0)  # the invocation died: back at once
    again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in again) == sorted(m["Body"] for m in received)
