"""`Idempotency-Key` for creating POSTs: a retry with the same key and body gets the first response,
marked as replayed (the HTTP layer answers it with `Idempotent-Replayed: true`).

When AWS fails the request after it claimed its key (`chalicelib/core/transient.py`), the caller
is told 503 and retries with the same key; what happens to the key decides whether that retry may
make a second entity:

- AWS refused the call (throttled, never connected): nothing was applied by it, and a create
  applies its entity in its last write (its triggers and pushes never fail it), so nothing was
  created: the key is released and the retry, after `Retry-After` (1–3 s), creates the one entity.
- The call may have been applied (a read timeout, a service's 500): the key stays claimed, as for
  a request that crashed, and `Retry-After` is the time until the claim is stale and a retry may
  take it over (`IN_PROGRESS_TIMEOUT_MS`); a retry before that is a 409 `request-in-progress`.
- The entity was created but recording the answer failed: the caller gets its answer all the same.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.core.clock import Clock
from chalicelib.core.errors import ConflictingRequest, DomainError, FieldError, IdempotencyKeyReused, MalformedRequest
from chalicelib.core.ids import derived_from
from chalicelib.core.observability import log
from chalicelib.core.transient import transient_failure, unavailable

IN_PROGRESS_TIMEOUT_MS = 30_000
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class IdempotencyRecord:
    request_hash: str
    completed: bool
    started_at: int
    status_code: int | None
    response_body: str | None


@dataclass(frozen=True)
class Answer:
    """What a guarded request answers: produced now, or `replayed` from the first request's record."""

    status: int
    body: dict[str, Any]
    replayed: bool = False


class IdempotencyStore(Protocol):
    def claim(self, key: str, request_hash: str, now_ms: int, stale_before_ms: int) -> IdempotencyRecord | None: ...

    def complete(self, key: str, request_hash: str, started_at: int, status_code: int,
                 response_body: str) -> None: ...

    def release(self, key: str) -> None: ...


def request_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class Idempotency:
    def __init__(self, store: IdempotencyStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def run(self, scope: str, key: str | None, body: Any,
            produce: Callable[[], tuple[int, dict[str, Any]]]) -> Answer:
        if key is None:
            return Answer(*produce())
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            raise MalformedRequest("Idempotency-Key is not valid",
                                   [FieldError("Idempotency-Key", f"1 to {MAX_KEY_LENGTH} characters")])
        record_key = f"{scope}:{key}"
        digest = request_hash(body)
        now = self._clock.now_ms()
        existing = self._store.claim(record_key, digest, now, now - IN_PROGRESS_TIMEOUT_MS)
        if existing is not None:
            if existing.request_hash != digest:
                raise IdempotencyKeyReused("this Idempotency-Key was used with a different request body")
            if not existing.completed or existing.response_body is None or existing.status_code is None:
                # Its claim goes stale then, and a retry takes it over (after a crash, say).
                stale_in_s = -(-(existing.started_at + IN_PROGRESS_TIMEOUT_MS - now) // 1000)
                raise ConflictingRequest("a request with this Idempotency-Key is still being processed",
                                         retry_after_s=max(1, stale_in_s))
            return Answer(existing.status_code, json.loads(existing.response_body), replayed=True)
        try:
            with derived_from(f"{record_key}\n{digest}"):  # a run after a crash issues the same ids
                status, response = produce()
        except DomainError:
            self._store.release(record_key)  # refusals are not remembered: a corrected retry may pass
            raise
        except Exception as exc:
            failure = transient_failure(exc)
            if failure is None:
                raise  # a bug: the claim goes stale, as after a crash
            if failure.rejected:
                self._store.release(record_key)
                raise unavailable(failure) from exc
            raise unavailable(failure, retry_after=IN_PROGRESS_TIMEOUT_MS // 1000 + 1) from exc  # then stale
        try:
            self._store.complete(record_key, digest, now, status, json.dumps(response, separators=(",", ":")))
        except Exception as exc:
            if transient_failure(exc) is None:
                raise
            # Created: answering a 503 would have the caller create it again once the claim is stale.
            log("idempotency.unrecorded", logging.WARNING, key=record_key, error=repr(exc))
        return Answer(status, response)
