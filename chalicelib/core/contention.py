"""The one way a write that lost to another writer is tried again: bounded, with jittered backoff.

    attempt 1 ─✗─ wait ∈ [0, b) ─ attempt 2 ─✗─ wait ∈ [0, 2b) ─ … ─ attempt N ─✗─▶ ConcurrentUpdate (409)

Each attempt re-reads and decides again, so a retry never writes a stale decision. The writers
that lost a round would all come back at once and collide again; a random wait ("full jitter")
spreads them over a window that doubles each round, up to a cap. After the last attempt the
`ConcurrentUpdate` reaches the caller, which the HTTP edge answers with a 409 that says retry.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from chalicelib.core.errors import ConcurrentUpdate
from chalicelib.core.observability import log

T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    attempts: int = 8
    base_ms: int = 4
    cap_ms: int = 250
    """With these, twenty writers of one item at the same moment all get through on moto and on
    DynamoDB, and a request that keeps losing gives up after half a second of waiting at most."""

    def delay_ms(self, retry: int, draw: float) -> int:
        """The wait before retry number `retry` (0: after the first loss), for `draw` in [0, 1)."""
        return int(draw * min(self.cap_ms, self.base_ms * 2 ** retry))


DEFAULT_BACKOFF = Backoff()


def _sleep_ms(ms: int) -> None:
    time.sleep(ms / 1000)


def retry_contended(attempt: Callable[[], T], *, backoff: Backoff = DEFAULT_BACKOFF,
                    sleep_ms: Callable[[int], None] = _sleep_ms,
                    draw: Callable[[], float] = random.random) -> T:
    """`attempt()`, tried again after each `ConcurrentUpdate` it raises, `backoff.attempts` times
    in all; then that `ConcurrentUpdate` propagates. Any other error propagates at once.

    `sleep_ms` is the wait (a `Clock.sleep_ms` where there is a clock, so tests skip time)."""
    retries = 0
    while True:
        try:
            return attempt()
        except ConcurrentUpdate as lost:
            if retries + 1 >= backoff.attempts:
                log("contention.exhausted", logging.WARNING, what=lost.what, attempts=backoff.attempts)
                raise
        sleep_ms(backoff.delay_ms(retries, draw()))
        retries += 1
