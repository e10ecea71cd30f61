"""How big ontime's DynamoDB items are, read straight from the local stack's moto endpoint.

DynamoDB bills writes per 1 KB and reads per 4 KB of item size; the size is the UTF-8 length of
every attribute name plus its value (numbers ≈ 1 byte per two digits + 1, ~3 bytes of overhead
per list or map, 1 per element). This is the published rule, approximated.
"""

from __future__ import annotations

from typing import Any

from bench.stats import Summary


def attribute_value_size(value: dict[str, Any]) -> int:
    (kind, inner), = value.items()
    if kind in {"S", "B"}:
        return len(inner.encode() if isinstance(inner, str) else inner)
    if kind == "N":
        return len(str(inner).lstrip("-").replace(".", "")) // 2 + 1
    if kind in {"BOOL", "NULL"}:
        return 1
    if kind == "L":
        return 3 + sum(1 + attribute_value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + attribute_value_size(v) for k, v in inner.items())
    if kind in {"SS", "NS", "BS"}:
        return sum(len(str(v)) for v in inner)
    return 0


def item_size(item: dict[str, dict[str, Any]]) -> int:
    return sum(len(name.encode()) + attribute_value_size(value) for name, value in item.items())


def table_item_sizes(aws_url: str, table_suffix: str = "orders", limit: int = 5000) -> tuple[str, Summary]:
    """(table name, summary of item sizes in bytes) of the first table whose name ends in the suffix."""
    import boto3

    client: Any = boto3.client("dynamodb", endpoint_url=aws_url, region_name="us-east-1",
                               aws_access_key_id="bench", aws_secret_access_key="bench")
    names = [n for n in client.list_tables()["TableNames"] if n.endswith(table_suffix)]
    if not names:
        return "", Summary.of([])
    sizes: list[float] = []
    kwargs: dict[str, Any] = {"TableName": names[0]}
    while len(sizes) < limit:
        page = client.scan(**kwargs)
        sizes.extend(float(item_size(item)) for item in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return names[0], Summary.of(sizes)
