"""One error hierarchy for the domain; `chalicelib.http.problems` maps it to RFC 9457 bodies.

Each error names its problem type and HTTP status as class attributes, so the mapping lives
in exactly one place and adding an error is one small class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


PROBLEM_MEMBERS = frozenset({"type", "title", "status", "detail", "instance", "request_id"})
"""RFC 9457's members and ours: an extension by one of these names would be dropped from the body."""


class DomainError(Exception):
    """Base of every error a caller can cause."""

    status: ClassVar[int] = 400
    problem: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        taken = PROBLEM_MEMBERS.intersection(extensions)
        if taken:  # `status=` meant the entity's status, and the body would silently lose it
            raise TypeError(f"{sorted(taken)} name members of every problem body: call the extension otherwise "
                            "(`current_status`)")
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class MalformedRequest(DomainError):
    """The request could not be read: bad JSON, wrong types, missing fields."""

    status = 400
    problem = "malformed-request"
    title = "Malformed request"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []


class PayloadTooLarge(DomainError):
    """The body is larger than this API accepts."""

    status = 413
    problem = "payload-too-large"
    title = "Payload too large"


class Unauthenticated(DomainError):
    """No valid bearer token."""

    status = 401
    problem = "unauthenticated"
    title = "Authentication required"


class Forbidden(DomainError):
    """Authenticated, but this role may not do this."""

    status = 403
    problem = "forbidden"
    title = "Forbidden"


class NotFound(DomainError):
    """Missing, or not the caller's (we never confirm that someone else's resource exists)."""

    status = 404
    problem = "not-found"
    title = "Not found"


class InvalidTransition(DomainError):
    """The entity's current state does not allow this action."""

    status = 409
    problem = "invalid-transition"
    title = "Action not allowed in the current state"


class WindowClosed(InvalidTransition):
    """The deadline passed: the outcome is settled and the action came too late."""

    problem = "window-closed"
    title = "Window closed"


class AlreadyTaken(DomainError):
    """Creating something whose id is already in use."""

    status = 409
    problem = "already-exists"
    title = "Already exists"


class ConflictingRequest(DomainError):
    """Another request with the same idempotency key is still being processed."""

    status = 409
    problem = "request-in-progress"
    title = "Request in progress"


class ValidationFailed(DomainError):
    """Well-formed, but semantically invalid (store closed, product off sale, …)."""

    status = 422
    problem = "validation-failed"
    title = "Request is not valid"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []


class IdempotencyKeyReused(DomainError):
    """The same Idempotency-Key was sent with a different body."""

    status = 422
    problem = "idempotency-key-reused"
    title = "Idempotency key reused with a different request"


class ConcurrentUpdate(DomainError):
    """A conditional write lost to another writer of the same item. Inside, the writer re-reads and
    decides again (`chalicelib.core.contention`); only when it keeps losing does this reach the
    caller, as a 409 that changed nothing and may simply be sent again."""

    status = 409
    problem = "concurrent-update"
    title = "Concurrent update"

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} was being changed by other requests at the same moment, and this request "
                         "changed nothing: retry it")
        self.what = what


class AlreadyExists(Exception):
    """A create-only write found the item already there."""
