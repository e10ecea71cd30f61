"""A per-container memory of a few seconds: values remembered until `ttl_ms` after they were put.

What a Lambda container reads on every request or alarm but what changes rarely (a merchant's
profile, a shop's group-buy settings) is read once per TTL; writes through the same container
`forget` it at once, other containers see a change within the TTL. Not thread-safe on its own:
callers hold their lock around it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from chalicelib.core.clock import Clock

K = TypeVar("K")
V = TypeVar("V")


MAX_ENTRIES = 10_000
"""Past this many entries, a `put` first drops the expired ones (a container lives for hours)."""


class Expiring(Generic[K, V]):
    def __init__(self, clock: Clock, ttl_ms: int, max_entries: int = MAX_ENTRIES) -> None:
        self._clock = clock
        self._ttl_ms = ttl_ms
        self._max_entries = max_entries
        self._entries: dict[K, tuple[int, V]] = {}

    def get(self, key: K) -> tuple[bool, V | None]:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self._clock.now_ms():
            return False, None
        return True, entry[1]

    def put(self, key: K, value: V) -> None:
        now = self._clock.now_ms()
        if len(self._entries) >= self._max_entries:
            self._entries = {k: entry for k, entry in self._entries.items() if entry[0] > now}
        self._entries[key] = (now + self._ttl_ms, value)

    def __len__(self) -> int:
        return len(self._entries)

    def discard(self, key: K) -> None:
        self._entries.pop(key, None)

    def forget(self, matches: Callable[[K], bool]) -> None:
        for key in [k for k in self._entries if matches(k)]:
            self._entries.pop(key, None)
