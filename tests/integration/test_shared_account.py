"""The tests' moto account (`tests/conftest.py: SharedAccount`) is reused from test to test, and
each test that asks for it gets it as a fresh one: every table, queue and the bucket, all empty."""

from __future__ import annotations

import boto3
from moto import mock_aws

from chalicelib.settings import ALARM_QUEUE_NAME
from devstack.provision import bucket_environment
from tests.conftest import SHARED_ACCOUNT, aws_client

BUCKET = bucket_environment()["ONTIME_PHOTO_BUCKET"]


def leave_something_everywhere(queue_urls: dict[str, str]) -> None:
    aws_client("dynamodb").put_item(TableName="ontime-orders", Item={"id": {"S": "ord_left_behind"}})
    aws_client("sqs").send_message(QueueUrl=queue_urls[ALARM_QUEUE_NAME], MessageBody="now")
    aws_client("sqs").send_message(QueueUrl=queue_urls[ALARM_QUEUE_NAME], MessageBody="later", DelaySeconds=900)
    aws_client("s3").put_object(Bucket=BUCKET, Key="installations/ins_1/ph_1.jpg", Body=b"jpeg")


def assert_empty(queue_urls: dict[str, str]) -> None:
    dynamodb, sqs, s3 = aws_client("dynamodb"), aws_client("sqs"), aws_client("s3")
    tables = dynamodb.list_tables()["TableNames"]
    assert len(tables) == 30 and all(dynamodb.scan(TableName=t)["Count"] == 0 for t in tables)
    for url in queue_urls.values():
        counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert [counts[k] for k in ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed",
                                    "ApproximateNumberOfMessagesNotVisible")] == ["0", "0", "0"], url
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_what_a_test_leaves_in_the_account_is_gone_for_the_next_one(aws: dict[str, str]) -> None:
    leave_something_everywhere(aws)
    again = SHARED_ACCOUNT.enter()  # what the next test's `aws` does
    assert again == aws
    assert_empty(again)


def test_a_table_queue_or_bucket_a_test_adds_does_not_outlive_it(aws: dict[str, str]) -> None:
    aws_client("dynamodb").create_table(TableName="stray", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                                        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                                        BillingMode="PAY_PER_REQUEST")
    aws_client("sqs").create_queue(QueueName="stray")
    provisions = SHARED_ACCOUNT.provisions
    again = SHARED_ACCOUNT.enter()
    assert SHARED_ACCOUNT.provisions == provisions + 1
    assert "stray" not in aws_client("dynamodb").list_tables()["TableNames"]
    assert not any(url.endswith("/stray") for url in aws_client("sqs").list_queues().get("QueueUrls", []))
    assert_empty(again)


def test_a_test_with_its_own_mock_gets_a_fresh_account_and_the_shared_one_comes_back(aws: dict[str, str]) -> None:
    leave_something_everywhere(aws)
    SHARED_ACCOUNT.leave()  # what a test that does not ask for `aws` gets
    with mock_aws():
        assert boto3.client("dynamodb", region_name="us-east-1").list_tables()["TableNames"] == []
    again = SHARED_ACCOUNT.enter()
    assert_empty(again)
