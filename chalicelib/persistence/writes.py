"""The outcomes of a conditional write every store needs told apart, in one place: refused by its
condition (`lost_condition`), refused because a transaction held the item (`contended`), or
failed for another reason."""

from __future__ import annotations

from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.models import Model

from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate

CONDITION_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CONFLICT = "TransactionConflictException"


def response_code(exc: PynamoDBException) -> str | None:
    """DynamoDB's error code of `exc`, None when it has none: PynamoDB's `cause_response_code`
    fails (AttributeError) on a botocore error whose `response` is None, a read timeout's."""
    response = getattr(exc.cause, "response", None)
    error = response.get("Error") if isinstance(response, dict) else None
    code = error.get("Code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else None


def lost_condition(exc: PynamoDBException) -> bool:
    """Whether a write was refused by its condition (for a transaction: any of its items was),
    rather than failing for another reason (throttling, validation…), which the caller re-raises."""
    if isinstance(exc, TransactWriteError):
        return any(reason is not None and reason.code == "ConditionalCheckFailed"
                   for reason in exc.cancellation_reasons or [])
    return response_code(exc) == CONDITION_FAILED


def contended(exc: PynamoDBException) -> bool:
    """Whether DynamoDB refused the write because another transaction on one of its items was in
    flight: nothing was written, and the same write may be tried again (botocore does not retry
    these). Two checkouts reserving the same product, or a location report while a dispatch moves
    the installer's open-job counter, meet like this; moto never answers so."""
    if isinstance(exc, TransactWriteError):
        return any(reason is not None and reason.code == "TransactionConflict"
                   for reason in exc.cancellation_reasons or [])
    return response_code(exc) == TRANSACTION_CONFLICT


def raise_if_contended(exc: PynamoDBException, what: str) -> None:
    """`ConcurrentUpdate(what)` from `exc` if it is contention (for `retry_contended` to retry)."""
    if contended(exc):
        raise ConcurrentUpdate(what) from exc


def save_new(item: Model, what: str) -> None:
    """Create-only put: raises `AlreadyExists(what)` when an item with the same key is stored."""
    key = item._hash_key_attribute()
    condition = key.does_not_exist()
    try:
        item.save(condition=condition)
    except PynamoDBException as exc:
        if lost_condition(exc):
            raise AlreadyExists(what) from exc
        raise_if_contended(exc, what)
        raise
