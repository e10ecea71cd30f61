"""Alarm triggers as delayed SQS messages."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from chalicelib.core.observability import log
from chalicelib.waitstate.model import MAX_SQS_DELAY_S, SQS_BATCH, AlarmMessage, Trigger


def _delay(delay_s: int) -> int:
    return max(0, min(MAX_SQS_DELAY_S, int(delay_s)))


class SqsAlarmQueue:
    def __init__(self, client: Any, queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url

    def send(self, message: AlarmMessage, delay_s: int) -> None:
        self._client.send_message(QueueUrl=self._queue_url, MessageBody=message.to_json(), DelaySeconds=_delay(delay_s))

    def send_batch(self, triggers: Sequence[Trigger]) -> list[Trigger]:
        refused: list[Trigger] = []
        for start in range(0, len(triggers), SQS_BATCH):
            chunk = triggers[start:start + SQS_BATCH]
            entries = [{"Id": str(n), "MessageBody": message.to_json(), "DelaySeconds": _delay(delay_s)}
                       for n, (message, delay_s) in enumerate(chunk)]
            try:
                answer = self._client.send_message_batch(QueueUrl=self._queue_url, Entries=entries)
            except Exception as exc:  # noqa: BLE001 - the whole call failed: every entry of it is refused
                log("alarm.batch_refused", logging.WARNING, entries=len(chunk), error=repr(exc))
                refused += chunk
                continue
            refused += [chunk[int(failed["Id"])] for failed in answer.get("Failed", [])]
        return refused

    def redeliver_unless_done(self, receipts: Sequence[str], after_s: int) -> None:
        for start in range(0, len(receipts), SQS_BATCH):
            self._client.change_message_visibility_batch(QueueUrl=self._queue_url, Entries=[
                {"Id": str(n), "ReceiptHandle": receipt, "VisibilityTimeout": after_s}
                for n, receipt in enumerate(receipts[start:start + SQS_BATCH])])
