"""A package function's handler module, as `tests/unit/test_queue_functions.py` imagines one."""

from __future__ import annotations

from chalice.app import Blueprint, SQSEvent

routes = Blueprint(__name__)
RECEIVED: list[str] = []


@routes.on_sqs_message(queue="ontime-thumbs", batch_size=2)
def make_thumbnails(event: SQSEvent) -> None:
    RECEIVED.extend(record.body for record in event)
