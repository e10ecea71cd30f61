"""`process_videos` reads S3's upload notifications off the video queue: which object was created,
where, and how big S3 says it is; S3's test event and other events are nothing to do; a message
that is no notification is dropped (no retry can fix it); a failure to process propagates so that
SQS retries it and, in the end, dead-letters it."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib.core.batches import Delivery
from chalicelib.groupbuy import handlers
from chalicelib.groupbuy.handlers import PoisonMessage, Upload, upload_correlation_id, uploads_in
from tests.log_lines import captured

BUCKET = "ontime-videos"


def notification(*records: dict[str, Any]) -> str:
    return json.dumps({"Records": list(records)})


def created(key: str, size: int = 1234, event: str = "ObjectCreated:Post", bucket: str = BUCKET) -> dict[str, Any]:
    return {"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": event, "s3": {
        "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
        "object": {"key": key, "size": size, "eTag": "abc", "sequencer": "0055"}}}


TEST_EVENT = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2026-12-01T00:00:00Z",
                         "Bucket": BUCKET, "RequestId": "r", "HostId": "h"})


def test_an_upload_notification_names_the_bucket_the_decoded_key_and_the_size_s3_counted() -> None:
    assert uploads_in(notification(created("uploads/v_1/u+1%281%29.mp4", 52_428_800))) == [
        Upload(BUCKET, "uploads/v_1/u 1(1).mp4", 52_428_800)]


def test_every_created_object_of_a_message_is_an_upload_and_other_events_are_not() -> None:
    body = notification(created("uploads/v/a.mp4", event="ObjectCreated:Put"), created("uploads/v/b.mov"),
                        created("uploads/v/a.mp4", event="ObjectRemoved:Delete"))
    assert [u.key for u in uploads_in(body)] == ["uploads/v/a.mp4", "uploads/v/b.mov"]


def test_s3s_test_event_is_no_upload() -> None:
    assert uploads_in(TEST_EVENT) == []


@pytest.mark.parametrize("body", [
    "not json", "[]", "null", json.dumps({"Records": "x"}), json.dumps({"no": "records"}),
    notification({"eventName": "ObjectCreated:Put"}), notification({"eventName": "ObjectCreated:Put", "s3": []}),
    notification(created("")), notification(created("k", size=-1)), notification(created("k", size=True)),
    notification({**created("k"), "s3": {"bucket": {"name": 7}, "object": {"key": "k", "size": 1}}}),
    notification(created("k") | {"s3": {"bucket": {"name": BUCKET}, "object": {"key": "k", "size": "1"}}}),
])
def test_a_message_that_is_no_s3_notification_is_poison(body: str) -> None:
    with pytest.raises(PoisonMessage):
        uploads_in(body)


def test_an_uploads_correlation_id_is_its_key_the_same_on_every_delivery() -> None:
    assert upload_correlation_id(Upload(BUCKET, "uploads/v_1/u_2.mp4", 1)) == "video:v_1:u_2.mp4"
    odd = upload_correlation_id(Upload(BUCKET, "uploads/v 1/ü.mp4", 1))
    assert odd != upload_correlation_id(Upload(BUCKET, "uploads/v 1/ü.mp4", 1))  # unsafe to log: a fresh one


# ── the handler, as Lambda (or the local stack) invokes it through the app ───────────────────


def sqs_event(*bodies: str) -> dict[str, Any]:
    return {"Records": [{"messageId": f"m{n}", "receiptHandle": f"r{n}", "body": body, "attributes": {},
                         "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                         "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:ontime-videos",
                         "awsRegion": "us-east-1"} for n, body in enumerate(bodies)]}


CONTEXT = SimpleNamespace(aws_request_id="req-1", function_name="process_videos")


@pytest.fixture
def processed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Upload, str | None]]:
    from chalicelib.core import correlation

    seen: list[tuple[Upload, str | None]] = []
    monkeypatch.setattr(handlers, "_process",
                        lambda upload, received: seen.append((upload, correlation.correlation_id())))
    return seen


def invoke(*bodies: str) -> list[str]:
    """The ids of the messages the function reports failed (`m0`, `m1`… in the order given)."""
    from app import app

    answer = app.handler_map["process_videos"](sqs_event(*bodies), CONTEXT)
    return [item["itemIdentifier"] for item in answer["batchItemFailures"]]


def test_the_apps_process_videos_hands_each_upload_to_the_service_under_its_own_correlation_id(
        processed: list[tuple[Upload, str | None]]) -> None:
    invoke(notification(created("uploads/v_1/u_1.mp4", 999)))
    assert processed == [(Upload(BUCKET, "uploads/v_1/u_1.mp4", 999), "video:v_1:u_1.mp4")]


def test_each_upload_is_handed_over_with_the_delivery_of_its_own_message(monkeypatch: pytest.MonkeyPatch) -> None:
    deliveries: list[tuple[str, Delivery]] = []
    monkeypatch.setattr(handlers, "_process", lambda upload, received: deliveries.append((upload.key, received)))
    invoke(notification(created("uploads/v/a.mp4")), notification(created("uploads/v/b.mp4")))
    assert deliveries == [("uploads/v/a.mp4", Delivery("m0", "r0")), ("uploads/v/b.mp4", Delivery("m1", "r1"))]


def test_a_poison_message_is_logged_and_dropped_and_the_test_event_skipped(
        processed: list[tuple[Upload, str | None]]) -> None:
    with captured() as logs:
        failed = invoke(TEST_EVENT, "garbage", notification(created("uploads/v/u.mp4")))
    assert failed == [], "retrying cannot help: SQS deletes them all"
    assert [u.key for u, _ in processed] == ["uploads/v/u.mp4"]
    [poison] = logs.events("video.poison")
    assert poison["body"] == "garbage" and poison["level"] == "ERROR"


def test_a_failure_to_process_reports_that_message_alone_so_that_sqs_retries_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(upload: Upload, received: Delivery) -> None:
        if upload.key == "uploads/v/bad.mp4":
            raise OSError("S3 is down")

    monkeypatch.setattr(handlers, "_process", failing)
    with captured() as logs:
        failed = invoke(notification(created("uploads/v/u.mp4")), notification(created("uploads/v/bad.mp4")),
                        "garbage")
    assert failed == ["m1"]
    [failure] = logs.events("video.processing_failed")
    assert failure["key"] == "uploads/v/bad.mp4" and "S3 is down" in failure["exception"]
