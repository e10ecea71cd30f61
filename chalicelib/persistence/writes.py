"""The outcomes of a conditional write every store needs told apart, in one place: refused by its
condition (`lost_condition`), refused because a transaction held the item (`contended`), or
failed for another reason — and, among the refusals, a write that met itself (`write_token`).

A write whose answer was lost (a read timeout after DynamoDB committed it) is sent again by
botocore; the retry meets the committed write and its condition refuses it — a create finds the
item there, an update finds the version moved on — so a write that succeeded would be reported
lost. A conditional write therefore carries a token of its own, and a refused one reads the item
back: if the stored item carries its token, the refusal was its own retry, and it succeeded.
"""

from __future__ import annotations

import secrets
from typing import Any

from pynamodb.exceptions import PutError, PynamoDBException, TransactWriteError
from pynamodb.models import Model

from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate
from chalicelib.core.ids import issued_by_a_rerun

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


def retried(exc: PynamoDBException) -> bool:
    """Whether botocore sent the refused write more than once: only then may it have met itself
    (a write refused at its first attempt lost to another, and costs no read to tell)."""
    error: BaseException | None = exc.cause
    while error is not None:  # PynamoDB re-raises botocore's error without its metadata
        response = getattr(error, "response", None)
        metadata = response.get("ResponseMetadata") if isinstance(response, dict) else None
        if isinstance(metadata, dict) and "RetryAttempts" in metadata:
            return int(metadata["RetryAttempts"]) > 0
        error = error.__context__
    return True  # not known: read, to be sure


def write_token() -> str:
    """A token for one conditional write (it also serves as a transaction's `ClientRequestToken`,
    which DynamoDB takes as 1 to 36 characters)."""
    return secrets.token_hex(16)


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
            if retried(exc) and _stored_as(item):
                return  # its own retry met it (or the same record made meanwhile: it is there as asked)
            if any(issued_by_a_rerun(str(value)) for value in _key_of(item)):
                return  # made by this request's run before a crash (chalicelib/core/ids.py)
            raise AlreadyExists(what) from exc
        raise_if_contended(exc, what)
        raise


def save_versioned(item: Model, what: str) -> None:
    """A versioned `save` (the stored version must be the item's, or none be stored when it has
    none; then it is bumped): `ConcurrentUpdate(what)` when another writer moved the item first,
    success when the refusal was its own retry meeting its committed write."""
    try:
        item.save()
    except PutError as exc:
        if not lost_condition(exc):
            raise
        if not met_its_own_save(item, exc):
            raise ConcurrentUpdate(what) from exc
        item.update_local_version_attribute()  # its answer was lost, not its write


def met_its_own_save(item: Model, exc: PynamoDBException) -> bool:
    """Whether a versioned `save` (a `VersionAttribute` condition) refused after botocore retried it
    met its own committed write: the stored item is exactly the one it sent, its version one on.
    For the stores whose items carry no `write_token` (a refusal otherwise reads as a lost race)."""
    if not retried(exc):
        return False
    sent = item.serialize()
    version = item._version_attribute_name
    if version is not None:
        sent[version] = {"N": str((getattr(item, version) or 0) + 1)}
    return _stored_serialized(item) == sent


def _key_of(item: Model) -> tuple[object, ...]:
    model = type(item)
    return tuple(getattr(item, str(name)) for name in (model._hash_keyname, model._range_keyname) if name)


def _stored_as(item: Model) -> bool:
    """Whether the stored item is exactly `item`. The records `save_new` makes carry no token; a
    retried put that finds its very attributes stored met itself, or a twin made within the
    retry's few milliseconds, which is the same record."""
    return _stored_serialized(item) == item.serialize()


def _stored_serialized(item: Model) -> dict[str, Any] | None:
    """The item stored at `item`'s key, as DynamoDB holds it (a consistent read), or None."""
    model = type(item)
    hash_key, *range_key = _key_of(item)
    try:
        stored = model.get(hash_key, range_key[0] if range_key else None, consistent_read=True)
    except model.DoesNotExist:
        return None
    serialized: dict[str, Any] = stored.serialize()
    return serialized
