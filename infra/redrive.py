"""Ops: move a dead-letter queue's messages back to the queue they came from, once the cause is fixed.

    python -m infra.redrive ontime-alarms-dlq [--dry-run] [--endpoint-url URL] [--region R]

Every DLQ of the stack is one queue's (`infra/platform.py`: `ontime-alarms-dlq` of the alarm
queue; each package's, `ontime-videos-dlq` of the video queue): its source is the queue whose
`RedrivePolicy` names it, found by `ListDeadLetterSourceQueues`. Redriving is safe for each of
them: firing an alarm is fenced (a late or second trigger changes nothing) and processing an
upload is idempotent.

On AWS the move is SQS's own (`StartMessageMoveTask`, which moves the messages in the background
and keeps their attributes; `aws sqs list-message-move-tasks --source-arn DLQ_ARN` shows it).
Where the endpoint has no move task (moto, the local stack's endpoint: `--endpoint-url`), or with
`--by-hand`, the messages are moved here: received, sent to the source and only then deleted from
the DLQ, so a message is never lost (a move cut short leaves at most a copy in both queues: a
duplicate, which the consumers take as they take SQS's own).

`--dry-run` counts and shows what would move (the first messages' bodies, cut), changing nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

NO_MOVE_TASK = frozenset({"InvalidAction", "UnsupportedOperation", "NotImplemented", "InternalFailure",
                          "AWS.SimpleQueueService.UnsupportedOperation"})
"""What an endpoint without `StartMessageMoveTask` answers it (moto's server: not implemented)."""
BATCH = 10
PREVIEW = 3
VISIBILITY_S = 60
"""How long a message received for the move stays hidden: the move of one batch takes far less."""


@dataclass(frozen=True)
class Redrive:
    dead_letter_url: str
    source_url: str
    messages: int
    """Messages in the DLQ when it started (SQS's approximate count)."""
    moved: int
    how: str
    """`move-task` (SQS moves them), `by-hand`, or `dry-run`."""
    preview: tuple[str, ...] = ()


class NoSourceQueue(SystemExit):
    """The queue is no DLQ of any queue (or not one of this account and region)."""


def source_of(sqs: Any, dead_letter_url: str) -> str:
    sources: list[str] = sqs.list_dead_letter_source_queues(QueueUrl=dead_letter_url).get("queueUrls") or []
    if len(sources) != 1:
        raise NoSourceQueue(f"redrive: {dead_letter_url} is the dead-letter queue of {len(sources)} queues "
                            "(one expected): give the DLQ of one of the stack's queues")
    return sources[0]


def redrive(sqs: Any, dead_letter: str, *, dry_run: bool = False, by_hand: bool = False) -> Redrive:
    """Move `dead_letter`'s messages (a queue name or URL) back to its source queue."""
    dead_letter_url = dead_letter if "://" in dead_letter else sqs.get_queue_url(QueueName=dead_letter)["QueueUrl"]
    source_url = source_of(sqs, dead_letter_url)
    waiting = _count(sqs, dead_letter_url)
    if dry_run:
        return Redrive(dead_letter_url, source_url, waiting, 0, "dry-run", _peek(sqs, dead_letter_url))
    if not by_hand and _move_task(sqs, dead_letter_url):
        return Redrive(dead_letter_url, source_url, waiting, waiting, "move-task")
    return Redrive(dead_letter_url, source_url, waiting, move_by_hand(sqs, dead_letter_url, source_url), "by-hand")


def _count(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def _peek(sqs: Any, url: str) -> tuple[str, ...]:
    """The first messages' bodies, cut; they become visible again at once (visibility 0)."""
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=PREVIEW, VisibilityTimeout=0).get("Messages")
    return tuple(m["Body"][:200] for m in received or [])


def _move_task(sqs: Any, dead_letter_url: str) -> bool:
    """Start SQS's move task back to the source (its default destination); False when the
    endpoint has none."""
    from botocore.exceptions import ClientError

    arn = sqs.get_queue_attributes(QueueUrl=dead_letter_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    try:
        sqs.start_message_move_task(SourceArn=arn)
    except ClientError as exc:
        if str(exc.response.get("Error", {}).get("Code")) in NO_MOVE_TASK:
            return False
        raise
    except NotImplementedError:  # moto in-process
        return False
    return True


def move_by_hand(sqs: Any, dead_letter_url: str, source_url: str) -> int:
    """Receive, send to the source, then delete: never a message deleted before it was sent. The
    message attributes go along; SQS gives each moved message a new id and receive count."""
    moved = 0
    while True:
        received = sqs.receive_message(QueueUrl=dead_letter_url, MaxNumberOfMessages=BATCH,
                                       VisibilityTimeout=VISIBILITY_S, MessageAttributeNames=["All"]).get("Messages")
        if not received:
            return moved
        entries = [{"Id": str(i), "MessageBody": m["Body"],
                    **({"MessageAttributes": m["MessageAttributes"]} if m.get("MessageAttributes") else {})}
                   for i, m in enumerate(received)]
        sent = sqs.send_message_batch(QueueUrl=source_url, Entries=entries)
        delivered = {entry["Id"] for entry in sent.get("Successful") or []}
        done = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)
                if str(i) in delivered]
        if done:
            sqs.delete_message_batch(QueueUrl=dead_letter_url, Entries=done)
        moved += len(done)
        if sent.get("Failed"):  # left in the DLQ, visible again at once: stop, say so
            sqs.change_message_visibility_batch(QueueUrl=dead_letter_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for i, m in enumerate(received) if str(i) not in delivered])
            raise SystemExit(f"redrive: {len(sent['Failed'])} message(s) could not be sent to {source_url} "
                             f"({sent['Failed'][0].get('Code')}); {moved} moved, the rest stay in the DLQ")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.redrive", description=__doc__.splitlines()[0])
    parser.add_argument("queue", help="the dead-letter queue, by name (ontime-alarms-dlq) or URL")
    parser.add_argument("--dry-run", action="store_true", help="count and show what would move; change nothing")
    parser.add_argument("--by-hand", action="store_true", help="move here (receive, send, delete), not by SQS")
    parser.add_argument("--endpoint-url", help="another SQS endpoint: the local stack's")
    parser.add_argument("--region", help="the stack's region (default: the AWS CLI's)")
    args = parser.parse_args(argv)
    import boto3

    sqs = boto3.client("sqs", region_name=args.region, endpoint_url=args.endpoint_url)
    done = redrive(sqs, args.queue, dry_run=args.dry_run, by_hand=args.by_hand)
    print(json.dumps({"dead_letter_queue": done.dead_letter_url, "source_queue": done.source_url,
                      "messages": done.messages, "moved": done.moved, "how": done.how,
                      **({"preview": list(done.preview)} if done.how == "dry-run" else {})}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
