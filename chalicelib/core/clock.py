"""The clock port: every decision about a window reads time through it, so tests can move it."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int:
        """Current UTC time in epoch milliseconds."""
        ...

    def sleep_ms(self, ms: int) -> None:
        """Wait a short moment (sub-second alignment of a trigger, never a window)."""
        ...


class SystemClock:
    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    def sleep_ms(self, ms: int) -> None:
        time.sleep(ms / 1000)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, now_ms: int = 1_795_000_000_000) -> None:
        self._now_ms = now_ms

    def now_ms(self) -> int:
        return self._now_ms

    def sleep_ms(self, ms: int) -> None:
        self._now_ms += ms

    def advance(self, seconds: float) -> None:
        self._now_ms += int(seconds * 1000)

    def set(self, now_ms: int) -> None:
        self._now_ms = now_ms
