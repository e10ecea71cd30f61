"""A video uploaded the way a customer's phone uploads it — a presigned POST straight to the local
stack's S3 — reaches `process_videos` through the bucket's notification and the video queue, with
the bucket, the key and the size S3 counted, as in AWS (S3 → SQS → Lambda)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from chalicelib.groupbuy.video_infra import UPLOADS_PREFIX
from devstack.provision import local_bucket_name
from tests.e2e.client import WAIT_S, StackUrls
from tests.e2e.conftest import start_stack, stop_stack

BUCKET = local_bucket_name("VideoBucket")


@pytest.fixture(scope="module")
def logged_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StackUrls, Path]]:
    """A stack of this module's own, whose log it reads (the handler's lines)."""
    log_path = tmp_path_factory.mktemp("video-stack") / "stack.log"
    process, urls = start_stack(log_path)
    try:
        yield urls, log_path
    finally:
        stop_stack(process, log_path)


def log_lines(log_path: Path, event: str) -> list[dict[str, Any]]:
    lines = []
    for line in log_path.read_text(errors="replace").splitlines():
        if line.startswith("{") and f'"event":"{event}"' in line:
            lines.append(json.loads(line))
    return lines


def test_a_presigned_post_upload_reaches_process_videos_with_its_bucket_key_and_size(
        logged_stack: tuple[StackUrls, Path]) -> None:
    urls, log_path = logged_stack
    s3 = boto3.client("s3", endpoint_url=urls.aws, region_name="us-east-1", aws_access_key_id="testing",
                      aws_secret_access_key="testing")
    key = f"{UPLOADS_PREFIX}v_{uuid.uuid4().hex[:8]}/up_1 (1).mp4"  # the space and brackets arrive encoded
    body = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4000
    conditions = [{"Content-Type": "video/mp4"}, ["content-length-range", 1, 100 << 20]]
    post = s3.generate_presigned_post(BUCKET, key, Fields={"Content-Type": "video/mp4"}, Conditions=conditions)
    uploaded = httpx.post(post["url"], data=post["fields"], files={"file": ("clip.mp4", body, "video/mp4")})
    assert uploaded.status_code in (200, 201, 204), uploaded.text

    deadline = time.monotonic() + WAIT_S
    while not (received := [line for line in log_lines(log_path, "video.upload_received") if line["key"] == key]):
        assert time.monotonic() < deadline, "process_videos was not invoked for the upload"
        time.sleep(0.05)
    [line] = received
    assert (line["bucket"], line["size"]) == (BUCKET, len(body))
    stats = httpx.get(urls.ws.replace("ws://", "http://") + "/_stats").json()
    assert stats["invocations"]["process_videos"] >= 1
