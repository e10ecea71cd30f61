"""On-site videos in DynamoDB: every status change is conditioned on the status it leaves, so of
duplicate notifications processing one upload at once exactly one publishes (or rejects) it: a
move is conditioned on the version the caller read, so two that read the same video cannot both
take it over."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pynamodb.exceptions import PutError

from chalicelib.core.errors import AlreadyExists
from chalicelib.groupbuy.tables import VideoModel
from chalicelib.groupbuy.video import Video, VideoStatus
from chalicelib.persistence.entity_store import get_or_none
from chalicelib.persistence.mapping import float_or_none, int_or_none
from chalicelib.persistence.paging import Page, decode_token, run_page
from chalicelib.persistence.writes import lost_condition, met_its_own_save

_FIELDS = ("id", "voucher_id", "customer_id", "deal_id", "shop_id", "shop_name", "visit_date", "source_key",
           "created_at", "updated_at", "attempts", "reason", "detail", "video_key", "poster_key", "duration_s",
           "width", "height", "published_at", "claimed_by")


class DynamoVideoStore:
    def create(self, video: Video) -> Video:
        item = _item(video)
        try:
            item.save(condition=VideoModel.id.does_not_exist())
        except PutError as exc:
            if not lost_condition(exc):
                raise
            if not met_its_own_save(item, exc):
                raise AlreadyExists(video.id) from exc
            item.version = 1  # its answer was lost, not its write
        return _video(item)

    def get(self, video_id: str) -> Video | None:
        item = get_or_none(VideoModel, video_id, consistent=True)
        return None if item is None else _video(item)

    def move(self, video: Video, expected: frozenset[VideoStatus], changes: Mapping[str, Any]) -> Video | None:
        current = self.get(video.id)
        if current is None or current.status not in expected or current.version != video.version:
            return None  # moved on since the caller read it: the caller's decision no longer holds
        after = replace(current, **changes)
        item = _item(after)
        item.version = video.version  # save() checks it, then bumps it: of two movers, one wins
        try:
            item.save()
        except PutError as exc:
            if not lost_condition(exc):
                raise
            if not met_its_own_save(item, exc):
                return None
            item.version = video.version + 1  # its answer was lost, not its write: a claim made
        return _video(item)

    def for_voucher(self, voucher_id: str) -> list[Video]:
        return [_video(item) for item in VideoModel.by_voucher.query(voucher_id, scan_index_forward=False, limit=50)]

    def published(self, deal_id: str, limit: int, token: str | None) -> Page[Video]:
        return run_page(VideoModel.by_deal.query(deal_id, scan_index_forward=False, limit=limit,
                                                 last_evaluated_key=decode_token(token)), _video)


def _item(video: Video) -> VideoModel:
    return VideoModel(**{name: getattr(video, name) for name in _FIELDS}, status=video.status.value)


def _video(item: VideoModel) -> Video:
    return Video(
        id=item.id, voucher_id=item.voucher_id, customer_id=item.customer_id, deal_id=item.deal_id,
        shop_id=item.shop_id, shop_name=item.shop_name, visit_date=item.visit_date, source_key=item.source_key,
        status=VideoStatus(item.status), created_at=int(item.created_at), updated_at=int(item.updated_at),
        attempts=int(item.attempts or 0), reason=item.reason, detail=item.detail, video_key=item.video_key,
        poster_key=item.poster_key, duration_s=float_or_none(item.duration_s), width=int_or_none(item.width),
        height=int_or_none(item.height), published_at=int_or_none(item.published_at), claimed_by=item.claimed_by,
        version=int(item.version or 0))
