"""Each merchant's ring deadline, remembered for a few seconds per container.

Every call placed reads its merchant's `ring_s`, which changes rarely: read once per `MEMORY_MS`
here; a change made through this container is seen at once, one made through another within
`MEMORY_MS` (a call placed in between rings for the old length).
"""

from __future__ import annotations

import threading

from chalicelib.calls.ports import CallSettingsStore
from chalicelib.calls.settings import DEFAULT_RING_S
from chalicelib.core.clock import Clock
from chalicelib.core.expiring import Expiring

MEMORY_MS = 5_000


class RingDeadlines:
    def __init__(self, store: CallSettingsStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._known: Expiring[str, int] = Expiring(clock, MEMORY_MS)
        self._lock = threading.Lock()

    def ring_s(self, merchant_id: str) -> int:
        with self._lock:
            found, ring_s = self._known.get(merchant_id)
        if found and ring_s is not None:
            return ring_s
        ring_s = self._store.ring_s(merchant_id) or DEFAULT_RING_S
        with self._lock:
            self._known.put(merchant_id, ring_s)
        return ring_s

    def set(self, merchant_id: str, ring_s: int) -> None:
        self._store.save_ring_s(merchant_id, ring_s, self._clock.now_ms())
        with self._lock:
            self._known.put(merchant_id, ring_s)
