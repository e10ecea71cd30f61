"""Which request, message or alarm a log line or a push belongs to.

Every entry point (the REST middleware, the WebSocket handlers, the alarm consumer, the sweeper)
binds the ids of what it is handling for as long as it handles it; `log` adds them to every line
and the push envelope carries the correlation id. A context variable, not a global: the local
stack runs many invocations at once, one per thread.

- `lambda_request_id`: the Lambda invocation (`context.aws_request_id`), to find its REPORT line.
- `api_request_id`: API Gateway's `requestContext.requestId` (REST and WebSocket), to find its
  access log and what the client saw as `x-amzn-RequestId`.
- `correlation_id`: what ties a cause to its effects: the caller's `X-Request-Id` if it is safe to
  log and echo, else one we generate; for an alarm firing, the alarm's own id (`alarm_id`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from chalicelib.core.ids import new_id

MAX_ID_LENGTH = 128
_SAFE_ID = re.compile(rf"[A-Za-z0-9._:\-]{{1,{MAX_ID_LENGTH}}}")
"""What a caller's id may be: short, ASCII, nothing that could break a log line or a header (no
whitespace, no quotes, no control characters). UUIDs, ULIDs and W3C trace ids all qualify."""


@dataclass(frozen=True)
class Ids:
    correlation_id: str
    lambda_request_id: str | None = None
    api_request_id: str | None = None

    def fields(self) -> dict[str, str]:
        """The log fields: the ids that are known."""
        fields = {"correlation_id": self.correlation_id}
        if self.lambda_request_id:
            fields["lambda_request_id"] = self.lambda_request_id
        if self.api_request_id:
            fields["api_request_id"] = self.api_request_id
        return fields

    def caused_by(self, correlation_id: str) -> Ids:
        """The same invocation, handling something with a cause of its own (one alarm of a batch)."""
        return replace(self, correlation_id=correlation_id)


_current: ContextVar[Ids | None] = ContextVar("ontime_ids", default=None)


@contextmanager
def bound(ids: Ids) -> Iterator[Ids]:
    token = _current.set(ids)
    try:
        yield ids
    finally:
        _current.reset(token)


def current() -> Ids | None:
    return _current.get()


def correlation_id() -> str | None:
    ids = _current.get()
    return None if ids is None else ids.correlation_id


def is_safe_id(value: str) -> bool:
    return _SAFE_ID.fullmatch(value) is not None


def new_correlation_id() -> str:
    return new_id("req")


def alarm_id(kind: str, entity_id: str, wake_at: int) -> str:
    """An alarm's own id: the same for every delivery of it (duplicates, the sweeper's re-sends), and
    different for the next alarm of the same entity."""
    return f"alarm:{kind}:{entity_id}:{wake_at}"


def lambda_request_id(lambda_context: Any) -> str | None:
    request_id = getattr(lambda_context, "aws_request_id", None)
    return request_id if isinstance(request_id, str) else None


def for_invocation(lambda_context: Any, api_request_id: str | None = None, sent: str | None = None) -> Ids:
    """The ids of one invocation; `sent` is the caller's own id (`X-Request-Id`), used when safe."""
    chosen = sent if sent is not None and is_safe_id(sent) else new_correlation_id()
    return Ids(chosen, lambda_request_id(lambda_context), api_request_id or None)
