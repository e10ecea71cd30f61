"""`python -m infra.redrive`: a dead-letter queue's messages go back to the queue they came from,
every one of them once, on moto as provisioned from the template (moto has no
`StartMessageMoveTask`: the move is done by hand there, sent before it is deleted)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from chalicelib.groupbuy.video_infra import VIDEO_DEAD_LETTER_QUEUE_NAME, VIDEO_QUEUE_NAME
from chalicelib.settings import ALARM_QUEUE_NAME
from devstack.provision import provision
from infra import redrive

REGION = "us-east-1"


@pytest.fixture
def sqs() -> Iterator[Any]:
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        client = session.client("sqs")
        provision(session.client("dynamodb"), client, s3=session.client("s3"))
        client.purge_queue(QueueUrl=client.get_queue_url(QueueName=VIDEO_QUEUE_NAME)["QueueUrl"])  # the test event
        yield client


def url(sqs: Any, name: str) -> str:
    return str(sqs.get_queue_url(QueueName=name)["QueueUrl"])


def drained(sqs: Any, name: str) -> list[str]:
    bodies: list[str] = []
    while received := sqs.receive_message(QueueUrl=url(sqs, name), MaxNumberOfMessages=10).get("Messages"):
        bodies += [m["Body"] for m in received]
        sqs.delete_message_batch(QueueUrl=url(sqs, name), Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)])
    return sorted(bodies)


def dead_letters(sqs: Any, name: str, count: int) -> list[str]:
    bodies = [json.dumps({"n": n}) for n in range(count)]
    for body in bodies:
        sqs.send_message(QueueUrl=url(sqs, name), MessageBody=body)
    return sorted(bodies)


@pytest.mark.parametrize(("dead_letter", "source"), [(f"{ALARM_QUEUE_NAME}-dlq", ALARM_QUEUE_NAME),
                                                     (VIDEO_DEAD_LETTER_QUEUE_NAME, VIDEO_QUEUE_NAME)])
def test_redrive_moves_every_dead_letter_back_to_its_source_queue_once(sqs: Any, dead_letter: str,
                                                                       source: str) -> None:
    sent = dead_letters(sqs, dead_letter, 23)  # more than a batch: three of them
    done = redrive.redrive(sqs, dead_letter)
    assert (done.source_url, done.messages, done.moved, done.how) == (url(sqs, source), 23, 23, "by-hand")
    assert drained(sqs, dead_letter) == []
    assert drained(sqs, source) == sent


def test_a_dry_run_counts_and_shows_and_moves_nothing(sqs: Any) -> None:
    dead_letter = f"{ALARM_QUEUE_NAME}-dlq"
    sent = dead_letters(sqs, dead_letter, 4)
    done = redrive.redrive(sqs, url(sqs, dead_letter), dry_run=True)
    assert (done.messages, done.moved, done.how, len(done.preview)) == (4, 0, "dry-run", redrive.PREVIEW)
    assert drained(sqs, ALARM_QUEUE_NAME) == []
    assert drained(sqs, dead_letter) == sent


def test_a_message_whose_send_failed_stays_in_the_dead_letter_queue(sqs: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    dead_letter = f"{ALARM_QUEUE_NAME}-dlq"
    sent = dead_letters(sqs, dead_letter, 2)
    real_send = sqs.send_message_batch

    def half_sent(**kwargs: Any) -> dict[str, Any]:
        first, *rest = kwargs["Entries"]
        answer: dict[str, Any] = real_send(**{**kwargs, "Entries": [first]})
        answer["Failed"] = [{"Id": e["Id"], "Code": "InternalError", "SenderFault": False} for e in rest]
        return answer

    monkeypatch.setattr(sqs, "send_message_batch", half_sent)
    with pytest.raises(SystemExit, match="1 message"):
        redrive.redrive(sqs, dead_letter)
    moved, left = drained(sqs, ALARM_QUEUE_NAME), drained(sqs, dead_letter)  # left visible again at once
    assert len(moved) == 1 and sorted(moved + left) == sent, "one moved, the other kept: none lost"


def test_a_queue_that_is_no_dead_letter_queue_is_refused(sqs: Any) -> None:
    with pytest.raises(redrive.NoSourceQueue):
        redrive.redrive(sqs, ALARM_QUEUE_NAME)


def test_the_cli_prints_what_it_did(sqs: Any, capsys: pytest.CaptureFixture[str]) -> None:
    dead_letters(sqs, VIDEO_DEAD_LETTER_QUEUE_NAME, 1)
    assert redrive.main([VIDEO_DEAD_LETTER_QUEUE_NAME, "--region", REGION]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed["moved"], printed["how"]) == (1, "by-hand")


def test_where_sqs_has_move_tasks_the_move_is_sqs_own_back_to_the_source(sqs: Any,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    dead_letter = f"{ALARM_QUEUE_NAME}-dlq"
    dead_letters(sqs, dead_letter, 2)
    started: list[dict[str, Any]] = []

    def start_message_move_task(**kwargs: Any) -> dict[str, str]:
        started.append(kwargs)
        return {"TaskHandle": "t"}

    monkeypatch.setattr(sqs, "start_message_move_task", start_message_move_task)
    done = redrive.redrive(sqs, dead_letter)
    arn = sqs.get_queue_attributes(QueueUrl=url(sqs, dead_letter), AttributeNames=["QueueArn"])["Attributes"]
    assert (done.how, started) == ("move-task", [{"SourceArn": arn["QueueArn"]}])  # no destination: the source
