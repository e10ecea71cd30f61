"""An on-site video: one upload for a redeemed voucher, from the presigned POST to the deal page.

    awaiting_upload ──(S3 ObjectCreated)──▶ processing ──▶ published
                                                │    └───▶ rejected (not a video, too long…: final)
                                                └────────▶ failed (retryable: the buyer retries)

Only `published` videos are listed (the listing index is sparse on `published_at`), and a video is
marked published only after its MP4 and poster are in S3: nothing is ever half-published.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class VideoStatus(StrEnum):
    AWAITING_UPLOAD = "awaiting_upload"
    PROCESSING = "processing"
    PUBLISHED = "published"
    REJECTED = "rejected"
    FAILED = "failed"


FINAL = frozenset({VideoStatus.PUBLISHED, VideoStatus.REJECTED})


@dataclass(frozen=True)
class Video:
    id: str
    voucher_id: str
    customer_id: str
    deal_id: str
    shop_id: str
    shop_name: str
    visit_date: str
    """The local date of the visit (the redemption) in the shop's zone: the watermark's date."""
    source_key: str
    status: VideoStatus
    created_at: int
    updated_at: int
    attempts: int = 0
    reason: str | None = None
    detail: str | None = None
    video_key: str | None = None
    poster_key: str | None = None
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None
    published_at: int | None = None
    claimed_by: str | None = None
    """The SQS message whose delivery claimed it for processing: that message handed out again
    means the run holding it died (its lease lapsed), so the redelivery takes over at once."""
    version: int = 0
