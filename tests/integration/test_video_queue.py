"""The video pipeline's plumbing as the template declares it, on moto: an object created under
`uploads/` of the video bucket notifies the video queue (nothing else does), the local stack's pump
hands the notification to `process_videos`, and a notification whose processing keeps failing
ends in the dead-letter queue after the template's `maxReceiveCount` receives."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from chalicelib.core.batches import batch_response
from chalicelib.groupbuy.handlers import Upload, uploads_in
from chalicelib.groupbuy.video_infra import MAX_RECEIVES, VIDEO_DEAD_LETTER_QUEUE_NAME, VIDEO_QUEUE_NAME
from devstack.provision import infra_resources, local_bucket_name, provision
from devstack.pumps import SqsPump

REGION = "us-east-1"
BUCKET = local_bucket_name("VideoBucket")
WAIT_S = 10.0


@pytest.fixture
def account() -> Iterator[tuple[Any, Any, dict[str, str]]]:
    """A fresh moto account provisioned from the template, the video queue's visibility timeout
    0 s so that a failed message is received again at once (the template's is 30 minutes)."""
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        s3, sqs = session.client("s3"), session.client("sqs")
        urls = provision(session.client("dynamodb"), sqs, s3=s3, visibility_timeout_s={VIDEO_QUEUE_NAME: 0})
        yield s3, sqs, urls


def bodies(sqs: Any, url: str) -> list[str]:
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [m["Body"] for m in received]


def eventually(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, "not within the wait"
        time.sleep(0.02)


class Runtime:
    """Stands in for the stack's Lambda runtime: records what `process_videos` would get."""

    def __init__(self, fail: bool = False, failing_keys: frozenset[str] = frozenset()) -> None:
        self.fail = fail
        self.failing_keys = failing_keys
        self.invocations: list[tuple[str, list[Upload]]] = []
        self.lock = threading.Lock()

    def invoke(self, handler: str, event: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.invocations.append((handler, [u for r in event["Records"] for u in uploads_in(r["body"])]))
        if self.fail:
            raise RuntimeError("processing failed")
        return batch_response(r["messageId"] for r in event["Records"]
                              if any(u.key in self.failing_keys for u in uploads_in(r["body"])))


def video_pump(runtime: Runtime, sqs: Any, urls: dict[str, str], batch_size: int = 1) -> SqsPump:
    """One batch at a time: with a visibility timeout of 0 a second worker would take it again."""
    return SqsPump(runtime, sqs, urls[VIDEO_QUEUE_NAME], "process_videos", region=REGION,  # type: ignore[arg-type]
                   batch_size=batch_size, concurrency=1)


def test_the_template_has_the_bucket_notify_the_video_queue_of_uploads_only() -> None:
    [configuration] = infra_resources("AWS::S3::Bucket")["VideoBucket"]["NotificationConfiguration"][
        "QueueConfigurations"]
    assert configuration["Queue"] == {"Fn::GetAtt": ["VideoQueue", "Arn"]}
    assert configuration["Filter"] == {"S3Key": {"Rules": [{"Name": "prefix", "Value": "uploads/"}]}}


def test_an_upload_notifies_the_video_queue_with_its_bucket_key_and_size(
        account: tuple[Any, Any, dict[str, str]]) -> None:
    s3, sqs, urls = account
    s3.put_object(Bucket=BUCKET, Key="uploads/v_1/u 1.mp4", Body=b"x" * 321, ContentType="video/mp4")
    s3.put_object(Bucket=BUCKET, Key="videos/d_1/o_1.mp4", Body=b"y", ContentType="video/mp4")  # an output: no
    received = bodies(sqs, urls[VIDEO_QUEUE_NAME])
    assert json.loads(received[0])["Event"] == "s3:TestEvent"  # sent when the configuration was set
    assert [u for body in received for u in uploads_in(body)] == [Upload(BUCKET, "uploads/v_1/u 1.mp4", 321)]


def test_the_pump_hands_each_notification_to_process_videos_and_deletes_it_when_it_returns(
        account: tuple[Any, Any, dict[str, str]]) -> None:
    s3, sqs, urls = account
    runtime = Runtime()
    pump = video_pump(runtime, sqs, urls)
    pump.start()
    try:
        s3.put_object(Bucket=BUCKET, Key="uploads/v_2/u_2.mov", Body=b"z" * 10)
        eventually(lambda: any(uploads for _, uploads in runtime.invocations))
    finally:
        pump.stop()
    assert [i for i in runtime.invocations if i[1]] == [("process_videos", [Upload(BUCKET, "uploads/v_2/u_2.mov", 10)])]
    eventually(lambda: bodies(sqs, urls[VIDEO_QUEUE_NAME]) == [])


def test_a_notification_that_keeps_failing_lands_in_the_dead_letter_queue_after_max_receives(
        account: tuple[Any, Any, dict[str, str]]) -> None:
    s3, sqs, urls = account
    sqs.purge_queue(QueueUrl=urls[VIDEO_QUEUE_NAME])  # the test event
    runtime = Runtime(fail=True)
    pump = video_pump(runtime, sqs, urls)
    s3.put_object(Bucket=BUCKET, Key="uploads/v_3/u_3.mp4", Body=b"w" * 7)
    dead = dead_letters_once_running(pump, sqs, urls)
    assert [u for body in dead for u in uploads_in(body)] == [Upload(BUCKET, "uploads/v_3/u_3.mp4", 7)]
    assert len(runtime.invocations) == MAX_RECEIVES


def test_the_pump_deletes_the_messages_of_a_batch_but_those_reported_failed(
        account: tuple[Any, Any, dict[str, str]]) -> None:
    """As Lambda does with `ReportBatchItemFailures`: the failed message alone comes back, until it
    is dead-lettered; its neighbours are processed once."""
    s3, sqs, urls = account
    sqs.purge_queue(QueueUrl=urls[VIDEO_QUEUE_NAME])  # the test event
    runtime = Runtime(failing_keys=frozenset({"uploads/v_5/bad.mp4"}))
    for key in ("uploads/v_4/a.mp4", "uploads/v_5/bad.mp4", "uploads/v_6/c.mp4"):
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"v")
    pump = video_pump(runtime, sqs, urls, batch_size=10)
    dead = dead_letters_once_running(pump, sqs, urls)
    assert [u.key for body in dead for u in uploads_in(body)] == ["uploads/v_5/bad.mp4"]
    handed = [u.key for _, uploads in runtime.invocations for u in uploads]
    assert sorted(set(handed)) == ["uploads/v_4/a.mp4", "uploads/v_5/bad.mp4", "uploads/v_6/c.mp4"]
    assert (handed.count("uploads/v_4/a.mp4"), handed.count("uploads/v_6/c.mp4")) == (1, 1)
    assert handed.count("uploads/v_5/bad.mp4") == MAX_RECEIVES


def test_a_batch_answer_naming_a_message_not_in_the_batch_fails_the_whole_batch() -> None:
    from devstack.pumps import handled

    messages = [{"MessageId": "a"}, {"MessageId": "b"}]
    assert handled(messages, batch_response(["b"])) == [{"MessageId": "a"}]
    assert handled(messages, batch_response([])) == messages
    assert handled(messages, None) == messages
    assert handled(messages, batch_response(["zz"])) == []


def dead_letters_once_running(pump: Any, sqs: Any, urls: dict[str, str]) -> list[str]:
    """Run the pump until the video queue's dead-letter queue holds something; its bodies."""
    pump.start()
    dead: list[str] = []

    def dead_lettered() -> bool:
        dead.extend(bodies(sqs, urls[VIDEO_DEAD_LETTER_QUEUE_NAME]))
        return bool(dead)

    try:
        eventually(dead_lettered)
    finally:
        pump.stop()
    return dead


def test_a_held_message_stays_hidden_for_the_lease_and_a_hold_of_zero_hands_it_out_again(
        account: tuple[Any, Any, dict[str, str]]) -> None:
    from chalicelib.groupbuy.upload_queue import SqsUploadQueue

    _, sqs, urls = account
    url = urls[VIDEO_QUEUE_NAME]
    queue = SqsUploadQueue(sqs, url, BUCKET)
    sqs.purge_queue(QueueUrl=url)  # S3's test event
    sqs.send_message(QueueUrl=url, MessageBody="an upload's notification")
    [message] = sqs.receive_message(QueueUrl=url)["Messages"]  # visible again at once: the fixture's 0 s
    queue.hold(message["ReceiptHandle"], 600)
    assert bodies(sqs, url) == []
    queue.hold(message["ReceiptHandle"], 0)  # what a lapsed lease comes to
    assert bodies(sqs, url) == ["an upload's notification"]
