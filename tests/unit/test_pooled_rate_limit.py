"""A connection's action budget counted in the container first, reported to the shared count in
batches: exact within one container, within a batch per container across several, and no shared
write at all for a realistic burst."""

from __future__ import annotations

from chalicelib.push.rate_limit import PooledRateLimiter
from tests.fakes.platform_ports import InMemoryRateLimiter

LIMIT, WINDOW_S, EVERY = 50, 5, 10
START_MS = 1_800_000_000_000 - 1_800_000_000_000 % (WINDOW_S * 1000)


class CountingShared(InMemoryRateLimiter):
    def __init__(self) -> None:
        super().__init__(LIMIT, WINDOW_S)
        self.writes = 0

    def spend(self, connection_id: str, window_start_s: int, window_end_s: int, actions: int) -> int:
        self.writes += 1
        return super().spend(connection_id, window_start_s, window_end_s, actions)


def pooled(shared: CountingShared) -> PooledRateLimiter:
    return PooledRateLimiter(shared, LIMIT, WINDOW_S, report_every=EVERY)


def test_one_container_admits_exactly_the_limit_then_says_how_long_to_wait() -> None:
    limiter = pooled(CountingShared())
    assert [limiter.allow("c1", START_MS + n) for n in range(LIMIT)] == [0] * LIMIT
    assert limiter.allow("c1", START_MS + 1_200) == WINDOW_S - 1
    assert limiter.allow("c1", START_MS + WINDOW_S * 1000) == 0  # the next window


def test_a_realistic_burst_writes_nothing_to_the_shared_count() -> None:
    shared = CountingShared()
    limiter = pooled(shared)
    assert all(limiter.allow("c1", START_MS + n) == 0 for n in range(EVERY - 1))  # an SDP and 8 candidates
    assert shared.writes == 0


def test_a_flood_writes_once_per_batch() -> None:
    shared = CountingShared()
    limiter = pooled(shared)
    for n in range(LIMIT + 20):
        limiter.allow("c1", START_MS + n)
    assert shared.writes == LIMIT // EVERY
    assert shared.spent[f"c1#{START_MS // 1000}"] == LIMIT


def test_containers_sharing_a_connection_hold_the_limit_to_within_a_batch_each() -> None:
    shared = CountingShared()
    containers = [pooled(shared) for _ in range(3)]
    admitted = sum(limiter.allow("c1", START_MS + n) == 0 for n in range(300) for limiter in containers)
    assert LIMIT <= admitted <= LIMIT + len(containers) * (EVERY - 1)


def test_each_connection_has_its_own_budget_and_old_windows_are_forgotten() -> None:
    limiter = pooled(CountingShared())
    for _ in range(LIMIT):
        limiter.allow("c1", START_MS)
    assert limiter.allow("c1", START_MS) > 0
    assert limiter.allow("c2", START_MS) == 0
