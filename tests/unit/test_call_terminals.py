"""The relay's memory of which terminals a call connects: one read per burst, every change made
in this container seen at once, another container's within half a second."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.calls.call import Call, CallStatus, Side
from chalicelib.calls.terminals import MEMORY_MS, CallTerminals
from chalicelib.core.clock import FakeClock
from tests.fakes.calls import InMemoryCallStore

T0 = 1_800_000_000_000


class CountingStore(InMemoryCallStore):
    reads = 0

    def get(self, entity_id: str) -> Call | None:
        self.reads += 1
        return super().get(entity_id)


def connected() -> Call:
    return Call(id="cal_1", customer_id="u1", merchant_id="m1", status=CallStatus.CONNECTED,
                customer_connection="phone", merchant_connection="counter", ring_deadline=T0,
                presence_check_ms=30_000, created_at=T0, updated_at=T0, next_presence_check=T0 + 30_000)


def end(store: CountingStore) -> None:
    """Another writer hangs the call up."""
    current = InMemoryCallStore.get(store, "cal_1")
    assert current is not None
    store.commit(replace(current, status=CallStatus.ENDED, next_presence_check=None), current.version, None)


def setup() -> tuple[CountingStore, FakeClock, CallTerminals]:
    store, clock = CountingStore(), FakeClock()
    clock.set(T0)
    store.insert(connected(), None)
    return store, clock, CallTerminals(store, clock)


def test_a_burst_of_signals_reads_the_call_once() -> None:
    store, _, terminals = setup()
    for _ in range(16):
        call = terminals.of("cal_1")
        assert call is not None and call.side_of_connection("phone") is Side.CUSTOMER
        assert call.connection_of(Side.MERCHANT) == "counter"
    assert store.reads == 1


def test_a_change_made_here_is_seen_by_the_next_signal() -> None:
    store, _, terminals = setup()
    terminals.of("cal_1")
    end(store)
    terminals.forget("cal_1")
    assert terminals.of("cal_1").status is CallStatus.ENDED  # type: ignore[union-attr]


def test_a_change_made_elsewhere_is_seen_within_the_memory() -> None:
    store, clock, terminals = setup()
    terminals.of("cal_1")
    end(store)
    clock.set(T0 + MEMORY_MS - 1)
    assert terminals.of("cal_1").status is CallStatus.CONNECTED  # type: ignore[union-attr]
    clock.set(T0 + MEMORY_MS)
    assert terminals.of("cal_1").status is CallStatus.ENDED  # type: ignore[union-attr]


def test_an_unknown_call_is_remembered_as_unknown_too() -> None:
    store, _, terminals = setup()
    assert terminals.of("cal_none") is None and terminals.of("cal_none") is None
    assert store.reads == 1
