"""The two outcomes of a conditional write every store needs told apart, in one place."""

from __future__ import annotations

from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.models import Model

from chalicelib.core.errors import AlreadyExists

CONDITION_FAILED = "ConditionalCheckFailedException"


def lost_condition(exc: PynamoDBException) -> bool:
    """Whether a write was refused by its condition (for a transaction: any of its items was),
    rather than failing for another reason (throttling, validation…), which the caller re-raises."""
    if isinstance(exc, TransactWriteError):
        return any(reason is not None and reason.code == "ConditionalCheckFailed"
                   for reason in exc.cancellation_reasons or [])
    return exc.cause_response_code == CONDITION_FAILED


def save_new(item: Model, what: str) -> None:
    """Create-only put: raises `AlreadyExists(what)` when an item with the same key is stored."""
    key = item._hash_key_attribute()
    condition = key.does_not_exist()
    try:
        item.save(condition=condition)
    except PynamoDBException as exc:
        if lost_condition(exc):
            raise AlreadyExists(what) from exc
        raise
