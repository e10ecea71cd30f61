"""The video-call workflow's ports in memory: the call orders' store, as the DynamoDB store
(`chalicelib/calls/call_order_store.py`) keeps it, and the calls as the order desk reads them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from chalicelib.auth.principal import Principal
from chalicelib.auth.scoping import may_see
from chalicelib.calls.call import Call
from chalicelib.calls.call_order import CallOrder, CallOrderStore
from chalicelib.calls.ports import CallLookup, CallParties, CallSettingsStore, CallStore
from chalicelib.core.errors import NotFound
from chalicelib.persistence.paging import Page
from chalicelib.push import party
from tests.fakes.entities import InMemoryEntityStore, refuse_unknown
from tests.fakes.paging import page_of


class InMemoryCallOrderStore(InMemoryEntityStore[CallOrder], CallOrderStore):
    """An order is written alone (no side records); the customer's index holds only sent orders."""

    def apply_writes(self, entity_id: str, writes: tuple[object, ...]) -> None:
        refuse_unknown(self, writes, ())

    def of_call(self, call_id: str) -> list[CallOrder]:
        return sorted((o for o in self.entities() if o.call_id == call_id), key=lambda o: (o.created_at, o.id))

    def for_merchant(self, merchant_id: str, limit: int, token: str | None) -> Page[CallOrder]:
        return page_of((o for o in self.entities() if o.merchant_id == merchant_id), limit, token,
                       index="call_orders.by_merchant", position=lambda o: (o.created_at, o.id), descending=True)

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[CallOrder]:
        return page_of((o for o in self.entities() if o.customer_id == customer_id and o.sent_at is not None),
                       limit, token, index="call_orders.by_customer", position=lambda o: (o.sent_at, o.id),
                       descending=True)


@dataclass
class FakeCallLookup(CallLookup):
    """Calls by id; a caller sees a call it is a party of (or any, as ops), as the call service does."""

    calls: dict[str, CallParties] = field(default_factory=dict)

    def add(self, call_id: str = "cal_1", *, merchant_id: str = "m1", customer_id: str = "u1",
            status: str = "connected", details: Mapping[str, str] | None = None) -> CallParties:
        call = self.calls[call_id] = CallParties(call_id, merchant_id, customer_id, status, dict(details or {}))
        return call

    def move(self, call_id: str, status: str) -> None:
        self.calls[call_id] = replace(self.calls[call_id], status=status)

    def call_for_order(self, caller: Principal, call_id: str) -> CallParties:
        call = self.calls.get(call_id)
        if call is None or not may_see(caller, (party.customer(call.customer_id), party.merchant(call.merchant_id))):
            raise NotFound(f"call {call_id} not found")
        return call


class InMemoryCallStore(InMemoryEntityStore[Call], CallStore):
    """A call is written alone; the live indexes hold only ringing and connected calls."""

    def apply_writes(self, entity_id: str, writes: tuple[object, ...]) -> None:
        refuse_unknown(self, writes, ())

    def live_for_merchant(self, merchant_id: str, limit: int) -> list[Call]:
        return self._live(lambda c: c.merchant_id == merchant_id, limit)

    def live_for_customer(self, customer_id: str, limit: int) -> list[Call]:
        return self._live(lambda c: c.customer_id == customer_id, limit)

    def _live(self, mine: Callable[[Call], bool], limit: int) -> list[Call]:
        live = [c for c in self.entities() if c.live and mine(c)]
        return sorted(live, key=lambda c: (c.created_at, c.id), reverse=True)[:limit]


@dataclass
class InMemoryCallSettingsStore(CallSettingsStore):
    ring: dict[str, int] = field(default_factory=dict)

    def ring_s(self, merchant_id: str) -> int | None:
        return self.ring.get(merchant_id)

    def save_ring_s(self, merchant_id: str, ring_s: int, now_ms: int) -> None:
        self.ring[merchant_id] = ring_s
