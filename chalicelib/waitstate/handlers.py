"""Event handlers of the wait-state engine: the alarm queue consumer and the minute sweeper."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from chalice.app import Blueprint, CloudWatchEvent, Rate, SQSEvent

from chalicelib import bootstrap
from chalicelib.core.observability import log
from chalicelib.settings import ALARM_QUEUE_NAME
from chalicelib.waitstate.engine import FireOutcome, UnknownWorkflow
from chalicelib.waitstate.model import AlarmMessage

routes = Blueprint(__name__)


class AlarmBatchIncomplete(Exception):
    """Raised so SQS redelivers the batch; alarms that did fire are fenced off on redelivery."""


@routes.on_sqs_message(queue=ALARM_QUEUE_NAME, batch_size=10)
def fire_alarms(event: SQSEvent) -> None:
    engine = bootstrap.container().engine
    unfinished = 0
    # Soonest first: an alarm received early waits in-process for its moment (`engine.fire`), and an
    # alarm due sooner must not wait behind it in the same batch.
    for message, body in sorted(_readable_alarms(event), key=lambda alarm: alarm[0].wake_at):
        try:
            if engine.fire(message) is FireOutcome.LOST_RACE:
                unfinished += 1
        except UnknownWorkflow as exc:
            log("alarm.poison", logging.ERROR, body=body[:200], error=str(exc))
        except Exception:  # noqa: BLE001 - one bad alarm must not block the batch; SQS retries it
            log("alarm.failed", logging.ERROR, kind=message.kind, entity_id=message.entity_id, exc_info=True)
            unfinished += 1
    if unfinished:
        raise AlarmBatchIncomplete(f"{unfinished} alarm(s) to retry")


def _readable_alarms(event: SQSEvent) -> Iterator[tuple[AlarmMessage, str]]:
    for record in event:
        try:
            yield AlarmMessage.from_json(record.body), record.body
        except ValueError as exc:
            log("alarm.poison", logging.ERROR, body=record.body[:200], error=str(exc))  # retrying cannot fix it


@routes.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_alarms(event: CloudWatchEvent) -> None:
    bootstrap.container().engine.sweep()
