"""The local stack's moto transactions behave like DynamoDB's: all or nothing, and a refused
transaction never undoes what someone else wrote meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from tests.moto_patches import isolated_dynamodb_transactions


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    with isolated_dynamodb_transactions(), mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        for table in ("a", "b"):
            client.create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                BillingMode="PAY_PER_REQUEST")
        client.put_item(TableName="a", Item={"id": {"S": "x"}, "v": {"N": "1"}})
        yield client


def _put_if_version(version: str) -> dict[str, Any]:
    return {"Put": {"TableName": "a", "Item": {"id": {"S": "x"}, "v": {"N": str(int(version) + 1)}},
                    "ConditionExpression": "v = :v", "ExpressionAttributeValues": {":v": {"N": version}}}}


def _ledger(entry: str) -> dict[str, Any]:
    return {"Put": {"TableName": "b", "Item": {"id": {"S": entry}}}}


def _items(client: Any, table: str) -> list[str]:
    return sorted(i["id"]["S"] for i in client.scan(TableName=table)["Items"])


def test_a_transaction_whose_conditions_hold_writes_every_item(dynamodb: Any) -> None:
    dynamodb.transact_write_items(TransactItems=[_put_if_version("1"), _ledger("e1")])
    assert dynamodb.get_item(TableName="a", Key={"id": {"S": "x"}})["Item"]["v"] == {"N": "2"}
    assert _items(dynamodb, "b") == ["e1"]


def test_a_failed_condition_cancels_the_whole_transaction_with_its_reason(dynamodb: Any) -> None:
    with pytest.raises(ClientError) as refused:
        dynamodb.transact_write_items(TransactItems=[_put_if_version("7"), _ledger("e1")])
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    codes = [r["Code"] for r in refused.value.response["CancellationReasons"]]
    assert codes == ["ConditionalCheckFailed", "None"]
    assert _items(dynamodb, "b") == []
    assert dynamodb.get_item(TableName="a", Key={"id": {"S": "x"}})["Item"]["v"] == {"N": "1"}


def test_a_refused_transaction_does_not_undo_a_write_made_while_it_was_checked(
        dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Another writer commits while the transaction reads its first item (moto's own implementation
    # restored a copy of the tables taken before, erasing this write).
    original_get = DynamoDBBackend.get_item
    interloped: list[bool] = []

    def get_item(self: Any, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        if not interloped:
            interloped.append(True)
            self.put_item("b", {"id": {"S": "someone-else"}})
        return original_get(self, table_name, key, *args, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, "get_item", get_item)
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=[_put_if_version("7"), _ledger("e1")])
    assert _items(dynamodb, "b") == ["someone-else"]


def test_a_write_that_fails_after_the_checks_leaves_every_item_as_it_was(dynamodb: Any) -> None:
    broken_update = {"Update": {"TableName": "a", "Key": {"id": {"S": "x"}}, "UpdateExpression": "ADD v :s",
                                "ExpressionAttributeValues": {":s": {"S": "not a number"}}}}
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=[_ledger("e1"), broken_update])
    assert _items(dynamodb, "b") == []
    assert dynamodb.get_item(TableName="a", Key={"id": {"S": "x"}})["Item"]["v"] == {"N": "1"}


def test_two_operations_on_one_item_are_refused(dynamodb: Any) -> None:
    with pytest.raises(ClientError) as refused:
        dynamodb.transact_write_items(TransactItems=[_ledger("e1"), _ledger("e1")])
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert _items(dynamodb, "b") == []
