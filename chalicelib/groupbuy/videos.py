"""Workflow 04's on-site videos: asking the buyer for one when the shop redeems the voucher (a
presigned POST straight to S3), processing what arrives (S3 `ObjectCreated` → SQS → the
`process_videos` function), and the deal page's list of published videos.

Processing is idempotent on duplicate notifications: every status change is conditioned on the
status it leaves (`video_store.py`), outputs are written under the video's own keys before it is
marked published, and a final video is never processed again. A failure leaves the video `failed`
(retryable by the buyer, and by SQS until its message goes to the dead-letter queue), counts a
`VideoProcessingFailed` metric (a CloudWatch alarm watches it) and alerts ops.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Principal, Role
from chalicelib.core.batches import Delivery
from chalicelib.core.clock import Clock
from chalicelib.core.errors import InvalidTransition, NotFound
from chalicelib.core.heartbeat import Heartbeat
from chalicelib.core.ids import is_id, new_id
from chalicelib.core.observability import MetricsSink, log
from chalicelib.core.timefmt import iso
from chalicelib.groupbuy.errors import NotRedeemed
from chalicelib.groupbuy.ports import Deals, UploadQueue, VideoStore, VoucherStore
from chalicelib.groupbuy.video import FINAL, Video, VideoStatus
from chalicelib.groupbuy.video_infra import TIMEOUT_S
from chalicelib.groupbuy.views import video_view
from chalicelib.groupbuy.voucher import Voucher, VoucherStatus
from chalicelib.groupbuy.vouchers import local_date
from chalicelib.objects import ObjectStore
from chalicelib.persistence.paging import Page
from chalicelib.push import party
from chalicelib.push.notifier import Notifier

if TYPE_CHECKING:
    from chalicelib.groupbuy.media import Processed

UPLOAD_PREFIX = "uploads/"
OUTPUT_PREFIX = "videos/"
VIDEO_TYPES = "video/"
"""Any video content type (`video/mp4`, `video/quicktime` from iPhones, `video/webm`…): the
processor decides by what the file is, not by what it was called."""
UPLOAD_EXPIRES_S = 3600
LINK_EXPIRES_S = 3600
CLAIMABLE = frozenset({VideoStatus.AWAITING_UPLOAD, VideoStatus.FAILED})
PROCESSING = frozenset({VideoStatus.PROCESSING})
LEASE_S = 10
"""How long the message of a video being processed stays hidden past its last renewal (renewed
every `LEASE_S / 3` s while the processing runs, `core/heartbeat.py`): a run that died (killed,
out of memory, timed out) has its message handed out again within this, instead of after the
queue's visibility timeout of 6 × the function's timeout (30 min)."""
FAILED_RETRY_AFTER_S = 300
"""A processing that raised comes back after this (SQS's next receive, until `MAX_RECEIVES`): a
back-off, not the lease, since whatever failed (S3, a codec) is not fixed in ten seconds."""
ABANDONED_AFTER_MS = (TIMEOUT_S + 60) * 1000
"""A video `processing` for longer than the function may run (and a minute for clocks) was left by
an attempt Lambda killed: any delivery takes it over. A younger one is in progress, unless the
delivery is of the very message that claimed it (`claimed_by`): SQS hands that one out again only
once the lease of the run holding it lapsed, so that run died and its redelivery takes over at once.
Any other delivery (S3 notifies twice, sometimes at once) leaves it alone instead of transcoding it
again, and so can never mark `failed` what the other attempt is about to publish."""


@dataclass(frozen=True)
class VideoLimitsSetting:
    max_bytes: int = 100 * 1024 * 1024
    max_source_s: int = 300
    max_output_s: int = 30
    max_height: int = 720


def upload_key(voucher_id: str, video_id: str) -> str:
    return f"{UPLOAD_PREFIX}{voucher_id}/{video_id}"


def parse_upload_key(key: str) -> tuple[str, str] | None:
    """(voucher id, video id) of an upload's key; None for any other key."""
    parts = key.removeprefix(UPLOAD_PREFIX).split("/") if key.startswith(UPLOAD_PREFIX) else []
    if len(parts) != 2 or not all(is_id(p) for p in parts):
        return None
    return parts[0], parts[1]


class VideoService:
    def __init__(self, store: VideoStore, vouchers: VoucherStore, deals: Deals, files: ObjectStore,
                 queue: UploadQueue, notifier: Notifier, clock: Clock, metrics: MetricsSink, *,
                 limits: VideoLimitsSetting | None = None) -> None:
        self.store = store
        self._vouchers = vouchers
        self._deals = deals
        self._files = files
        self._queue = queue
        self._notifier = notifier
        self._clock = clock
        self._metrics = metrics
        self.limits = limits or VideoLimitsSetting()

    # ── asking for a video ──────────────────────────────────────────────────────────────────

    def request_after_redeem(self, voucher: Voucher, now: int) -> None:
        """The shop redeemed the voucher: ask its buyer for the on-site video."""
        video = self._new_video(voucher, now)
        self._notifier.push(party.customer(voucher.customer_id), "video.requested",
                            self._upload_view(video, now), now)

    def request_upload(self, caller: Principal, voucher_id: str) -> dict[str, Any]:
        """A (fresh) presigned POST for the voucher's video: only its buyer, only once redeemed."""
        caller.require(Role.CUSTOMER)
        voucher = self._vouchers.get(voucher_id)
        if voucher is None or voucher.customer_id != caller.sub:
            raise NotFound(f"voucher {voucher_id} not found")
        if voucher.status is not VoucherStatus.USED:
            raise NotRedeemed("a video is uploaded once the shop has redeemed the voucher",
                              current_status=voucher.status.value)
        now = self._clock.now_ms()
        videos = self.store.for_voucher(voucher.id)
        if any(v.status is VideoStatus.PUBLISHED for v in videos):
            raise InvalidTransition("this voucher's video is already published",
                                    current_status=VideoStatus.PUBLISHED.value)
        waiting = next((v for v in videos if v.status is VideoStatus.AWAITING_UPLOAD), None)
        return self._upload_view(waiting or self._new_video(voucher, now), now)

    def _new_video(self, voucher: Voucher, now: int) -> Video:
        shop = self._deals.shop_terms(voucher.shop_id)
        video_id = new_id("vid")
        video = Video(id=video_id, voucher_id=voucher.id, customer_id=voucher.customer_id, deal_id=voucher.deal_id,
                      shop_id=voucher.shop_id, shop_name=shop.name,
                      visit_date=local_date(voucher.used_at or now, shop),
                      source_key=upload_key(voucher.id, video_id), status=VideoStatus.AWAITING_UPLOAD,
                      created_at=now, updated_at=now)
        return self.store.create(video)

    def _upload_view(self, video: Video, now: int) -> dict[str, Any]:
        post = self._files.presign_post(video.source_key, max_bytes=self.limits.max_bytes, expires_s=UPLOAD_EXPIRES_S,
                                        content_type_prefix=VIDEO_TYPES)
        return {"voucher_id": video.voucher_id, "video_id": video.id, "upload": post,
                "max_bytes": self.limits.max_bytes, "content_types": f"{VIDEO_TYPES}*",
                "max_source_s": self.limits.max_source_s, "expires_at": iso(now + UPLOAD_EXPIRES_S * 1000),
                "server_time": iso(now)}

    def retry(self, caller: Principal, voucher_id: str, video_id: str) -> dict[str, Any]:
        """Process a failed upload again (the buyer's button after `video.failed`)."""
        caller.require(Role.CUSTOMER, Role.OPS)
        video = self.store.get(video_id)
        if video is None or video.voucher_id != voucher_id or (caller.role is Role.CUSTOMER
                                                                and video.customer_id != caller.sub):
            raise NotFound(f"video {video_id} not found")
        if video.status is not VideoStatus.FAILED:
            # `current_status`: a problem's `status` is its HTTP code, and an extension of that name is dropped
            raise InvalidTransition(f"the video is {video.status.value}; only a failed one is retried",
                                    current_status=video.status.value)
        stored = self._files.head(video.source_key)
        if stored is None:
            raise InvalidTransition("the upload is gone; ask for a new upload",
                                    current_status=video.status.value)
        self._queue.resend(video.source_key, stored.size)
        log("video.retry", video_id=video.id, attempts=video.attempts)
        return video_view(video, None, self._clock.now_ms())

    # ── processing (the `process_videos` function) ──────────────────────────────────────────

    def process_upload(self, bucket: str, key: str, size: int, delivery: Delivery) -> None:
        """One S3 notification, holding its message's lease while it works. Returns when it is done
        with or nothing is left to do; raises to have SQS deliver it again, after a back-off."""
        try:
            with Heartbeat(lambda: self._queue.hold(delivery.receipt, LEASE_S), LEASE_S / 3, f"video:{key[:200]}"):
                self._process_upload(bucket, key, delivery)
        except Exception:
            self._hold_for_retry(delivery)  # once the heartbeat stopped: no renewal may undo the back-off
            raise

    def _hold_for_retry(self, delivery: Delivery) -> None:
        try:
            self._queue.hold(delivery.receipt, FAILED_RETRY_AFTER_S)
        except Exception as exc:  # noqa: BLE001 - then it comes back within the lease: sooner, not lost
            log("video.backoff_unset", logging.WARNING, error=repr(exc)[:300])

    def _process_upload(self, bucket: str, key: str, delivery: Delivery) -> None:
        parsed = parse_upload_key(key)
        video = None if parsed is None else self.store.get(parsed[1])
        if parsed is None or video is None or video.voucher_id != parsed[0]:
            log("video.unknown_upload", logging.WARNING, bucket=bucket, key=key[:200])
            return
        if video.status in FINAL:
            log("video.duplicate_notification", video_id=video.id, status=video.status.value)
            return
        now = self._clock.now_ms()
        claimable = CLAIMABLE
        if video.status is VideoStatus.PROCESSING:
            redelivered = video.claimed_by == delivery.message_id
            if not redelivered and now - video.updated_at < ABANDONED_AFTER_MS:
                log("video.in_progress", video_id=video.id, attempts=video.attempts)
                return
            log("video.taken_over", video_id=video.id, attempts=video.attempts, redelivered=redelivered)
            claimable = PROCESSING
        stored = self._files.head(key)
        if stored is None:  # before claiming: a notification of nothing must not leave the video `processing`
            log("video.upload_missing", logging.WARNING, video_id=video.id, key=key)
            return
        claimed = self.store.move(video, claimable, {"status": VideoStatus.PROCESSING, "attempts": video.attempts + 1,
                                                     "updated_at": now, "claimed_by": delivery.message_id})
        if claimed is None:
            return  # another delivery claimed or settled it meanwhile
        if stored.size > self.limits.max_bytes:
            self._reject(claimed, "too_large", f"the file has {stored.size} bytes; at most {self.limits.max_bytes}")
            return
        try:
            self._transcode(claimed, stored.size)
        except Exception as exc:
            self._fail(claimed, exc)
            raise

    def _transcode(self, video: Video, size: int) -> None:
        from chalicelib.groupbuy import media  # PyAV: only this function's layer has it

        limits = media.VideoLimits(max_bytes=self.limits.max_bytes, max_source_s=self.limits.max_source_s,
                                   max_output_s=self.limits.max_output_s, max_height=self.limits.max_height)
        with tempfile.TemporaryDirectory(prefix="ontime-video-") as work:
            source = Path(work) / "source"
            self._files.download(video.source_key, str(source))
            try:
                media.probe(source, size, limits)
                done = media.process(source, Path(work) / "out", media.Watermark(video.shop_name, video.visit_date),
                                     limits)
            except media.Rejected as rejected:
                self._reject(video, rejected.reason, rejected.detail)
                return
            self._publish(video, done)

    def _publish(self, video: Video, done: Processed) -> None:
        video_key = f"{OUTPUT_PREFIX}{video.deal_id}/{video.id}.mp4"
        poster_key = f"{OUTPUT_PREFIX}{video.deal_id}/{video.id}.jpg"
        # Outputs first, then the record: a crash in between leaves unlisted files that the next
        # attempt overwrites, never a listed video without its files.
        self._files.upload(str(done.video_path), video_key, "video/mp4")
        self._files.upload(str(done.poster_path), poster_key, "image/jpeg")
        now = self._clock.now_ms()
        published = self.store.move(video, PROCESSING, {
            "status": VideoStatus.PUBLISHED, "video_key": video_key, "poster_key": poster_key,
            "duration_s": round(done.duration_s, 3), "width": done.width, "height": done.height,
            "published_at": now, "updated_at": now, "reason": None, "detail": None})
        if published is None:
            return
        log("video.published", video_id=video.id, deal_id=video.deal_id, duration_s=done.duration_s)
        self._metrics.metric("VideoPublished", 1, "Count", {}, video_id=video.id)
        self._notifier.push(party.customer(video.customer_id), "video.published",
                            video_view(published, self._links(published), now), now)

    def _reject(self, video: Video, reason: str, detail: str) -> None:
        now = self._clock.now_ms()
        rejected = self.store.move(video, PROCESSING, {"status": VideoStatus.REJECTED, "reason": reason,
                                                       "detail": detail[:500], "updated_at": now})
        if rejected is None:
            return
        log("video.rejected", video_id=video.id, reason=reason)
        self._metrics.metric("VideoRejected", 1, "Count", {"reason": reason}, video_id=video.id)
        self._notifier.push(party.customer(video.customer_id), "video.rejected", video_view(rejected, None, now), now)

    def _fail(self, video: Video, exc: Exception) -> None:
        now = self._clock.now_ms()
        failed = self.store.move(video, PROCESSING, {"status": VideoStatus.FAILED, "reason": "processing_failed",
                                                     "detail": repr(exc)[:500], "updated_at": now})
        log("video.failed", logging.ERROR, video_id=video.id, attempts=video.attempts, error=repr(exc)[:500])
        self._metrics.metric("VideoProcessingFailed", 1, "Count", {}, video_id=video.id)
        if failed is None:
            return
        view = video_view(failed, None, now)
        self._notifier.push(party.customer(video.customer_id), "video.failed", view, now)
        self._notifier.push(party.OPS, "alert.raised", {"kind": "video_processing_failed", "video": view}, now)

    # ── the deal page ───────────────────────────────────────────────────────────────────────

    def published(self, deal_id: str, limit: int, token: str | None) -> Page[Video]:
        return self.store.published(deal_id, limit, token)

    def view(self, video: Video, now: int) -> dict[str, Any]:
        return video_view(video, self._links(video), now)

    def _links(self, video: Video) -> dict[str, str] | None:
        if video.video_key is None or video.poster_key is None:
            return None
        return {"video": self._files.presign_get(video.video_key, LINK_EXPIRES_S),
                "poster": self._files.presign_get(video.poster_key, LINK_EXPIRES_S)}


