"""The local stack counts each DynamoDB request under the partition it reads or writes, index
writes included, as DynamoDB makes them (`devstack/partitions.py`)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from devstack.partitions import PartitionCounter, TableKeys

ORDERS = TableKeys("ontime-orders", "id", indexes={"by_merchant": ("merchant_id", "created_at"),
                                                   "due": ("due_shard", "wake_at")})
LEDGER = TableKeys("ontime-ledger", "installer_id", "entry_id")


def _counter() -> PartitionCounter:
    return PartitionCounter([ORDERS, LEDGER])


def _order(wake_at: int | None = None, shard: int = 7) -> dict[str, Any]:
    item: dict[str, Any] = {"id": {"S": "ord_1"}, "merchant_id": {"S": "m_1"}, "created_at": {"N": "1"}}
    if wake_at is not None:
        item |= {"due_shard": {"N": str(shard)}, "wake_at": {"N": str(wake_at)}}
    return item


def _touched(counter: PartitionCounter, operation: str, **params: Any) -> Counter[tuple[str, str]]:
    return Counter(counter.touched(operation, params))


def test_a_get_is_one_read_of_its_items_partition() -> None:
    found = _touched(_counter(), "GetItem", TableName="ontime-orders", Key={"id": {"S": "ord_1"}})
    assert found == {("ontime-orders|base|ord_1", "read"): 1}


def test_a_put_writes_its_partition_and_every_index_the_item_carries() -> None:
    found = _touched(_counter(), "PutItem", TableName="ontime-orders", Item=_order(wake_at=100))
    assert found == {("ontime-orders|base|ord_1", "write"): 1, ("ontime-orders|by_merchant|m_1", "write"): 1,
                     ("ontime-orders|due|7", "write"): 1}


def test_moving_or_clearing_an_alarm_also_deletes_the_index_entry_at_its_old_keys() -> None:
    counter = _counter()
    _touched(counter, "PutItem", TableName="ontime-orders", Item=_order(wake_at=100))

    moved = _touched(counter, "PutItem", TableName="ontime-orders", Item=_order(wake_at=200))
    cleared = _touched(counter, "PutItem", TableName="ontime-orders", Item=_order())

    assert moved[("ontime-orders|due|7", "write")] == 2  # out at 100, in at 200
    assert cleared[("ontime-orders|due|7", "write")] == 1  # out of the sparse index
    assert cleared[("ontime-orders|by_merchant|m_1", "write")] == 1


def test_a_query_reads_the_partition_its_key_condition_names() -> None:
    found = _touched(_counter(), "Query", TableName="ontime-orders", IndexName="due",
                     KeyConditionExpression="#0 = :0 AND #1 <= :1",
                     ExpressionAttributeNames={"#0": "due_shard", "#1": "wake_at"},
                     ExpressionAttributeValues={":0": {"N": "3"}, ":1": {"N": "999"}})
    assert found == {("ontime-orders|due|3", "read"): 1}


def test_transactions_and_batches_count_each_item_and_a_scan_the_whole_table() -> None:
    counter = _counter()
    transaction = _touched(counter, "TransactWriteItems", TransactItems=[
        {"Put": {"TableName": "ontime-ledger", "Item": {"installer_id": {"S": "i_1"}, "entry_id": {"S": "e"}}}},
        {"Update": {"TableName": "ontime-orders", "Key": {"id": {"S": "ord_2"}}}}])
    batch = _touched(counter, "BatchGetItem", RequestItems={
        "ontime-ledger": {"Keys": [{"installer_id": {"S": "i_1"}, "entry_id": {"S": "a"}},
                                   {"installer_id": {"S": "i_2"}, "entry_id": {"S": "b"}}]}})
    scan = _touched(counter, "Scan", TableName="ontime-orders")

    assert transaction == {("ontime-ledger|base|i_1", "write"): 1, ("ontime-orders|base|ord_2", "write"): 1}
    assert batch == {("ontime-ledger|base|i_1", "read"): 1, ("ontime-ledger|base|i_2", "read"): 1}
    assert scan == {("ontime-orders|scan|*", "read"): 1}
