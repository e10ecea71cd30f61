"""A party's terminals are remembered for a second; changes made through this container show at once."""

from __future__ import annotations

from chalicelib.core.clock import FakeClock
from chalicelib.push.party import Party, customer, merchant
from chalicelib.push.ports import Owner, Terminal
from chalicelib.push.recent_terminals import RecentTerminals

SHOP = merchant("m1")


class CountingRegistry:
    def __init__(self) -> None:
        self.rows: dict[str, tuple[Party, int]] = {}
        self.users: dict[str, str] = {}
        self.queries = 0

    def register(self, connection_id: str, party: Party, user_id: str, now_ms: int) -> None:
        self.rows[connection_id] = (party, now_ms)
        self.users[connection_id] = user_id

    def unregister(self, connection_id: str) -> None:
        self.rows.pop(connection_id, None)

    def terminals_of(self, party: Party) -> list[Terminal]:
        self.queries += 1
        return [Terminal(cid, at) for cid, (p, at) in sorted(self.rows.items()) if p == party]

    def connections_of(self, party: Party) -> list[str]:
        return [t.connection_id for t in self.terminals_of(party)]

    def party_of(self, connection_id: str) -> Party | None:
        row = self.rows.get(connection_id)
        return None if row is None else row[0]

    def owner_of(self, connection_id: str) -> Owner | None:
        row = self.rows.get(connection_id)
        return None if row is None else Owner(row[0], self.users[connection_id])


def test_pushes_within_a_second_ask_the_table_once() -> None:
    inner, clock = CountingRegistry(), FakeClock()
    terminals = RecentTerminals(inner, clock)
    terminals.register("c1", SHOP, "staff", clock.now_ms())
    for _ in range(5):
        assert terminals.connections_of(SHOP) == ["c1"]
    assert inner.queries == 1


def test_a_terminal_registered_through_this_container_is_pushed_to_at_once() -> None:
    inner, clock = CountingRegistry(), FakeClock()
    terminals = RecentTerminals(inner, clock)
    assert terminals.connections_of(SHOP) == []
    terminals.register("c1", SHOP, "staff", clock.now_ms())
    assert terminals.connections_of(SHOP) == ["c1"]


def test_a_forgotten_terminal_is_not_pushed_to_again_and_other_parties_are_untouched() -> None:
    inner, clock = CountingRegistry(), FakeClock()
    terminals = RecentTerminals(inner, clock)
    terminals.register("c1", SHOP, "staff", 0)
    terminals.register("c2", SHOP, "staff", 0)
    terminals.register("c9", customer("u1"), "u1", 0)
    terminals.connections_of(SHOP), terminals.connections_of(customer("u1"))
    queries = inner.queries
    terminals.unregister("c1")
    assert terminals.connections_of(SHOP) == ["c2"]
    assert terminals.connections_of(customer("u1")) == ["c9"]
    assert inner.queries == queries + 1  # only the shop was asked again


def test_a_terminal_registered_by_another_container_shows_once_the_second_has_passed() -> None:
    inner, clock = CountingRegistry(), FakeClock()
    terminals = RecentTerminals(inner, clock)
    assert terminals.connections_of(SHOP) == []
    inner.register("c1", SHOP, "staff", clock.now_ms())  # behind this container's back
    clock.advance(0.5)
    assert terminals.connections_of(SHOP) == []
    clock.advance(0.6)
    assert terminals.connections_of(SHOP) == ["c1"]


def test_a_connections_owner_is_always_read_from_the_registry() -> None:
    inner, clock = CountingRegistry(), FakeClock()
    terminals = RecentTerminals(inner, clock)
    terminals.register("c1", SHOP, "staff-1", clock.now_ms())
    assert terminals.owner_of("c1") == Owner(SHOP, "staff-1")
    inner.unregister("c1")  # behind this container's back: a connection's owner is never remembered
    assert terminals.owner_of("c1") is None and terminals.owner_of("never") is None
