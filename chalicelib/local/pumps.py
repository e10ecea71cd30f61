"""Lambda's event sources, played by threads: an SQS poller and a schedule.

`SqsPump` does what Lambda's SQS event source mapping does: long-poll the queue, hand each batch
to the function, delete the batch when the function returns, leave it when it raises (SQS makes
it visible again after the visibility timeout, and moves it to the dead-letter queue after
`maxReceiveCount` receives). Several pollers run at once, like Lambda's concurrent pollers, so a
batch that waits (an alarm received a little early sleeps until its moment) does not hold up
the next one.

`SchedulePump` invokes a scheduled function every `interval_s` seconds, like an EventBridge rule.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from chalicelib.core.observability import log
from chalicelib.local.events import queue_arn, scheduled_event, sqs_event
from chalicelib.local.lambdas import LambdaRuntime

MAX_BATCH = 10
LONG_POLL_S = 1
"""Short enough that a stop request is noticed within about a second."""
ERROR_BACKOFF_S = 1.0


class SqsPump:
    def __init__(self, runtime: LambdaRuntime, sqs: Any, queue_url: str, handler: str, *, region: str,
                 pollers: int = 4, batch_size: int = MAX_BATCH) -> None:
        self._runtime = runtime
        self._sqs = sqs
        self._queue_url = queue_url
        self._handler = handler
        self._arn = queue_arn(queue_url, region)
        self._region = region
        self._pollers = pollers
        self._batch_size = batch_size
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for n in range(self._pollers):
            # Staggered, so that the pollers' one-second waits end at different moments: moto only
            # notices a delayed message becoming visible when a wait ends.
            thread = threading.Thread(target=self._poll, args=(n * LONG_POLL_S / self._pollers,),
                                      name=f"sqs-pump-{self._handler}-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout_s: float) -> None:
        for thread in self._threads:
            thread.join(timeout_s)

    def _poll(self, initial_delay_s: float) -> None:
        if self._stop.wait(initial_delay_s):
            return
        while not self._stop.is_set():
            try:
                received = self._sqs.receive_message(
                    QueueUrl=self._queue_url, MaxNumberOfMessages=self._batch_size, WaitTimeSeconds=LONG_POLL_S,
                    MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"])
            except Exception as exc:  # noqa: BLE001 - the poller outlives a failing endpoint
                if not self._stop.is_set():
                    log("local.sqs_receive_failed", logging.WARNING, queue=self._queue_url, error=repr(exc))
                self._stop.wait(ERROR_BACKOFF_S)
                continue
            messages = received.get("Messages") or []
            if messages:
                self._deliver(messages)

    def _deliver(self, messages: list[dict[str, Any]]) -> None:
        event = sqs_event(messages, queue_arn=self._arn, region=self._region)
        try:
            self._runtime.invoke(self._handler, event)
        except Exception as exc:  # noqa: BLE001 - Lambda's rule: a failed batch stays in the queue
            log("local.sqs_batch_failed", logging.WARNING, handler=self._handler, messages=len(messages),
                error=repr(exc))
            return
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
        try:
            self._sqs.delete_message_batch(QueueUrl=self._queue_url, Entries=entries)
        except Exception as exc:  # noqa: BLE001 - redelivery is harmless: alarms are fenced
            log("local.sqs_delete_failed", logging.WARNING, queue=self._queue_url, error=repr(exc))


class SchedulePump:
    def __init__(self, runtime: LambdaRuntime, handler: str, interval_s: float, *, region: str) -> None:
        self._runtime = runtime
        self._handler = handler
        self._interval_s = interval_s
        self._region = region
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"schedule-{self._handler}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout_s: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                self._runtime.invoke(self._handler, scheduled_event(f"ontime-local-{self._handler}", self._region))
            except Exception as exc:  # noqa: BLE001 - the next tick tries again, as EventBridge would
                log("local.schedule_failed", logging.WARNING, handler=self._handler, error=repr(exc))
