"""Which DynamoDB partitions each of the app's calls touches, so `/_stats` can show the load per
partition key that the capacity model (`bench/capacity_model.py`) predicts.

DynamoDB's throughput limits are per partition (3,000 read and 1,000 write units a second), and a
partition holds one partition-key value (or several): a hot merchant, one of the 16 `due` shards,
one party's connections. A request counted by operation (`aws_calls`) cannot tell a hot key from
a spread one; this counts each request under `table|index|partition-key value` (`base` for the
table itself, `scan|*` for a scan) as a `read` or a `write`.

Writes to a global secondary index are counted too, as DynamoDB makes them: a put of an item that
carries an index's key attributes writes that index's partition; one that moves the item to other
index keys (a new `wake_at`, another shard) deletes it from the old ones — a second write — and one
that drops them (a cleared alarm, a sparse index left) deletes it. Knowing the old keys needs the
item as it was: the counter remembers the index keys of every item the app put, which is exact
for a stack whose items are all written by the app. Updates (the app's are counters and flags) and
deletes are counted on the base partition and on the remembered index keys of a delete.

Requests, not capacity units: an item of ≤ 1 KB written is 1 WRU, a read of ≤ 4 KB 1 RRU (0.5
eventually consistent); a query's units grow with the items it returns. The model converts.

Only DynamoDB calls reach this (botocore's `before-parameter-build.dynamodb` event, with the call's
API parameters as the app gave them): nothing is parsed for the other services.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

READ = "read"
WRITE = "write"
BASE = "base"
SCAN = "scan|*"

_EQUALS = re.compile(r"(#?[\w.]+)\s*=\s*(:\w+)")
_KEYED_READS = {"GetItem": READ}
_KEYED_WRITES = {"UpdateItem": WRITE, "DeleteItem": WRITE}


@dataclass(frozen=True)
class TableKeys:
    """A table's partition key, and each index's (partition key, sort key)."""

    name: str
    partition_key: str
    sort_key: str | None = None
    indexes: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)

    @classmethod
    def of(cls, definition: Mapping[str, Any]) -> TableKeys:
        """From `create_table` arguments (`devstack.provision.table_definitions`)."""

        def keys(schema: Iterable[Mapping[str, str]]) -> tuple[str, str | None]:
            by_type = {key["KeyType"]: key["AttributeName"] for key in schema}
            return by_type["HASH"], by_type.get("RANGE")

        hash_key, range_key = keys(definition["KeySchema"])
        indexes = {index["IndexName"]: keys(index["KeySchema"])
                   for index in definition.get("GlobalSecondaryIndexes", [])}
        return cls(str(definition["TableName"]), hash_key, range_key, indexes)


def scalar(value: Any) -> str:
    """An attribute value as the partition's name: `{"S": "m_1"}` → `m_1`, `{"N": "7"}` → `7`."""
    if isinstance(value, Mapping) and len(value) == 1:
        return str(next(iter(value.values())))
    return str(value)


class PartitionCounter:
    """Finds the partitions of one DynamoDB call; remembers the index keys of the items put."""

    def __init__(self, tables: Iterable[TableKeys]) -> None:
        self._tables = {table.name: table for table in tables}
        self._index_keys: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
        self._lock = threading.Lock()

    def touched(self, operation: str, params: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
        """(partition, `read` | `write`) for each partition the call reads or writes."""
        if operation in _KEYED_READS or operation in _KEYED_WRITES or operation == "PutItem":
            yield from self._item_request(operation, params)
        elif operation == "Query":
            yield self._query(params), READ
        elif operation == "Scan":
            yield f"{params.get('TableName')}|{SCAN}", READ
        elif operation == "BatchGetItem":
            for table, request in (params.get("RequestItems") or {}).items():
                for key in request.get("Keys", []):
                    yield from self._item_request("GetItem", {"TableName": table, "Key": key})
        elif operation == "BatchWriteItem":
            for table, requests in (params.get("RequestItems") or {}).items():
                for request in requests:
                    if "PutRequest" in request:
                        yield from self._item_request("PutItem", {"TableName": table, **request["PutRequest"]})
                    elif "DeleteRequest" in request:
                        yield from self._item_request("DeleteItem", {"TableName": table, **request["DeleteRequest"]})
        elif operation in ("TransactWriteItems", "TransactGetItems"):
            for entry in params.get("TransactItems", []):
                for kind, request in entry.items():
                    yield from self._item_request(_TRANSACT_OPERATIONS.get(kind, "UpdateItem"), request)

    def _item_request(self, operation: str, params: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
        table_name = str(params.get("TableName"))
        table = self._tables.get(table_name)
        item = params.get("Item") if operation == "PutItem" else params.get("Key")
        if table is None or not isinstance(item, Mapping) or table.partition_key not in item:
            yield f"{table_name}|{BASE}|?", READ if operation == "GetItem" else WRITE
            return
        value = scalar(item[table.partition_key])
        if operation == "GetItem":
            yield f"{table_name}|{BASE}|{value}", READ
            return
        yield f"{table_name}|{BASE}|{value}", WRITE
        if not table.indexes or operation == "UpdateItem":
            return
        item_key = (table_name, value if table.sort_key is None else f"{value}|{scalar(item.get(table.sort_key))}")
        new: dict[str, tuple[str, str]] = {}
        if operation == "PutItem":
            for index, (index_hash, index_range) in table.indexes.items():
                if index_hash in item and (index_range is None or index_range in item):
                    new[index] = (scalar(item[index_hash]), scalar(item[index_range]) if index_range else "")
        with self._lock:
            old = self._index_keys.pop(item_key, {})
            if new:
                self._index_keys[item_key] = new
        for index in sorted(set(old) | set(new)):
            before, after = old.get(index), new.get(index)
            if before is not None and before != after:
                yield f"{table_name}|{index}|{before[0]}", WRITE  # out of the index at its old keys
            if after is not None:
                yield f"{table_name}|{index}|{after[0]}", WRITE

    def _query(self, params: Mapping[str, Any]) -> str:
        table_name = str(params.get("TableName"))
        index = str(params.get("IndexName") or BASE)
        table = self._tables.get(table_name)
        hash_key = None
        if table is not None:
            hash_key = table.partition_key if index == BASE else table.indexes.get(index, (None, None))[0]
        names = params.get("ExpressionAttributeNames") or {}
        values = params.get("ExpressionAttributeValues") or {}
        clauses = _EQUALS.findall(str(params.get("KeyConditionExpression") or ""))
        for name, placeholder in clauses:
            if names.get(name, name) == hash_key and placeholder in values:
                return f"{table_name}|{index}|{scalar(values[placeholder])}"
        if clauses and clauses[0][1] in values:  # a schema this counter was not told about
            return f"{table_name}|{index}|{scalar(values[clauses[0][1]])}"
        return f"{table_name}|{index}|?"


_TRANSACT_OPERATIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                        "ConditionCheck": "UpdateItem", "Get": "GetItem"}
"""A transaction's condition check consumes write units on its item's partition, as an update does."""
