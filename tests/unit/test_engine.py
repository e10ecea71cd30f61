"""The wait-state engine on the in-memory store (the same contract runs on DynamoDB in integration)."""

from __future__ import annotations

import pytest

from chalicelib.orders.model import Order
from chalicelib.waitstate.engine import trigger_delay_s
from chalicelib.waitstate.model import EntityStore
from tests.engine_contract import EngineContract
from tests.fakes import InMemoryEntityStore


class TestEngineOnInMemoryStore(EngineContract):
    @pytest.fixture
    def store(self) -> EntityStore[Order]:
        return InMemoryEntityStore()


@pytest.mark.parametrize(("delay_ms", "delay_s"), [
    (0, 0), (-5, 0), (949, 0), (950, 1), (999, 1), (1000, 1), (9_949, 9), (9_950, 10), (9_999, 10), (10_000, 10),
    (10_001, 10),
])
def test_a_trigger_is_delayed_its_whole_seconds_or_the_next_one_when_that_is_at_most_50_ms_late(
        delay_ms: int, delay_s: int) -> None:
    # A deadline of `now + 10 s`, read a millisecond later, arrives on time instead of a second
    # early: it then holds no alarm worker while it waits for its moment.
    assert trigger_delay_s(delay_ms) == delay_s
