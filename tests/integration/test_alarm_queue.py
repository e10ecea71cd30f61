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
