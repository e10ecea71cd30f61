"""`Idempotency-Key` for creating POSTs: a retry with the same key and body gets the first response,
marked as replayed (the HTTP layer answers it with `Idempotent-Replayed: true`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.core.clock import Clock
from chalicelib.core.errors import ConflictingRequest, DomainError, FieldError, IdempotencyKeyReused, MalformedRequest

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
                raise ConflictingRequest("a request with this Idempotency-Key is still being processed")
            return Answer(existing.status_code, json.loads(existing.response_body), replayed=True)
        try:
            status, response = produce()
        except DomainError:
            self._store.release(record_key)  # refusals are not remembered: a corrected retry may pass
            raise
        self._store.complete(record_key, digest, now, status, json.dumps(response, separators=(",", ":")))
        return Answer(status, response)
