"""Print a table of a running local stack as JSON lines, so that nobody needs the AWS CLI.

    python -m devstack.scan ontime-orders [--aws http://127.0.0.1:5000] [--limit 20]
    python -m devstack.scan --list

`--aws` defaults to `$ONTIME_LOCAL_AWS`, else the stack's default port. The embedded moto server
takes any credentials; these are fixed so the command pastes verbatim.
Timestamps are stored as epoch milliseconds (numbers) and money in minor units.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from decimal import Decimal
from typing import Any

import boto3

from devstack.stack import REGION


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(item) for item in value)
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.scan", description=__doc__.split("\n")[0])
    parser.add_argument("table", nargs="?", help="a table name, e.g. ontime-orders")
    parser.add_argument("--aws", default=os.environ.get("ONTIME_LOCAL_AWS", "http://127.0.0.1:5000"),
                        help="the stack's embedded AWS endpoint")
    parser.add_argument("--limit", type=int, default=20, help="at most this many items")
    parser.add_argument("--list", action="store_true", help="list the tables instead")
    options = parser.parse_args(argv)
    dynamodb = boto3.resource("dynamodb", endpoint_url=options.aws, region_name=REGION,
                              aws_access_key_id="local", aws_secret_access_key="local")
    if options.list or not options.table:
        for table in dynamodb.tables.all():
            print(table.name)
        return 0
    items = dynamodb.Table(options.table).scan()["Items"][:options.limit]
    for item in items:
        print(json.dumps(_plain(item), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
