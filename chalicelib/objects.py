"""Objects in S3, for every package that keeps files: presigned POSTs a phone uploads straight to,
presigned GETs a browser downloads from, and the server's own reads and writes (HEAD, list,
download, upload, copy, delete). The `ObjectStore` port is what a package's adapter takes; tests
use an in-memory fake (`tests/fakes/objects.py`).

The S3 client is made at first use, from the container's botocore session (`chalicelib/aws.py`):
most invocations never touch an object.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from chalicelib import aws

MAX_LISTED = 1000
"""One `ListObjectsV2` page: what `list` reads at most (a package keeps its prefixes small)."""
CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ObjectInfo:
    """What a HEAD tells about a stored object."""

    key: str
    size: int
    content_type: str
    metadata: Mapping[str, str] = field(default_factory=dict)
    """The object's user metadata (`x-amz-meta-<name>`), by name in lower case."""


@dataclass(frozen=True)
class ListedObject:
    key: str
    size: int


class ObjectStore(Protocol):
    """One bucket's objects."""

    def presign_post(self, key: str, *, max_bytes: int, expires_s: int, content_type: str | None = None,
                     content_type_prefix: str | None = None, fields: Mapping[str, str] | None = None
                     ) -> dict[str, Any]:
        """`{"url": …, "fields": {…}}` for a multipart POST that S3 accepts only for this key, a size
        of 1 … `max_bytes`, within `expires_s`, and either exactly `content_type` (set in the fields)
        or any `Content-Type` starting with `content_type_prefix` (`video/`: the client sends the
        `Content-Type` field itself). `fields` (`x-amz-meta-…`, `success_action_status`) must be
        sent exactly as given."""
        ...

    def presign_get(self, key: str, expires_s: int) -> str:
        """A URL that reads the object for `expires_s` seconds."""
        ...

    def head(self, key: str) -> ObjectInfo | None:
        """The object's size, type and metadata (None: no such object)."""
        ...

    def list(self, prefix: str, limit: int = MAX_LISTED) -> list[ListedObject]:
        """The objects under `prefix`, by key, `limit` at most."""
        ...

    def download(self, key: str, path: str) -> None:
        """The object into the file at `path` (`LookupError`: no such object)."""
        ...

    def upload(self, path: str, key: str, content_type: str, metadata: Mapping[str, str] | None = None) -> None:
        """The file at `path` as the object `key` (replacing any)."""
        ...

    def copy(self, source_key: str, key: str) -> None:
        """The object `source_key`, with its type and metadata, as `key` too."""
        ...

    def delete(self, key: str) -> None:
        """Gone, whether or not it existed."""
        ...


class S3Objects:
    """`ObjectStore` on one S3 bucket."""

    def __init__(self, bucket: str, region: str, endpoint_url: str | None = None, *, client: Any = None) -> None:
        self.bucket = bucket
        self._region = region
        self._endpoint_url = endpoint_url
        self._client = client
        self._lock = threading.Lock()

    @property
    def _s3(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = _client(self._region, self._endpoint_url)
        return self._client

    def presign_post(self, key: str, *, max_bytes: int, expires_s: int, content_type: str | None = None,
                     content_type_prefix: str | None = None, fields: Mapping[str, str] | None = None
                     ) -> dict[str, Any]:
        if (content_type is None) == (content_type_prefix is None):
            raise ValueError("a presigned POST takes one exact content_type or one content_type_prefix")
        exact = dict(fields or {})
        conditions: list[Any] = [["content-length-range", 1, max_bytes]]
        if content_type is not None:
            exact["Content-Type"] = content_type
        else:
            # The policy lets the client choose among a family of types (any `video/…`); S3 refuses
            # a POST whose `Content-Type` field does not start so, and stores the one it sent.
            conditions.append(["starts-with", "$Content-Type", content_type_prefix])
        conditions = [{name: value} for name, value in exact.items()] + conditions
        post: dict[str, Any] = self._s3.generate_presigned_post(
            Bucket=self.bucket, Key=key, Fields=exact, Conditions=conditions, ExpiresIn=expires_s)
        return post

    def presign_get(self, key: str, expires_s: int) -> str:
        url: str = self._s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": key},
                                                   ExpiresIn=expires_s)
        return url

    def head(self, key: str) -> ObjectInfo | None:
        from botocore.exceptions import ClientError

        try:
            head = self._s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        return ObjectInfo(key, int(head["ContentLength"]), str(head.get("ContentType", "")),
                          {str(k).lower(): str(v) for k, v in (head.get("Metadata") or {}).items()})

    def list(self, prefix: str, limit: int = MAX_LISTED) -> list[ListedObject]:
        listing = self._s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix, MaxKeys=min(limit, MAX_LISTED))
        return [ListedObject(entry["Key"], int(entry["Size"])) for entry in listing.get("Contents", [])]

    def download(self, key: str, path: str) -> None:
        """Streamed to the file (botocore's client has no boto3 transfer manager; a single GET is
        enough for the sizes we take, ≤ 100 MB)."""
        from botocore.exceptions import ClientError

        try:
            body = self._s3.get_object(Bucket=self.bucket, Key=key)["Body"]
        except ClientError as exc:
            if _missing(exc):
                raise LookupError(f"no object {key}") from exc
            raise
        with body, open(path, "wb") as file:
            shutil.copyfileobj(body, file, CHUNK_BYTES)

    def upload(self, path: str, key: str, content_type: str, metadata: Mapping[str, str] | None = None) -> None:
        """One PUT (S3 takes up to 5 GB so; our outputs are a few MB)."""
        with open(path, "rb") as file:
            self._s3.put_object(Bucket=self.bucket, Key=key, Body=file, ContentType=content_type,
                                Metadata=dict(metadata or {}))

    def copy(self, source_key: str, key: str) -> None:
        self._s3.copy_object(Bucket=self.bucket, Key=key, CopySource={"Bucket": self.bucket, "Key": source_key},
                             MetadataDirective="COPY")

    def delete(self, key: str) -> None:
        self._s3.delete_object(Bucket=self.bucket, Key=key)


def _client(region: str, endpoint_url: str | None) -> Any:
    from botocore.config import Config

    # SigV4 and a regional endpoint, so presigned POSTs work from a phone (the legacy global
    # endpoint redirects, and a browser does not follow a redirected multipart POST); path-style
    # addressing for a local endpoint such as http://127.0.0.1:5000, which has no DNS for
    # `<bucket>.127.0.0.1`.
    style = "path" if endpoint_url else "auto"
    return aws.client("s3", region_name=region, endpoint_url=endpoint_url,
                      config=Config(signature_version="s3v4", s3={"addressing_style": style}))


def _missing(exc: Any) -> bool:
    """A HEAD of a missing key answers a bare 404 (no body, so no error code beyond the status)."""
    error = getattr(exc, "response", {}).get("Error", {})
    return str(error.get("Code")) in ("404", "NoSuchKey", "NotFound")
