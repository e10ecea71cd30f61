"""Completion photos in S3 (the platform's `ObjectStore`): presigned POST uploads and a listing of
what arrived."""

from __future__ import annotations

from typing import Any

from chalicelib.dispatch.photos import StoredPhoto
from chalicelib.objects import ObjectStore, S3Objects

LISTED = 100
"""The objects of a request's prefix read at most (it holds `MAX_PHOTOS` that count)."""


class S3PhotoStore:
    def __init__(self, objects: ObjectStore) -> None:
        self._objects = objects

    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_s: int) -> dict[str, Any]:
        return self._objects.presign_post(key, content_type=content_type, max_bytes=max_bytes, expires_s=expires_s)

    def uploaded(self, prefix: str) -> dict[str, StoredPhoto]:
        found: dict[str, StoredPhoto] = {}
        for listed in self._objects.list(prefix, limit=LISTED):
            head = self._objects.head(listed.key)
            if head is None:  # deleted between the listing and the HEAD
                continue
            photo_id = listed.key.removeprefix(prefix).rsplit(".", 1)[0]
            found[photo_id] = StoredPhoto(listed.key, head.size, head.content_type)
        return found


def s3_photo_store(bucket: str, region: str, endpoint_url: str | None) -> S3PhotoStore:
    return S3PhotoStore(S3Objects(bucket, region, endpoint_url))
