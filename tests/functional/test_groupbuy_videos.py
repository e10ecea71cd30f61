"""Workflow 04's on-site videos through the app on moto, with real clips: the shop redeems a
voucher and its buyer is asked for a video (a presigned POST to S3); what the phone leaves in the
bucket notifies the video queue (moto's S3 sends the notification, as S3 does), `process_videos`
takes it and publishes the video on the deal's page, or rejects it with a reason, or fails and
alerts ops (the buyer retries); a notification delivered twice, even at once, publishes once."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import pytest
from chalice.test import Client

from chalicelib import bootstrap
from chalicelib.groupbuy import media
from chalicelib.groupbuy.video import VideoStatus
from chalicelib.groupbuy.video_infra import TIMEOUT_S, VIDEO_QUEUE_NAME
from chalicelib.groupbuy.videos import FAILED_RETRY_AFTER_S, LEASE_S
from devstack import clips, events
from tests import iam
from tests.conftest import World, aws_client, make_world, watched
from tests.functional.api import Reply
from tests.functional.levers import AppLevers
from tests.functional.market import Market
from tests.log_lines import captured

REGION = "us-east-1"
SHOP = "m_noodles"
SHOP_NAME = "Noodle Bar"
BUYER, OTHER = "u-buyer", "u-other"
LATE_EVENING_UTC = "2026-11-18T17:30:00Z"
"""01:30 on 19 November in Shanghai: the visit's local date is not the UTC one."""
MB = 1024 * 1024


