"""The video processor's queue: the buyer's retry of a failed upload (the same S3 notification, sent
again) and the lease `process_videos` keeps on the message it works on."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote_plus

from chalicelib.core.errors import DomainError


class RetryUnavailable(DomainError):
    status = 503
    problem = "retry-unavailable"
    title = "Retry unavailable"


class SqsUploadQueue:
    def __init__(self, client: Any, queue_url: str | None, bucket: str) -> None:
        self._client = client
        self._queue_url = queue_url
        self._bucket = bucket

    def resend(self, bucket_key: str, size: int) -> None:
        if self._queue_url is None:
            raise RetryUnavailable("this stage has no video queue (ONTIME_VIDEO_QUEUE_URL)")
        body = {"Records": [{"eventSource": "ontime:retry", "eventName": "ObjectCreated:Retry",
                             "s3": {"bucket": {"name": self._bucket},
                                    "object": {"key": quote_plus(bucket_key), "size": size}}}]}
        self._client.send_message(QueueUrl=self._queue_url, MessageBody=json.dumps(body))

    def hold(self, receipt: str, seconds: int) -> None:
        if self._queue_url is None:
            return  # no queue to hold a message of (a stage without one hands none out)
        self._client.change_message_visibility(QueueUrl=self._queue_url, ReceiptHandle=receipt,
                                               VisibilityTimeout=seconds)
