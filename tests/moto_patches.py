"""The local stack patches moto's classes for speed and isolation (`devstack/aws.py`); tests that
install a patch take it off again with `restored`, so no other test runs on a patched moto."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

_ABSENT = object()


@contextlib.contextmanager
def restored(owner: object, names: Iterable[str]) -> Iterator[None]:
    """On leaving, `owner`'s (a class's or a module's) own attributes `names` are what they were on
    entering (absent ones removed again), whatever was patched in between."""
    originals = {name: vars(owner).get(name, _ABSENT) for name in names}
    try:
        yield
    finally:
        for name, original in originals.items():
            if original is _ABSENT:
                if name in vars(owner):
                    delattr(owner, name)
            else:
                setattr(owner, name, original)


@contextlib.contextmanager
def isolated_dynamodb_transactions() -> Iterator[None]:
    """moto's transactions isolated as DynamoDB's are (the local stack's patch), for one test."""
    from moto.dynamodb.models import DynamoDBBackend

    from devstack.aws import isolate_dynamodb_transactions

    with restored(DynamoDBBackend, ("put_item", "update_item", "delete_item", "transact_write_items",
                                    "_ontime_isolated")):
        assert isolate_dynamodb_transactions()
        yield
