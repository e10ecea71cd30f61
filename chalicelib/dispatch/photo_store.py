"""Completion photos in S3: presigned POST uploads and a listing of what arrived."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from chalicelib.dispatch.photos import StoredPhoto


class S3PhotoStore:
    """The S3 client is made at first use: most invocations never touch photos."""

    def __init__(self, client_factory: Callable[[], Any], bucket: str) -> None:
        self._client_factory = client_factory
        self._bucket = bucket

    @cached_property
    def _s3(self) -> Any:
        return self._client_factory()

    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_s: int) -> dict[str, Any]:
        post: dict[str, Any] = self._s3.generate_presigned_post(
            Bucket=self._bucket, Key=key, Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_s,
        )
        return post

    def uploaded(self, prefix: str) -> dict[str, StoredPhoto]:
        found: dict[str, StoredPhoto] = {}
        listing = self._s3.list_objects_v2(Bucket=self._bucket, Prefix=prefix, MaxKeys=100)
        for entry in listing.get("Contents", []):
            key = entry["Key"]
            head = self._s3.head_object(Bucket=self._bucket, Key=key)
            photo_id = key.removeprefix(prefix).rsplit(".", 1)[0]
            found[photo_id] = StoredPhoto(key, int(head["ContentLength"]), str(head.get("ContentType", "")))
        return found


def s3_photo_store(bucket: str, region: str, endpoint_url: str | None) -> S3PhotoStore:
    def client() -> Any:
        import boto3

        from chalicelib.aws_clients import client_config

        # SigV4 and a regional endpoint, so presigned POSTs work from a phone; path-style
        # addressing for a local endpoint such as http://127.0.0.1:5000.
        style = "path" if endpoint_url else "auto"
        return boto3.client("s3", region_name=region, endpoint_url=endpoint_url,
                            config=client_config(signature_version="s3v4", s3={"addressing_style": style}))

    return S3PhotoStore(client, bucket)
