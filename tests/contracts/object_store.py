"""The platform's `ObjectStore` (`chalicelib/objects.py`): what a presigned POST's policy lets a
client send, and the server's own HEAD, list, download, upload, copy and delete."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib.objects import ListedObject, ObjectInfo, ObjectStore

MB = 1024 * 1024


def policy_conditions(post: dict[str, Any]) -> list[Any]:
    """The conditions S3 holds a POST to, as the presigned policy states them."""
    conditions: list[Any] = json.loads(base64.b64decode(post["fields"]["policy"]))["conditions"]
    return conditions


class ObjectStoreContract:
    @pytest.fixture
    def objects(self) -> ObjectStore:
        raise NotImplementedError("a subclass provides the store under test")

    def put(self, objects: ObjectStore, tmp_path: Path, key: str, body: bytes, content_type: str,
            metadata: dict[str, str] | None = None) -> None:
        source = tmp_path / "upload.bin"
        source.write_bytes(body)
        objects.upload(str(source), key, content_type, metadata)

    # ── presigned POSTs ─────────────────────────────────────────────────────────────────────

    def test_a_presigned_post_for_one_type_fixes_the_key_the_type_and_the_size(self, objects: ObjectStore) -> None:
        post = objects.presign_post("photos/ph_1.jpg", content_type="image/jpeg", max_bytes=10 * MB, expires_s=900)
        assert post["url"].startswith("http")
        assert post["fields"]["key"] == "photos/ph_1.jpg" and post["fields"]["Content-Type"] == "image/jpeg"
        conditions = policy_conditions(post)
        assert {"Content-Type": "image/jpeg"} in conditions and ["content-length-range", 1, 10 * MB] in conditions
        assert not any(isinstance(c, list) and c[0] == "starts-with" for c in conditions)

    def test_a_presigned_post_for_a_family_of_types_lets_the_client_name_one_of_them(
            self, objects: ObjectStore) -> None:
        post = objects.presign_post("videos/v_1/source", content_type_prefix="video/", max_bytes=100 * MB,
                                    expires_s=900, fields={"x-amz-meta-voucher": "vch_1"})
        assert "Content-Type" not in post["fields"]  # the client sends the one its file has
        assert post["fields"]["x-amz-meta-voucher"] == "vch_1"
        conditions = policy_conditions(post)
        assert ["starts-with", "$Content-Type", "video/"] in conditions
        assert {"x-amz-meta-voucher": "vch_1"} in conditions and ["content-length-range", 1, 100 * MB] in conditions

    @pytest.mark.parametrize(("exact", "prefix"), [(None, None), ("video/mp4", "video/")])
    def test_a_presigned_post_takes_exactly_one_type_rule(self, objects: ObjectStore, exact: str | None,
                                                           prefix: str | None) -> None:
        with pytest.raises(ValueError, match="content_type"):
            objects.presign_post("k", max_bytes=1, expires_s=60, content_type=exact, content_type_prefix=prefix)

    def test_a_presigned_get_names_the_object(self, objects: ObjectStore) -> None:
        url = objects.presign_get("videos/v_1/out.mp4", 600)
        assert url.startswith("http") and "videos/v_1/out.mp4" in url

    # ── the server's own calls ──────────────────────────────────────────────────────────────

    def test_an_object_reads_back_with_its_size_type_and_metadata(self, objects: ObjectStore, tmp_path: Path) -> None:
        self.put(objects, tmp_path, "videos/v_1/out.mp4", b"\x00\x01mp4", "video/mp4", {"shop": "m_1"})
        assert objects.head("videos/v_1/out.mp4") == ObjectInfo("videos/v_1/out.mp4", 5, "video/mp4", {"shop": "m_1"})
        target = tmp_path / "copy.mp4"
        objects.download("videos/v_1/out.mp4", str(target))
        assert target.read_bytes() == b"\x00\x01mp4"

    def test_a_missing_object_has_no_head_and_cannot_be_downloaded(self, objects: ObjectStore, tmp_path: Path) -> None:
        assert objects.head("nothing/here") is None
        with pytest.raises(LookupError):
            objects.download("nothing/here", str(tmp_path / "x"))

    def test_objects_are_listed_by_key_under_their_prefix_only(self, objects: ObjectStore, tmp_path: Path) -> None:
        for key, body in (("v/2/b", b"bb"), ("v/1/a", b"a"), ("v/1/c", b"ccc"), ("v/10/d", b"d")):
            self.put(objects, tmp_path, key, body, "application/octet-stream")
        assert objects.list("v/1/") == [ListedObject("v/1/a", 1), ListedObject("v/1/c", 3)]
        assert objects.list("v/", limit=2) == [ListedObject("v/1/a", 1), ListedObject("v/1/c", 3)]
        assert objects.list("w/") == []

    def test_a_copy_keeps_type_and_metadata_and_a_delete_is_idempotent(self, objects: ObjectStore,
                                                                         tmp_path: Path) -> None:
        self.put(objects, tmp_path, "in/src", b"data", "image/jpeg", {"visit": "2026-11-18"})
        objects.copy("in/src", "out/dst")
        assert objects.head("out/dst") == ObjectInfo("out/dst", 4, "image/jpeg", {"visit": "2026-11-18"})
        objects.delete("in/src")
        objects.delete("in/src")
        assert objects.head("in/src") is None and objects.head("out/dst") is not None
