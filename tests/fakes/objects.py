"""The platform's `ObjectStore` in memory: objects in a dict, presigned POSTs whose policy says what
S3's would (base64 JSON with the same conditions), and `put` for what a phone's upload leaves."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.objects import MAX_LISTED, ListedObject, ObjectInfo, ObjectStore


@dataclass
class StoredObject:
    body: bytes
    content_type: str
    metadata: dict[str, str] = field(default_factory=dict)


class InMemoryObjects(ObjectStore):
    def __init__(self, bucket: str = "ontime-objects") -> None:
        self.bucket = bucket
        self.objects: dict[str, StoredObject] = {}

    def put(self, key: str, body: bytes, content_type: str, metadata: Mapping[str, str] | None = None) -> None:
        """What a client's upload through a presigned POST leaves (S3's part, not the port's)."""
        self.objects[key] = StoredObject(body, content_type, {k.lower(): v for k, v in (metadata or {}).items()})

    def presign_post(self, key: str, *, max_bytes: int, expires_s: int, content_type: str | None = None,
                     content_type_prefix: str | None = None, fields: Mapping[str, str] | None = None
                     ) -> dict[str, Any]:
        if (content_type is None) == (content_type_prefix is None):
            raise ValueError("a presigned POST takes one exact content_type or one content_type_prefix")
        exact = {**(fields or {}), **({"Content-Type": content_type} if content_type is not None else {})}
        conditions: list[Any] = [{"bucket": self.bucket}, {"key": key},
                                 *({name: value} for name, value in exact.items()),
                                 ["content-length-range", 1, max_bytes]]
        if content_type_prefix is not None:
            conditions.append(["starts-with", "$Content-Type", content_type_prefix])
        policy = json.dumps({"expiration": f"in {expires_s} s", "conditions": conditions}).encode()
        return {"url": f"https://{self.bucket}.s3.amazonaws.com/",
                "fields": {**exact, "key": key, "policy": base64.b64encode(policy).decode()}}

    def presign_get(self, key: str, expires_s: int) -> str:
        return f"https://{self.bucket}.s3.amazonaws.com/{key}?X-Amz-Expires={expires_s}"

    def head(self, key: str) -> ObjectInfo | None:
        stored = self.objects.get(key)
        if stored is None:
            return None
        return ObjectInfo(key, len(stored.body), stored.content_type, dict(stored.metadata))

    def list(self, prefix: str, limit: int = MAX_LISTED) -> list[ListedObject]:
        keys = sorted(k for k in self.objects if k.startswith(prefix))[:min(limit, MAX_LISTED)]
        return [ListedObject(key, len(self.objects[key].body)) for key in keys]

    def download(self, key: str, path: str) -> None:
        stored = self.objects.get(key)
        if stored is None:
            raise LookupError(f"no object {key}")
        with open(path, "wb") as file:
            file.write(stored.body)

    def upload(self, path: str, key: str, content_type: str, metadata: Mapping[str, str] | None = None) -> None:
        with open(path, "rb") as file:
            self.put(key, file.read(), content_type, metadata)

    def copy(self, source_key: str, key: str) -> None:
        stored = self.objects[source_key]
        self.objects[key] = StoredObject(stored.body, stored.content_type, dict(stored.metadata))

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)


