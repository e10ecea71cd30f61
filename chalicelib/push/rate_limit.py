"""Each connection's budget of package actions, counted in this container first.

A terminal's messages may reach several Lambda containers, so the budget is a count shared by
all of them (`SharedBudget`: DynamoDB, `persistence/budgets.py`). Writing that count once per
action would cost a conditional write on every signal of a call; here each container counts a
connection's actions itself, refuses at once what its own count already puts over the limit, and
adds what it admitted to the shared count every `report_every` actions, learning from the answer
what the other containers admitted. So a realistic burst (an SDP and a few ICE candidates) costs
no write at all, a flood one write per `report_every` actions, and the limit holds across
containers to within `report_every − 1` actions per container that the connection reaches.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

MAX_CONNECTIONS_KEPT = 10_000
"""Past this many connections in memory, those of earlier windows are forgotten."""


class SharedBudget(Protocol):
    def spend(self, connection_id: str, window_start_s: int, window_end_s: int, actions: int) -> int:
        """Add `actions` to the connection's count in the window that starts at `window_start_s`;
        the count after (every container's)."""
        ...


@dataclass
class _Window:
    start_s: int
    known: int = 0
    """What this container knows was spent in the window: the shared count it last read plus what
    it admitted since."""
    unreported: int = 0


class PooledRateLimiter:
    """At most `limit` actions per connection in each fixed `window_s` window (from the epoch)."""

    def __init__(self, shared: SharedBudget, limit: int, window_s: int, report_every: int = 10) -> None:
        self._shared = shared
        self._limit = limit
        self._window_s = window_s
        self._report_every = max(1, report_every)
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def allow(self, connection_id: str, now_ms: int) -> int:
        now_s = now_ms // 1000
        start = now_s - now_s % self._window_s
        end = start + self._window_s
        with self._lock:
            window = self._window(connection_id, start)
            if window.known >= self._limit:
                return end - now_s
            window.known += 1
            window.unreported += 1
            report = 0
            if window.unreported >= self._report_every:
                report, window.unreported = window.unreported, 0
        if report:
            total = self._shared.spend(connection_id, start, end, report)
            with self._lock:
                window.known = max(window.known, total + window.unreported)
        return 0

    def _window(self, connection_id: str, start: int) -> _Window:
        window = self._windows.get(connection_id)
        if window is None or window.start_s != start:
            if len(self._windows) >= MAX_CONNECTIONS_KEPT:
                self._windows = {c: w for c, w in self._windows.items() if w.start_s == start}
            window = self._windows[connection_id] = _Window(start)
        return window
