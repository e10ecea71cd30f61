"""AWS misbehaving, told apart from bugs: what a caller may simply send again, and when.

Every client retries a throttled or timed-out call itself (`chalicelib/aws.py`: botocore's
standard mode, three attempts with full-jitter backoff). When those are spent the error reaches
the app, and this module recognizes it, whichever shape it arrives in: a botocore `ClientError`
by its code, a PynamoDB error by its `cause` (PynamoDB wraps every botocore error:
`PutError`, `UpdateError`, `GetError`, `QueryError`, `TransactWriteError`…), a transaction
cancelled because one of its items was throttled by its cancellation reasons, a botocore
connection error by its class. The HTTP edge answers it with `ServiceUnavailable` (a 503 problem
with `Retry-After`), never a 500; the WebSocket handlers with a 503 or an `error` frame.

A failure is `rejected` when AWS refused the call (throttled, or it never connected): nothing
was applied. Otherwise (a read timeout, a connection closed mid-answer, an internal error of the
service) the call may have been applied; the idempotency layer tells the two apart
(`chalicelib/idempotency.py`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.core.errors import DomainError

REFUSED_CODES = frozenset({
    "ProvisionedThroughputExceededException", "ThrottlingException", "Throttling", "ThrottledException",
    "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException", "TooManyRequestsException",
    "SlowDown", "LimitExceededException", "TransactionInProgressException",
})
"""Error codes of a call AWS refused for its own capacity (`LimitExceededException`: `@connections`'
throttling; `TransactionInProgressException`: the same transaction still running): never applied."""
UNAVAILABLE_CODES = frozenset({
    "InternalServerError", "InternalFailure", "InternalError", "ServiceUnavailable", "ServiceUnavailableException",
    "RequestTimeout", "RequestTimeoutException",
})
"""Error codes of a service failing on its side: the call may have been applied (DynamoDB says so
of its 500s)."""
THROTTLED_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded"})
"""A cancelled transaction's reasons that mean throttling (DynamoDB's `CancellationReasons`)."""

RETRY_AFTER_S = (1, 3)
"""What `Retry-After` says of a refused call: a whole number of seconds drawn in this range, so
that callers throttled at the same moment do not all come back at the same one."""


@dataclass(frozen=True)
class TransientFailure:
    reason: str
    """The error code or the botocore exception's class (`ThrottlingException`, `ReadTimeoutError`)."""
    rejected: bool
    """AWS refused the call: nothing was applied. False: it may have been."""


class ServiceUnavailable(DomainError):
    """AWS (our capacity, not the caller's use) failed a call after its retries: nothing the caller
    did wrong, and the same request may be sent again after `Retry-After` seconds.

    A 503 rather than a 429: 429 is the caller's own budget (API Gateway's throttling of the stage,
    a terminal's action budget, `rate-limited`), which a caller meets by slowing down; a throttled
    table is the whole platform's capacity, which one caller's slowing down does not restore."""

    status = 503
    problem = "service-unavailable"
    title = "Service unavailable"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail, retry_after_s=retry_after_s)
        self.retry_after_s = retry_after_s


def transient_failure(exc: BaseException) -> TransientFailure | None:
    """What makes `exc` (or the error it wraps) a transient AWS failure; None: it is none."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found = _of(current)
        if found is not None:
            return found
        cause = getattr(current, "cause", None)  # PynamoDB's wrapped botocore error
        current = cause if isinstance(cause, BaseException) else current.__cause__
    return None


def _of(exc: BaseException) -> TransientFailure | None:
    from botocore.exceptions import (
        ConnectionClosedError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ReadTimeoutError,
    )

    if isinstance(exc, (ConnectTimeoutError, EndpointConnectionError)):  # never reached the service
        return TransientFailure(type(exc).__name__, rejected=True)
    if isinstance(exc, (ReadTimeoutError, ConnectionClosedError)):
        return TransientFailure(type(exc).__name__, rejected=False)
    response: Any = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    code = str((response.get("Error") or {}).get("Code") or "")
    if code in REFUSED_CODES:
        return TransientFailure(code, rejected=True)
    if code in UNAVAILABLE_CODES:
        return TransientFailure(code, rejected=False)
    if code == "TransactionCanceledException":
        return _throttled_transaction(exc, response)
    return None


def _throttled_transaction(exc: BaseException, response: dict[str, Any]) -> TransientFailure | None:
    """A transaction cancelled only because items of it were throttled (a lost condition or a
    conflicting transaction among its reasons is not transient: its callers decide)."""
    reasons = [str(reason.get("Code") or "None") for reason in response.get("CancellationReasons") or []
               if isinstance(reason, dict)]
    if not reasons:  # botocore keeps them in the message only: "[None, ThrottlingError]"
        message = str((response.get("Error") or {}).get("Message") or "")
        reasons = [part.strip() for part in message.partition("[")[2].rstrip("]").split(",") if part.strip()]
    failing = {reason for reason in reasons if reason != "None"}
    if failing and failing <= THROTTLED_REASONS:
        return TransientFailure("TransactionCanceledException", rejected=True)
    return None


def retry_after_s(draw: Callable[[], float] = random.random) -> int:
    """`Retry-After` for a refused call: in `RETRY_AFTER_S`, drawn (`draw` in [0, 1))."""
    low, high = RETRY_AFTER_S
    return low + int(draw() * (high - low + 1))


def unavailable(failure: TransientFailure, *, retry_after: int | None = None) -> ServiceUnavailable:
    """The problem a transient failure answers (`retry_after`: when the caller may retry, if not drawn)."""
    outcome = ("nothing was changed" if failure.rejected
               else "what it changed, if anything, a retry with the same Idempotency-Key will not repeat")
    return ServiceUnavailable(f"a service this request needs is busy or failing ({failure.reason}), and {outcome}: "
                              "retry it after Retry-After seconds",
                              retry_after if retry_after is not None else retry_after_s())
