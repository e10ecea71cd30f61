"""Lambda's event sources, played by threads: an SQS poller and a schedule.

`SqsPump` does what Lambda's SQS event source mapping does with `ReportBatchItemFailures` on:
poll the queue, hand each batch to the function, and when it returns delete the messages it did
not report failed (`batchItemFailures`, `chalicelib/core/batches.py`; all of them when it returns
no such answer); leave the whole batch when it raises, or when it names a message that is not in
the batch (Lambda's rule too). SQS makes what is left visible again after the visibility timeout,
and moves it to the dead-letter queue after `maxReceiveCount` receives. Up to `concurrency` batches
run at once, like Lambda's concurrent invocations, so a batch that waits (an alarm received a
little early sleeps until its moment) does not hold up the next one.

It short-polls every `POLL_INTERVAL_S` instead of long-polling, because of how moto implements
a long poll: it notices a delayed message becoming visible only when its wait ends (up to a
second late, where the engine wants alarms within ~100 ms), and every waiting poll re-scans the
whole queue, delayed messages included, each time any message is sent. One short poll every
50 ms picks a trigger up within 50 ms of it becoming visible, for one cheap receive per poll.
Lambda's own pollers long-poll and take a message as it becomes visible, so a slower poll here
would only add lateness AWS does not have: a trigger of a whole-second window becomes visible
just after its moment (the send follows the write), so the poll interval is most of its lateness.

`SchedulePump` invokes a scheduled function every `interval_s` seconds, like an EventBridge rule.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chalicelib.core.batches import failed_ids
from chalicelib.core.observability import log
from devstack.events import queue_arn, scheduled_event, sqs_event
from devstack.faults import NotificationFaults
from devstack.lambdas import LambdaRuntime

MAX_BATCH = 10
POLL_INTERVAL_S = 0.05
ERROR_BACKOFF_S = 1.0


class SqsPump:
    def __init__(self, runtime: LambdaRuntime, sqs: Any, queue_url: str, handler: str, *, region: str,
                 concurrency: int = 4, batch_size: int = MAX_BATCH, poll_interval_s: float = POLL_INTERVAL_S,
                 notification_faults: NotificationFaults | None = None) -> None:
        self._runtime = runtime
        self._notification_faults = notification_faults
        self._sqs = sqs
        self._queue_url = queue_url
        self._handler = handler
        self._arn = queue_arn(queue_url, region)
        self._region = region
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._stop = threading.Event()
        # A batch is received only when a worker is free to run it: no message waits in flight.
        self._free_workers = threading.Semaphore(concurrency)
        self._workers = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix=f"sqs-{handler}")
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._poll, name=f"sqs-pump-{self._handler}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._workers.shutdown(wait=False, cancel_futures=True)

    def join(self, timeout_s: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _poll(self) -> None:
        while not self._stop.is_set():
            while not self._free_workers.acquire(timeout=self._poll_interval_s):
                if self._stop.is_set():
                    return
            try:
                messages = self._receive()
            except Exception as exc:  # noqa: BLE001 - the poller outlives a failing endpoint
                self._free_workers.release()
                if not self._stop.is_set():
                    log("local.sqs_receive_failed", logging.WARNING, queue=self._queue_url, error=repr(exc))
                self._stop.wait(ERROR_BACKOFF_S)
                continue
            if not messages:
                self._free_workers.release()
                self._stop.wait(self._poll_interval_s)
                continue
            try:
                self._workers.submit(self._deliver, messages)
            except RuntimeError:  # stopping: the batch becomes visible again, as after a crash
                return
            # A full batch suggests a backlog: poll again at once.

    def _receive(self) -> list[dict[str, Any]]:
        received = self._sqs.receive_message(
            QueueUrl=self._queue_url, MaxNumberOfMessages=self._batch_size, WaitTimeSeconds=0,
            MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"])
        messages: list[dict[str, Any]] = received.get("Messages") or []
        if self._notification_faults is not None and messages:
            messages = self._notification_faults.filter(self._sqs, self._queue_url, messages)
        return messages

    def _deliver(self, messages: list[dict[str, Any]]) -> None:
        try:
            self._invoke(messages)
        finally:
            self._free_workers.release()

    def _invoke(self, messages: list[dict[str, Any]]) -> None:
        event = sqs_event(messages, queue_arn=self._arn, region=self._region)
        try:
            answer = self._runtime.invoke(self._handler, event)
        except Exception as exc:  # noqa: BLE001 - Lambda's rule: a failed batch stays in the queue
            log("local.sqs_batch_failed", logging.WARNING, handler=self._handler, messages=len(messages),
                error=repr(exc))
            return
        done = handled(messages, answer)
        if len(done) < len(messages):
            log("local.sqs_messages_failed", logging.INFO, handler=self._handler, messages=len(messages),
                failed=len(messages) - len(done))
        if not done:
            return
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)]
        try:
            self._sqs.delete_message_batch(QueueUrl=self._queue_url, Entries=entries)
        except Exception as exc:  # noqa: BLE001 - redelivery is harmless: alarms are fenced
            log("local.sqs_delete_failed", logging.WARNING, queue=self._queue_url, error=repr(exc))


def handled(messages: list[dict[str, Any]], answer: Any) -> list[dict[str, Any]]:
    """The messages of the batch a function's `answer` says are done, as Lambda reads it."""
    failed = failed_ids(answer)
    if failed is None:
        return messages
    received = {m["MessageId"] for m in messages}
    if not set(failed) <= received:  # Lambda takes a reply naming what it did not send as a failed batch
        return []
    return [m for m in messages if m["MessageId"] not in failed]


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
        # At a fixed rate, as EventBridge's `rate()` fires, however long an invocation took: waiting
        # the interval after each one stretched the period by a sweep's own time (≈ 1 s under load),
        # and a lost trigger waited that much longer for the sweep that hands it over.
        tick = time.monotonic()
        while True:
            tick += self._interval_s
            if self._stop.wait(max(0.0, tick - time.monotonic())):
                return
            tick = max(tick, time.monotonic() - self._interval_s)  # far behind: no burst to catch up
            try:
                self._runtime.invoke(self._handler, scheduled_event(f"ontime-local-{self._handler}", self._region))
            except Exception as exc:  # noqa: BLE001 - the next tick tries again, as EventBridge would
                log("local.schedule_failed", logging.WARNING, handler=self._handler, error=repr(exc))
