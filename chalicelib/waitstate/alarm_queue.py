"""Alarm triggers as delayed SQS messages."""

from __future__ import annotations

from typing import Any

from chalicelib.waitstate.model import MAX_SQS_DELAY_S, AlarmMessage


class SqsAlarmQueue:
    def __init__(self, client: Any, queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url

    def send(self, message: AlarmMessage, delay_s: int) -> None:
        self._client.send_message(
            QueueUrl=self._queue_url,
            MessageBody=message.to_json(),
            DelaySeconds=max(0, min(MAX_SQS_DELAY_S, int(delay_s))),
        )
