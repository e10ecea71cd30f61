"""The local stack's moto speed-ups change nothing a client can see."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb import responses
from moto.dynamodb.models import dynamo_type

from devstack.aws import serialize_dynamodb_items_directly, size_dynamodb_items_once
from tests.moto_patches import restored

Call = Callable[[Any], Any]
MOTOS_ITEM_INIT = dynamo_type.Item.__init__

CALLS: list[tuple[str, Call]] = [
    ("put", lambda d: d.put_item(TableName="t", Item={"id": {"S": "1"}, "n": {"N": "1.5"}, "m": {"M": {
        "l": {"L": [{"S": "x"}, {"N": "2"}, {"BOOL": True}, {"NULL": True}]}, "ss": {"SS": ["a", "b"]}}}},
        ReturnValues="ALL_OLD", ReturnConsumedCapacity="TOTAL")),
    ("overwrite", lambda d: d.put_item(TableName="t", Item={"id": {"S": "1"}, "k": {"N": "7"}},
                                       ReturnValues="ALL_OLD")),
    ("get", lambda d: d.get_item(TableName="t", Key={"id": {"S": "1"}}, ConsistentRead=True)),
    ("get missing", lambda d: d.get_item(TableName="t", Key={"id": {"S": "nope"}})),
    ("update", lambda d: d.update_item(TableName="t", Key={"id": {"S": "1"}}, UpdateExpression="SET k = k + :one",
                                       ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="ALL_NEW")),
    ("query", lambda d: d.query(TableName="t", KeyConditionExpression="id = :id",
                                ExpressionAttributeValues={":id": {"S": "1"}}, ReturnConsumedCapacity="TOTAL")),
    ("scan page", lambda d: d.scan(TableName="t", Limit=1)),
    ("batch get", lambda d: d.batch_get_item(RequestItems={"t": {"Keys": [{"id": {"S": "1"}}, {"id": {"S": "2"}}]}})),
    ("batch write", lambda d: d.batch_write_item(RequestItems={"t": [{"PutRequest": {"Item": {"id": {"S": "2"}}}}]})),
    ("binary", lambda d: d.put_item(TableName="t", Item={"id": {"S": "3"}, "b": {"B": b"\x00\x01"}},
                                    ReturnValues="ALL_OLD")),
    ("get binary", lambda d: d.get_item(TableName="t", Key={"id": {"S": "3"}})),
    ("delete", lambda d: d.delete_item(TableName="t", Key={"id": {"S": "1"}}, ReturnValues="ALL_OLD")),
]


def _answers() -> list[Any]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(TableName="t", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
        answers = []
        for _, call in CALLS:
            answer = call(dynamodb)
            answer.pop("ResponseMetadata", None)
            answers.append(answer)
        return answers


@pytest.fixture
def generic_then_fast() -> Iterator[tuple[list[Any], list[Any]]]:
    with restored(responses.DynamoResult, ("execute_result",)):
        generic = _answers()
        assert serialize_dynamodb_items_directly()
        yield generic, _answers()


def test_dynamodb_item_answers_are_the_same_with_the_direct_serializer(
        generic_then_fast: tuple[list[Any], list[Any]]) -> None:
    generic, fast = generic_then_fast
    for (name, _), before, after in zip(CALLS, generic, fast, strict=True):
        assert after == before, name



@pytest.fixture
def sized_once() -> Iterator[None]:
    with restored(dynamo_type.Item, ("__init__",)):
        assert size_dynamodb_items_once()
        yield


def _put_sized(padding: int) -> str | None:
    """Put an item with `padding` bytes of text and a list of maps; the error code, if refused."""
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(TableName="t", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
        try:
            dynamodb.put_item(TableName="t", Item={"id": {"S": "1"}, "p": {"S": "x" * padding},
                                                   "l": {"L": [{"M": {"k": {"N": "1"}}}] * 50}})
        except dynamodb.exceptions.ClientError as refused:
            return str(refused.response["Error"]["Code"])
        return None


PADDINGS = [1_000, 404_000, 404_500, 406_000]


def test_items_are_sized_once_with_the_same_limit_as_moto() -> None:
    generic = [_put_sized(p) for p in PADDINGS]
    assert generic[0] is None and generic[-1] == "ValidationException"  # both sides of the limit
    with restored(dynamo_type.Item, ("__init__",)):
        assert size_dynamodb_items_once()
        assert [_put_sized(p) for p in PADDINGS] == generic


def test_dynamodb_answers_are_the_same_with_items_sized_once(sized_once: None) -> None:
    sized_once_answers = _answers()
    dynamo_type.Item.__init__ = MOTOS_ITEM_INIT  # type: ignore[method-assign]
    assert _answers() == sized_once_answers


def test_moto_finds_the_same_actions_with_its_response_methods_remembered() -> None:
    from moto.core import responses as core_responses

    from devstack.aws import remember_response_methods

    def method_names(clazz: type) -> list[str]:
        names: list[str] = getattr(core_responses, "method_names_from_class")(clazz)  # noqa: B009 - not exported
        return names

    with restored(core_responses, ("method_names_from_class",)):
        listed = method_names(responses.DynamoHandler)
        assert remember_response_methods()
        remembered = method_names(responses.DynamoHandler)
        assert remembered == listed and "put_item" in remembered
        assert method_names(responses.DynamoHandler) is remembered
        with mock_aws():  # moto still dispatches through it
            dynamodb = boto3.client("dynamodb", region_name="us-east-1")
            assert dynamodb.list_tables()["TableNames"] == []


def _sqs_story() -> list[Any]:
    """What a client sees of queues through one story of every call the fast path changes: delayed
    and visible sends, receives that hide messages, deletes (twice, and of a forged handle), the
    attribute table, a redrive to the dead-letter queue and a FIFO queue's deduplication."""
    seen: list[Any] = []
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        dlq = sqs.create_queue(QueueName="dead")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        url = sqs.create_queue(QueueName="alarms", Attributes={
            "VisibilityTimeout": "30", "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})})["QueueUrl"]

        def counts(queue_url: str) -> dict[str, str]:
            names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed",
                     "ApproximateNumberOfMessagesNotVisible"]
            return dict(sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"])

        def every_attribute(queue_url: str) -> dict[str, str]:
            table = dict(sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"])
            return {k: v for k, v in table.items() if not k.endswith("Timestamp")}

        for i in range(5):
            sqs.send_message(QueueUrl=url, MessageBody=f"later {i}", DelaySeconds=900)
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"now {i}"} for i in range(3)])
        seen += [counts(url), every_attribute(url)]
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, VisibilityTimeout=30)["Messages"]
        seen += [sorted(m["Body"] for m in received), counts(url)]
        handle = received[0]["ReceiptHandle"]
        seen.append(sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": "once", "ReceiptHandle": handle}])["Successful"])
        sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)  # a second delete is allowed
        try:
            sqs.delete_message(QueueUrl=url, ReceiptHandle="forged")
        except sqs.exceptions.ClientError as refused:
            seen.append(refused.response["Error"]["Code"])
        seen.append(counts(url))
        for _ in range(3):  # the last visible message: received twice, then moved to the dead letters
            seen.append([m["Body"] for m in sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])])
        seen += [counts(url), counts(dlq)]
        fifo = sqs.create_queue(QueueName="f.fifo", Attributes={
            "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
        for _ in range(2):
            sqs.send_message(QueueUrl=fifo, MessageBody="same", MessageGroupId="g")
        seen += [counts(fifo), every_attribute(fifo)]
    return seen


def test_sqs_answers_are_the_same_with_the_queue_fast_path() -> None:
    from moto.sqs import models

    from devstack.aws import speed_up_sqs_queues

    generic = _sqs_story()
    assert generic[-2]["ApproximateNumberOfMessages"] == "1"  # the story exercises deduplication
    with restored(models.Queue, ("attributes", "messages", "approximate_number_of_messages_delayed",
                                 "approximate_number_of_messages_not_visible", "delete_message")), \
            restored(models.Message, ("visible", "delayed")):
        assert speed_up_sqs_queues()
        assert _sqs_story() == generic


def _query_story() -> list[Any]:
    """Queries of a table and of its indexes (ranges, both directions, pages), then a scan."""
    with mock_aws():
        d = boto3.client("dynamodb", region_name="us-east-1")
        d.create_table(
            TableName="q", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in
                                  (("pk", "S"), ("sk", "N"), ("g", "S"), ("r", "N"))],
            GlobalSecondaryIndexes=[
                {"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                    {"AttributeName": "r", "KeyType": "RANGE"}],
                 "Projection": {"ProjectionType": "ALL"}},
                {"IndexName": "by_g_only", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                 "Projection": {"ProjectionType": "ALL"}}])
        for n in range(60):  # written out of key order, ties on the index's range key
            d.put_item(TableName="q", Item={"pk": {"S": f"p{(n * 7) % 5}"}, "sk": {"N": str((n * 13) % 17)},
                                            "g": {"S": f"g{n % 3}"}, "r": {"N": str(n % 4)}})
        seen: list[Any] = []
        for kwargs in (
                {"KeyConditionExpression": "pk = :v", "ExpressionAttributeValues": {":v": {"S": "p2"}}},
                {"KeyConditionExpression": "pk = :v AND sk > :s",
                 "ExpressionAttributeValues": {":v": {"S": "p1"}, ":s": {"N": "4"}}, "ScanIndexForward": False},
                {"IndexName": "by_g", "KeyConditionExpression": "g = :v",
                 "ExpressionAttributeValues": {":v": {"S": "g1"}}},
                {"IndexName": "by_g", "KeyConditionExpression": "g = :v AND r <= :r", "ScanIndexForward": False,
                 "ExpressionAttributeValues": {":v": {"S": "g0"}, ":r": {"N": "2"}}, "Limit": 4},
                {"IndexName": "by_g_only", "KeyConditionExpression": "g = :v",
                 "ExpressionAttributeValues": {":v": {"S": "g2"}}}):
            page = d.query(TableName="q", **kwargs)
            page.pop("ResponseMetadata", None)
            seen.append(page)
            if "LastEvaluatedKey" in page:
                rest = d.query(TableName="q", ExclusiveStartKey=page["LastEvaluatedKey"], **kwargs)
                rest.pop("ResponseMetadata", None)
                seen.append(rest)
        scan = d.scan(TableName="q", Limit=7)
        scan.pop("ResponseMetadata", None)
        return [*seen, scan]


def test_query_answers_are_the_same_without_sorting_the_whole_table() -> None:
    from moto.dynamodb.models import table

    from devstack.aws import query_without_sorting_the_table

    generic = _query_story()
    assert any("LastEvaluatedKey" in page for page in generic)  # the story pages
    with restored(table.Table, ("query", "all_items")):
        assert query_without_sorting_the_table()
        assert _query_story() == generic
