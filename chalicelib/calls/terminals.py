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
from dataclasses import dataclass

from chalicelib.calls.call import Call, CallStatus, Side
from chalicelib.calls.ports import CallStore
from chalicelib.core.clock import Clock
from chalicelib.core.expiring import Expiring

MEMORY_MS = 500


@dataclass(frozen=True)
class Bound:
    """What the relay needs of a call."""

    status: CallStatus
    customer_connection: str
    merchant_connection: str | None

    def side_of(self, connection_id: str) -> Side | None:
        if connection_id == self.customer_connection:
            return Side.CUSTOMER
        if self.merchant_connection is not None and connection_id == self.merchant_connection:
            return Side.MERCHANT
        return None

    def connection_of(self, side: Side) -> str | None:
        return self.customer_connection if side is Side.CUSTOMER else self.merchant_connection


class CallTerminals:
    def __init__(self, store: CallStore, clock: Clock, memory_ms: int = MEMORY_MS) -> None:
        self._store = store
        self._known: Expiring[str, Bound | None] = Expiring(clock, memory_ms)
        self._lock = threading.Lock()

    def of(self, call_id: str) -> Bound | None:
        with self._lock:
            found, bound = self._known.get(call_id)
        if found:
            return bound
        call = self._store.get(call_id)
        bound = None if call is None else _bound(call)
        with self._lock:
            self._known.put(call_id, bound)
        return bound

    def forget(self, call_id: str) -> None:
        with self._lock:
            self._known.forget(lambda known: known == call_id)


def _bound(call: Call) -> Bound:
    return Bound(call.status, call.customer_connection, call.merchant_connection)
