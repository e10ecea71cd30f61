"""`process_videos`: the video queue's consumer. Each message is an S3 event notification of one
or more uploads under `uploads/`; each upload goes to `VideoService.process_upload`.

Lambda imports this module alone for the function (its handler string), so it imports only
Chalice, `bootstrap` and the platform at the top; the service (and PyAV with it) at the first
upload. A message that cannot be an S3 notification is logged and dropped (no retry can fix it);
S3's `s3:TestEvent` (sent when the bucket's notification is configured) is skipped. A message whose
processing raised is reported failed alone (`core/batches.py`): SQS makes it visible again (after
the service's back-off) and, after `MAX_RECEIVES` receives, moves it to the dead-letter queue,
whose alarm pages ops. Each upload is handed over with its message's delivery, on which the
service keeps its lease. Processing must therefore be
idempotent (S3 may also notify twice): that is the service's contract.

Each upload is handled with its key as the correlation id (`video:<voucher_id>:<upload_id>.<ext>`),
the same on every delivery; the batch's own lines carry the Lambda request id.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from chalice.app import Blueprint, SQSEvent

from chalicelib import bootstrap
from chalicelib.core import correlation
from chalicelib.core.batches import BatchResponse, Delivery, batch_response, delivery, message_id
from chalicelib.core.observability import log
from chalicelib.groupbuy.video_infra import UPLOADS_PREFIX, VIDEO_FUNCTION

routes = Blueprint(__name__)

TEST_EVENT = "s3:TestEvent"
CREATED = "ObjectCreated:"


@dataclass(frozen=True)
class Upload:
    """An object S3 says was created: where, and its size as S3 counted it (not the client's word)."""

    bucket: str
    key: str
    size: int


class PoisonMessage(ValueError):
    """A message no retry can make readable."""


def uploads_in(body: str) -> list[Upload]:
    """The created objects one SQS message (an S3 event notification) names; none for S3's test
    event or for events other than creation. Raises `PoisonMessage` for anything else."""
    try:
        notification = json.loads(body)
    except ValueError as exc:
        raise PoisonMessage(f"not JSON: {exc}") from None
    if not isinstance(notification, dict):
        raise PoisonMessage("not an S3 event notification (not an object)")
    if notification.get("Event") == TEST_EVENT:
        return []
    records = notification.get("Records")
    if not isinstance(records, list):
        raise PoisonMessage("not an S3 event notification (no Records)")
    return [upload for record in records if (upload := _created(record)) is not None]


def _created(record: Any) -> Upload | None:
    try:
        if not str(record["eventName"]).startswith(CREATED):
            return None
        s3 = record["s3"]
        bucket, key, size = s3["bucket"]["name"], s3["object"]["key"], s3["object"]["size"]
    except (KeyError, TypeError) as exc:
        raise PoisonMessage(f"an S3 record without {exc}") from None
    if not isinstance(bucket, str) or not isinstance(key, str) or not bucket or not key:
        raise PoisonMessage("an S3 record without a bucket name or key")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise PoisonMessage(f"an S3 record with size {size!r}")
    return Upload(bucket, unquote_plus(key), size)  # S3 URL-encodes keys in notifications (space → +)


def upload_correlation_id(upload: Upload) -> str:
    candidate = "video:" + upload.key.removeprefix(UPLOADS_PREFIX).replace("/", ":")
    return candidate if correlation.is_safe_id(candidate) else correlation.new_correlation_id()


@routes.on_sqs_message(queue=VIDEO_FUNCTION.queue_name, batch_size=VIDEO_FUNCTION.batch_size)
def process_videos(event: SQSEvent) -> BatchResponse:
    batch = correlation.for_invocation(event.context, sent=correlation.lambda_request_id(event.context))
    failed: list[str] = []
    with correlation.bound(batch):
        for record in event:
            try:
                uploads = uploads_in(record.body)
            except PoisonMessage as exc:
                log("video.poison", logging.ERROR, body=record.body[:200], error=str(exc))
                continue
            for upload in uploads:
                with correlation.bound(batch.caused_by(upload_correlation_id(upload))):
                    log("video.upload_received", bucket=upload.bucket, key=upload.key, size=upload.size)
                    try:
                        _process(upload, delivery(record))
                    except Exception:  # noqa: BLE001 - this message is delivered again, not its batch
                        log("video.processing_failed", logging.ERROR, bucket=upload.bucket, key=upload.key,
                            exc_info=True)
                        failed.append(message_id(record))
    return batch_response(failed)


def _process(upload: Upload, received: Delivery) -> None:
    # The service and PyAV: at the first upload only. (The ignore: service.py is the lead's, merged
    # after this branch; drop it then.)
    from chalicelib.groupbuy.service import GroupBuyServices

    bootstrap.container().services_of(GroupBuyServices).videos.process_upload(upload.bucket, upload.key, upload.size,
                                                                               received)