class Videos(AppLevers):
    tables = ("videos",)

    def __init__(self, world: World, client: Client) -> None:
        super().__init__(world, client)
        self.ops = self.party("ops", "ops-1")
        self.merchant = self.party("merchant", "staff-1", merchant_id=SHOP)
        self.buyer = self.party("customer", BUYER)
        self.other = self.party("customer", OTHER)
        self._market = Market(world, client)
        self.deal_id = ""

    def open(self) -> None:
        created = self.ops.post("/merchants", {"merchant_id": SHOP, "name": SHOP_NAME, "time_zone": "Asia/Shanghai"})
        assert created.status == 201, created.body
        deal = self.ops.post("/deals", {"shop_id": SHOP, "title": "Noodles for two",
                                        "valid_until": "2030-12-31T16:00:00Z",
                                        "price": {"amount": 4900, "currency": "CNY"}})
        assert deal.status == 201, deal.body
        self.deal_id = str(deal.body["deal_id"])
        assert self.connect("c-buyer", self.buyer) == 200
        assert self.connect("c-ops", self.ops) == 200

    # ── vouchers ────────────────────────────────────────────────────────────────────────────

    def voucher(self) -> str:
        """A paid voucher of the buyer, not redeemed yet."""
        created = self.buyer.post("/group-buy/orders", {"deal_id": self.deal_id})
        assert created.status == 201, created.body
        assert self._market.pay(created.body).status == 200
        order = self.buyer.get(f"/group-buy/orders/{created.body['order_id']}").body
        return str(order["voucher_ids"][0])

    def redeem(self, voucher_id: str) -> dict[str, Any]:
        """The shop redeems it: the `video.requested` the buyer gets for it."""
        code = self.buyer.get(f"/vouchers/{voucher_id}").body["code"]
        used = self.merchant.post("/merchant/vouchers/redeem", {"code": code})
        assert used.status == 200, used.body
        [requested] = [m for m in self.buyer_got("video.requested") if m["voucher_id"] == voucher_id]
        return requested

    def requested(self) -> dict[str, Any]:
        """A redeemed voucher's video request."""
        return self.redeem(self.voucher())

    # ── the phone and S3 ────────────────────────────────────────────────────────────────────

    def upload(self, requested: dict[str, Any], source: Path, content_type: str = "video/mp4") -> str:
        """What the phone's presigned POST leaves in the bucket: the notification S3 sends for it."""
        self.world.put_object(requested["upload"]["fields"]["key"], source.read_bytes(), content_type)
        [body] = self.notifications()
        return body

    def notifications(self) -> list[str]:
        """The video queue's messages so far (taken off it, as the function's event source does)."""
        sqs, url = aws_client("sqs"), self.world.queue_urls[VIDEO_QUEUE_NAME]
        bodies = []
        while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            for message in messages:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                if json.loads(message["Body"]).get("Event") != "s3:TestEvent":
                    bodies.append(message["Body"])
        return bodies

    def delivered(self, body: str) -> dict[str, Any]:
        """A message of its own carrying `body` (as S3 sends each notification, a duplicate too),
        received off the queue: the event Lambda's event source invokes `process_videos` with (one
        message a batch, as it is set), with the receipt a lease on it changes."""
        sqs, url = aws_client("sqs"), self.world.queue_urls[VIDEO_QUEUE_NAME]
        with iam.the_tests_own():
            sqs.send_message(QueueUrl=url, MessageBody=body)
            [message] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
        return events.sqs_event([message], queue_arn=events.queue_arn(url, REGION), region=REGION)

    def process(self, body: str) -> bool:
        """SQS hands `body` to `process_videos`: whether the function reported it failed (SQS would
        deliver it again)."""
        return self.invoke(self.delivered(body))

    def invoke(self, event: dict[str, Any]) -> bool:
        answer = self.client.lambda_.invoke("process_videos", event).payload
        return bool(answer["batchItemFailures"])

    # ── what comes out ──────────────────────────────────────────────────────────────────────

    def buyer_got(self, message_type: str) -> list[dict[str, Any]]:
        return [m["data"] for m in self.pushed("c-buyer", message_type)]

    def listed(self, query: str = "") -> Reply:
        reply = self.other.get(f"/deals/{self.deal_id}/videos{query}")
        assert reply.status == 200, reply.body
        return reply

    def objects(self, prefix: str = "videos/") -> dict[str, bytes]:
        s3, bucket = aws_client("s3"), self.world.settings.env.get("ONTIME_VIDEO_BUCKET", "ontime-videos")
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
        return {o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


@pytest.fixture
def videos(world: World, client: Client) -> Videos:
    ready = Videos(world, client)
    ready.open()
    return ready


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4 s 640×360 phone clip (H.264 + AAC)."""
    return clips.make_clip(tmp_path_factory.mktemp("clips") / "visit.mp4", 4, 640, 360)


def policy_of(upload: dict[str, Any]) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.b64decode(upload["fields"]["policy"]))
    return decoded


# ── asking for the video ────────────────────────────────────────────────────────────────────

def test_a_redeemed_vouchers_buyer_is_asked_for_a_video_with_a_presigned_post_for_its_key(videos: Videos) -> None:
    voucher_id = videos.voucher()
    before = videos.buyer.post(f"/vouchers/{voucher_id}/video-upload")
    assert before.status == 409 and before.body["type"].endswith("voucher-not-redeemed"), before.body
    assert before.body["current_status"] == "active"

    requested = videos.redeem(voucher_id)
    [video] = videos.world.groupbuy.videos.store.for_voucher(voucher_id)
    assert requested["video_id"] == video.id and video.status is VideoStatus.AWAITING_UPLOAD
    key = f"uploads/{voucher_id}/{video.id}"
    assert requested["upload"]["fields"]["key"] == key == video.source_key
    conditions = policy_of(requested["upload"])["conditions"]
    assert {"key": key} in conditions
    assert ["content-length-range", 1, 100 * MB] in conditions
    assert ["starts-with", "$Content-Type", "video/"] in conditions

    again = videos.buyer.post(f"/vouchers/{voucher_id}/video-upload")
    assert again.status == 200, again.body
    assert again.body["video_id"] == video.id  # the same awaited upload, freshly signed
    assert again.body["upload"]["fields"]["key"] == key
    assert ["content-length-range", 1, 100 * MB] in policy_of(again.body["upload"])["conditions"]

    assert videos.other.post(f"/vouchers/{voucher_id}/video-upload").status == 404
    assert videos.merchant.post(f"/vouchers/{voucher_id}/video-upload").status in (403, 404)
    assert videos.buyer.post("/vouchers/vch_nope/video-upload").status == 404


# ── publishing ──────────────────────────────────────────────────────────────────────────────

def test_an_uploaded_clip_is_published_on_the_deals_page_with_the_visits_local_date(videos: Videos, clip: Path,
                                                                                   tmp_path: Path) -> None:
    videos.world.clock.set(_ms(LATE_EVENING_UTC))
    requested = videos.requested()
    videos.process(videos.upload(requested, clip))

    [published] = videos.buyer_got("video.published")
    video_id = requested["video_id"]
    assert (published["video_id"], published["status"]) == (video_id, "published")
    stored = videos.objects()
    assert set(stored) == {f"videos/{videos.deal_id}/{video_id}.mp4", f"videos/{videos.deal_id}/{video_id}.jpg"}
    mp4 = tmp_path / "published.mp4"
    mp4.write_bytes(stored[f"videos/{videos.deal_id}/{video_id}.mp4"])
    with av.open(str(mp4)) as container:
        [video_stream] = container.streams.video
        [audio_stream] = container.streams.audio
        assert (video_stream.codec_context.name, audio_stream.codec_context.name) == ("h264", "aac")
        assert (video_stream.codec_context.width, video_stream.codec_context.height) == (640, 360)  # ≤ 720p
    assert 3.5 <= clips.duration_of(mp4) <= 4.5
    assert stored[f"videos/{videos.deal_id}/{video_id}.jpg"][:3] == b"\xff\xd8\xff"  # a JPEG

    [item] = videos.listed().body["items"]
    assert item["video_id"] == video_id and item["shop_name"] == SHOP_NAME
    assert item["visit_date"] == "2026-11-19"  # 01:30 in Shanghai, 17:30 UTC the day before
    assert f"videos/{videos.deal_id}/{video_id}.mp4" in item["video_url"] and "Signature" in item["video_url"]
    assert f"videos/{videos.deal_id}/{video_id}.jpg" in item["poster_url"]
    assert videos.buyer_got("video.rejected") == videos.buyer_got("video.failed") == []


def test_a_deals_videos_are_listed_newest_first_page_by_page(videos: Videos, tmp_path: Path) -> None:
    short = clips.make_clip(tmp_path / "short.mp4", 1, 320, 180)
    published = []
    for _ in range(3):
        requested = videos.requested()
        videos.process(videos.upload(requested, short))
        published.append(requested["video_id"])
        videos.world.clock.advance(60)

    first = videos.listed("?limit=2")
    assert [v["video_id"] for v in first.body["items"]] == published[:0:-1]
    assert first.body["next_token"]
    second = videos.listed(f"?limit=2&next_token={first.body['next_token']}")
    assert [v["video_id"] for v in second.body["items"]] == published[:1]
    assert not second.body.get("next_token")
    assert [v["video_id"] for v in videos.listed().body["items"]] == published[::-1]


# ── rejections ──────────────────────────────────────────────────────────────────────────────

def _rejected_clip(kind: str, folder: Path) -> tuple[Path, str]:
    match kind:
        case "not_a_video":
            return clips.make_text_file(folder / "notes.mp4"), "video/mp4"
        case "audio_only":
            return clips.make_audio_only(folder / "memo.m4a", 2), "video/mp4"
        case "truncated":
            return clips.make_truncated(folder / "cut.mp4"), "video/mp4"
        case _:  # a real 5 min 1 s source, tiny: 160×90 at 1 frame/s, ≈ 1 MB, made in ≈ 0.05 s
            return clips.make_clip(folder / "long.mp4", 301, 160, 90, fps=1, audio=False), "video/mp4"


@pytest.mark.parametrize("reason", ["not_a_video", "audio_only", "truncated", "too_long"])
def test_an_upload_that_is_no_usable_video_is_rejected_with_its_reason(videos: Videos, tmp_path: Path,
                                                                      reason: str) -> None:
    source, content_type = _rejected_clip(reason, tmp_path)
    requested = videos.requested()
    videos.process(videos.upload(requested, source, content_type))
    _assert_rejected(videos, requested["video_id"], reason)


def _assert_rejected(videos: Videos, video_id: str, reason: str) -> None:
    [rejected] = videos.buyer_got("video.rejected")
    assert (rejected["video_id"], rejected["status"], rejected["reason"]) == (video_id, "rejected", reason)
    assert rejected["video_url"] is None and rejected["detail"]
    assert videos.objects() == {}
    assert videos.listed().body["items"] == []
    assert videos.buyer_got("video.published") == []


@pytest.fixture
def limited(aws: dict[str, str]) -> Iterator[Videos]:
    """The app with uploads of at most 1 MB (`ONTIME_VIDEO_MAX_MB`)."""
    from app import app

    built = make_world(aws, ONTIME_VIDEO_MAX_MB="1")
    bootstrap.install(built.container)
    try:
        with Client(app) as test_client:
            ready = Videos(built, watched(test_client))
            ready.open()
            yield ready
    finally:
        bootstrap.install(None)


def test_an_upload_larger_than_the_limit_is_rejected_unread(limited: Videos, tmp_path: Path) -> None:
    requested = limited.requested()
    conditions = policy_of(requested["upload"])["conditions"]
    assert ["content-length-range", 1, MB] in conditions
    big = tmp_path / "big.mp4"
    big.write_bytes(b"\0" * (MB + 1))  # S3's size counts, not what it holds: never downloaded
    limited.process(limited.upload(requested, big))
    _assert_rejected(limited, requested["video_id"], "too_large")


# ── duplicates and strangers ────────────────────────────────────────────────────────────────

def test_a_notification_delivered_twice_publishes_once(videos: Videos, clip: Path) -> None:
    requested = videos.requested()
    body = videos.upload(requested, clip)
    videos.process(body)
    videos.process(body)
    assert len(videos.buyer_got("video.published")) == 1
    assert [v["video_id"] for v in videos.listed().body["items"]] == [requested["video_id"]]


def test_a_notification_delivered_twice_at_once_publishes_once(videos: Videos, clip: Path) -> None:
    requested = videos.requested()
    body = videos.upload(requested, clip)
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            videos.process(body)
        except BaseException as exc:  # noqa: BLE001 - reported by the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(videos.buyer_got("video.published")) == 1
    assert [v["video_id"] for v in videos.listed().body["items"]] == [requested["video_id"]]
    assert videos.world.groupbuy.videos.store.get(requested["video_id"]).status is VideoStatus.PUBLISHED  # type: ignore[union-attr]


def test_a_duplicate_delivered_while_the_first_is_transcoding_leaves_it_alone(videos: Videos, clip: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    requested = videos.requested()
    body = videos.upload(requested, clip)
    real_process, calls = media.process, []

    def first_of_two(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if len(calls) == 1:
            videos.process(body)  # S3's second notification, taken by another instance meanwhile
            assert videos.buyer_got("video.published") == videos.buyer_got("video.failed") == []
        return real_process(*args, **kwargs)

    monkeypatch.setattr(media, "process", first_of_two)
    videos.process(body)
    assert len(calls) == 1  # one transcoding, whatever the duplicate did
    assert len(videos.buyer_got("video.published")) == 1 and videos.buyer_got("video.failed") == []


def test_an_upload_left_processing_by_a_killed_attempt_is_taken_over_by_the_redelivery(videos: Videos,
                                                                                        clip: Path) -> None:
    requested = videos.requested()
    body = videos.upload(requested, clip)
    store = videos.world.groupbuy.videos.store
    video = store.get(requested["video_id"])
    assert video is not None
    now = videos.world.clock.now_ms()
    assert store.move(video, frozenset({video.status}), {"status": VideoStatus.PROCESSING, "attempts": 1,
                                                         "updated_at": now}) is not None  # then Lambda's timeout
    videos.world.clock.advance(TIMEOUT_S - 1)
    videos.process(body)  # still within the first attempt's time: its work
    assert videos.buyer_got("video.published") == [] and videos.objects() == {}
    videos.world.clock.advance(62 + 1)
    videos.process(body)  # SQS's redelivery, once the first attempt cannot be running any more
    [published] = videos.buyer_got("video.published")
    assert published["video_id"] == requested["video_id"]
    assert store.get(requested["video_id"]).attempts == 2  # type: ignore[union-attr]


def test_a_notification_of_an_upload_that_is_gone_leaves_the_video_awaiting_it(videos: Videos, clip: Path) -> None:
    requested = videos.requested()
    body = videos.upload(requested, clip)
    aws_client("s3").delete_object(Bucket="ontime-videos", Key=requested["upload"]["fields"]["key"])
    videos.process(body)
    assert videos.world.groupbuy.videos.store.get(requested["video_id"]).status is (  # type: ignore[union-attr]
        VideoStatus.AWAITING_UPLOAD)
    again = videos.buyer.post(f"/vouchers/{requested['voucher_id']}/video-upload")
    assert again.status == 200 and again.body["video_id"] == requested["video_id"], again.body


def test_s3s_test_event_and_keys_of_no_awaited_upload_are_ignored(videos: Videos, clip: Path) -> None:
    requested = videos.requested()
    before = videos.snapshot()
    test_event = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "ontime-videos"})
    videos.process(test_event)
    for key in ("uploads/strange.mp4", f"uploads/{requested['voucher_id']}/vid_someone_else",
                f"uploads/vch_other/{requested['video_id']}", "photos/whatever.jpg"):
        videos.world.put_object(key, clip.read_bytes(), "video/mp4")
        videos.process(_notification(key, clip.stat().st_size))
    videos.notifications()
    assert videos.snapshot() == before
    assert videos.objects() == {}
    outcomes = ("video.published", "video.rejected", "video.failed")
    assert [m for m in videos.pushed("c-buyer") if m["type"] in outcomes] == []


def _notification(key: str, size: int) -> str:
    return json.dumps({"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                                    "s3": {"bucket": {"name": "ontime-videos"},
                                           "object": {"key": key, "size": size}}}]})


# ── failure and the buyer's retry ───────────────────────────────────────────────────────────

def test_a_failed_processing_alerts_ops_and_the_buyers_retry_publishes_it(videos: Videos, clip: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    requested = videos.requested()
    voucher_id, video_id = requested["voucher_id"], requested["video_id"]
    body = videos.upload(requested, clip)
    real_process = media.process

    def broken(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(media, "process", real_process)  # the next attempt works
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(media, "process", broken)
    assert videos.process(body), "reported failed: SQS makes the message visible again"

    [failed] = videos.buyer_got("video.failed")
    assert (failed["video_id"], failed["status"], failed["reason"]) == (video_id, "failed", "processing_failed")
    [alert] = [m["data"] for m in videos.pushed("c-ops", "alert.raised")]
    assert alert["kind"] == "video_processing_failed" and alert["video"]["video_id"] == video_id
    assert videos.world.metrics.values("VideoProcessingFailed") == [1]
    assert videos.objects() == {} and videos.listed().body["items"] == []
    assert videos.buyer_got("video.published") == []

    assert videos.other.post(f"/vouchers/{voucher_id}/videos/{video_id}/retry").status == 404
    retried = videos.buyer.post(f"/vouchers/{voucher_id}/videos/{video_id}/retry")
    assert retried.status == 200 and retried.body["status"] == "failed", retried.body
    [resent] = videos.notifications()
    videos.process(resent)
    [published] = videos.buyer_got("video.published")
    assert published["video_id"] == video_id
    assert [v["video_id"] for v in videos.listed().body["items"]] == [video_id]

    again = videos.buyer.post(f"/vouchers/{voucher_id}/videos/{video_id}/retry")
    assert again.status == 409 and again.body["current_status"] == "published", again.body
    assert videos.notifications() == []
    more = videos.buyer.post(f"/vouchers/{voucher_id}/video-upload")
    assert more.status == 409 and more.body["current_status"] == "published", more.body


def test_retrying_a_video_that_did_not_fail_is_a_conflict(videos: Videos) -> None:
    requested = videos.requested()
    reply = videos.buyer.post(f"/vouchers/{requested['voucher_id']}/videos/{requested['video_id']}/retry")
    assert reply.status == 409 and reply.body["current_status"] == "awaiting_upload", reply.body


# ── the watermark ───────────────────────────────────────────────────────────────────────────

def test_the_published_video_carries_the_shops_watermark_bottom_left(videos: Videos, tmp_path: Path) -> None:
    dark = clips.make_clip(tmp_path / "dark.mp4", 1.5, 640, 360, dark=True)
    requested = videos.requested()
    videos.process(videos.upload(requested, dark))
    [published] = videos.buyer_got("video.published")
    out = tmp_path / "published.mp4"
    out.write_bytes(videos.objects()[f"videos/{videos.deal_id}/{published['video_id']}.mp4"])
    frame = clips.frame_at(out, 1)
    assert frame.shape[:2] == (360, 640)
    assert (frame[360 - 80:, :220] > 200).sum() > 200  # white text on the dark box
    assert frame[:80, -220:].max() < 60  # the opposite corner untouched


class Killed(BaseException):
    """The process died mid-run (out of memory, Lambda's timeout): nothing of the app survives it."""


def _die(*args: Any, **kwargs: Any) -> Any:
    raise Killed


def test_a_run_killed_after_its_claim_is_taken_over_at_once_by_its_own_messages_redelivery(
        videos: Videos, clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    requested = videos.requested()
    body = videos.upload(requested, clip)
    delivery = videos.delivered(body)
    real_process = media.process
    monkeypatch.setattr(media, "process", _die)
    with pytest.raises(Killed):
        videos.invoke(delivery)
    store = videos.world.groupbuy.videos.store
    assert store.get(requested["video_id"]).status is VideoStatus.PROCESSING  # type: ignore[union-attr]
    monkeypatch.setattr(media, "process", real_process)
    videos.process(body)  # S3's duplicate: another message, which cannot tell the claim is dead
    assert videos.buyer_got("video.published") == []
    videos.world.clock.advance(LEASE_S)  # no renewal came: SQS hands the killed run's message out again
    assert videos.invoke(delivery) is False
    [published] = videos.buyer_got("video.published")
    assert published["video_id"] == requested["video_id"]
    assert store.get(requested["video_id"]).attempts == 2  # type: ignore[union-attr]


def test_a_processing_holds_its_message_for_the_lease_and_a_failed_one_for_the_back_off(
        videos: Videos, clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.groupbuy.upload_queue import SqsUploadQueue

    held: list[tuple[str, int]] = []
    real_hold = SqsUploadQueue.hold

    def recorded(queue: SqsUploadQueue, receipt: str, seconds: int) -> None:
        held.append((receipt, seconds))
        real_hold(queue, receipt, seconds)  # on moto: a receipt it does not know would raise

    monkeypatch.setattr(SqsUploadQueue, "hold", recorded)
    requested = videos.requested()
    body = videos.upload(requested, clip)
    failing = videos.delivered(body)
    receipt = failing["Records"][0]["receiptHandle"]

    def broken(*args: Any, **kwargs: Any) -> Any:
        assert held == [(receipt, LEASE_S)]  # hidden for one lease while it works
        raise OSError("the codec crashed")

    monkeypatch.setattr(media, "process", broken)
    with captured() as logs:
        assert videos.invoke(failing) is True
    assert held == [(receipt, LEASE_S), (receipt, FAILED_RETRY_AFTER_S)]
    assert logs.events("lease.renewal_failed") == []
    assert videos.world.groupbuy.videos.store.get(requested["video_id"]).status is VideoStatus.FAILED  # type: ignore[union-attr]


def _ms(instant: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(instant.replace("Z", "+00:00")).timestamp() * 1000)


def test_two_redeliveries_that_read_the_same_abandoned_upload_take_it_over_once(videos: Videos, clip: Path) -> None:
    requested = videos.requested()
    videos.upload(requested, clip)
    store = videos.world.groupbuy.videos.store
    video = store.get(requested["video_id"])
    assert video is not None
    both_read = video  # each redelivery read this version before either wrote
    first = store.move(both_read, frozenset({video.status}), {"status": VideoStatus.PROCESSING, "attempts": 1})
    second = store.move(both_read, frozenset({video.status, VideoStatus.PROCESSING}),
                        {"status": VideoStatus.PROCESSING, "attempts": 1})
    assert first is not None and second is None
