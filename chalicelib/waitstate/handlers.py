"""Event handlers of the wait-state engine: the alarm queue consumer and the minute sweeper.

Each alarm fires with its own id as the correlation id (`correlation.alarm_id`: kind, entity and
`wake_at`), so its log lines and the pushes it causes name the alarm, the same on every delivery;
what set the alarm is found by the entity id, which the setting request's lines carry too. A batch's
own lines (a poison message) and a sweep carry the Lambda request id and the event's id.

An alarm that lost its race or failed is reported for redelivery on its own (`core/batches.py`):
the batch's other alarms are done and are not delivered again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import NamedTuple

from chalice.app import Blueprint, CloudWatchEvent, Rate, SQSEvent

from chalicelib import bootstrap
from chalicelib.core import correlation
from chalicelib.core.batches import BatchResponse, batch_response, message_id
from chalicelib.core.observability import log
from chalicelib.core.transient import transient_failure
from chalicelib.settings import ALARM_QUEUE_NAME
from chalicelib.waitstate.engine import FireOutcome, UnknownWorkflow
from chalicelib.waitstate.model import AlarmMessage

routes = Blueprint(__name__)


@routes.on_sqs_message(queue=ALARM_QUEUE_NAME, batch_size=10)
def fire_alarms(event: SQSEvent) -> BatchResponse:
    batch = correlation.for_invocation(event.context, sent=correlation.lambda_request_id(event.context))
    with correlation.bound(batch):
        unfinished = _fire(event, batch)
        if unfinished:
            log("alarm.batch_incomplete", logging.WARNING, retried=len(unfinished), received=len(list(event)))
    return batch_response(unfinished)


def _fire(event: SQSEvent, batch: correlation.Ids) -> list[str]:
    """The ids of the messages whose alarm is to be delivered again."""
    engine = bootstrap.container().engine
    received = list(_readable_alarms(event))
    engine.guard_batch([(alarm.receipt, alarm.message.wake_at) for alarm in received])
    unfinished: list[str] = []
    # Soonest first: an alarm received early waits in-process for its moment (`engine.fire`), and an
    # alarm due sooner must not wait behind it in the same batch.
    for alarm in sorted(received, key=lambda alarm: alarm.message.wake_at):
        message = alarm.message
        with correlation.bound(batch.caused_by(correlation.alarm_id(message.kind, message.entity_id,
                                                                    message.wake_at))):
            try:
                if engine.fire(message) is FireOutcome.LOST_RACE and not engine.redeliver(message):
                    unfinished.append(alarm.message_id)
            except UnknownWorkflow as exc:
                log("alarm.poison", logging.ERROR, body=alarm.body[:200], error=str(exc))
            except Exception as exc:  # noqa: BLE001 - one bad alarm must not block the batch; SQS retries it
                failure = transient_failure(exc)
                if failure is None:
                    log("alarm.failed", logging.ERROR, kind=message.kind, entity_id=message.entity_id, exc_info=True)
                    unfinished.append(alarm.message_id)  # a bug: SQS's redeliveries, then the dead-letter queue
                    continue
                # AWS after the client's retries: sent again in a second or so, not after the
                # visibility timeout (a minute)
                log("alarm.unavailable", logging.WARNING, kind=message.kind, entity_id=message.entity_id,
                    reason=failure.reason, redelivery=message.redelivery)
                if not engine.redeliver(message):
                    unfinished.append(alarm.message_id)
    return unfinished


class _Received(NamedTuple):
    message: AlarmMessage
    body: str
    message_id: str
    receipt: str


def _readable_alarms(event: SQSEvent) -> Iterator[_Received]:
    """The batch's alarms; an unreadable message is logged and dropped (retrying cannot fix it)."""
    for record in event:
        try:
            message = AlarmMessage.from_json(record.body)
        except ValueError as exc:
            log("alarm.poison", logging.ERROR, body=record.body[:200], error=str(exc))
            continue
        yield _Received(message, record.body, message_id(record), record.to_dict()["receiptHandle"])


@routes.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_alarms(event: CloudWatchEvent) -> None:
    with correlation.bound(correlation.for_invocation(event.context, sent=f"sweep:{event.event_id}")):
        bootstrap.container().engine.sweep()
