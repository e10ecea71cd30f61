"""Which two terminals each call connects, remembered for half a second per container.

A call's signals come in bursts (an SDP, then its ICE candidates within a few hundred ms), and each
one is relayed by the call's two bound connections and its status. Reading the call once per burst
instead of once per signal saves a consistent read on every candidate. Every change this container
commits to a call forgets it at once (the call service's reactions), so here a hang-up, an answer
or a rejoin is seen by the very next signal; a change committed by another container is seen
within `MEMORY_MS`, during which a late candidate may still reach a terminal whose call just ended
(it ignores it: its call is over).
"""

from __future__ import annotations

import threading

from chalicelib.calls.call import Call
from chalicelib.calls.ports import CallStore
from chalicelib.core.clock import Clock
from chalicelib.core.expiring import Expiring

MEMORY_MS = 500


class CallTerminals:
    def __init__(self, store: CallStore, clock: Clock, memory_ms: int = MEMORY_MS) -> None:
        self._store = store
        self._known: Expiring[str, Call | None] = Expiring(clock, memory_ms)
        self._lock = threading.Lock()

    def of(self, call_id: str) -> Call | None:
        """The call as last read here (its status and two bound terminals are what the relay uses)."""
        with self._lock:
            found, call = self._known.get(call_id)
        if found:
            return call
        call = self._store.get(call_id)
        with self._lock:
            self._known.put(call_id, call)
        return call

    def forget(self, call_id: str) -> None:
        with self._lock:
            self._known.discard(call_id)

