"""Completion photos: where they live and what is accepted. The upload goes straight from the
installer app to S3 with a presigned POST; the server only signs, then checks what arrived."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}
UPLOAD_EXPIRES_S = 900
MAX_PHOTOS = 10


def photo_key(request_id: str, photo_id: str, content_type: str) -> str:
    return f"installations/{request_id}/{photo_id}.{PHOTO_TYPES[content_type]}"


def photo_prefix(request_id: str) -> str:
    return f"installations/{request_id}/"


@dataclass(frozen=True)
class StoredPhoto:
    key: str
    size: int
    content_type: str


class PhotoStore(Protocol):
    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_s: int) -> dict[str, Any]:
        """`{"url": …, "fields": {…}}` for a multipart POST that S3 accepts only with this key,
        this content type and a size up to `max_bytes`."""
        ...

    def uploaded(self, prefix: str) -> dict[str, StoredPhoto]:
        """The photos under a request's prefix, by photo id (the file name without extension)."""
        ...
