"""What a queue-fed function answers Lambda: the messages of its batch to deliver again.

A function that raised made Lambda's SQS event source leave its whole batch in the queue: the
messages it had handled came back with the one that failed, and a message that kept failing
took its neighbours to the dead-letter queue with it. With `ReportBatchItemFailures` on the event
source mapping (set on every queue function by `infra/generate.py`) the function returns instead
the ids of the messages that failed (`batchItemFailures`): Lambda deletes the others, and only
those come back after the visibility timeout, until their queue's `maxReceiveCount` moves them to
its dead-letter queue. A message that cannot be read at all (a poison message) is not among them:
delivering it again cannot help, so it is logged and dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

BatchResponse = dict[str, list[dict[str, str]]]


@dataclass(frozen=True)
class Delivery:
    """One delivery of a message: SQS hands the same `message_id` out again only once the last
    receiver's visibility timeout lapsed; `receipt` is this receive's handle (to change it)."""

    message_id: str
    receipt: str


def delivery(record: Any) -> Delivery:
    raw = record.to_dict()
    return Delivery(str(raw["messageId"]), str(raw.get("receiptHandle", "")))


def message_id(record: Any) -> str:
    """The id SQS gave a record of the batch (`messageId`), what a batch response names it by."""
    return str(record.to_dict()["messageId"])


def batch_response(failed: Iterable[str]) -> BatchResponse:
    """Lambda's partial batch response: the ids of the messages to deliver again (none: all done)."""
    return {"batchItemFailures": [{"itemIdentifier": failed_id} for failed_id in dict.fromkeys(failed)]}


def failed_ids(response: Any) -> list[str] | None:
    """The ids a function's answer names to deliver again; None when the answer is not a batch
    response (Lambda then takes the batch as handled)."""
    if not isinstance(response, dict) or not isinstance(response.get("batchItemFailures"), list):
        return None
    return [str(item.get("itemIdentifier")) for item in response["batchItemFailures"] if isinstance(item, dict)]
