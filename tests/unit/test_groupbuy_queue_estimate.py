"""The estimated wait from a shop's reported queue and its recent service rate."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.groupbuy.queue_estimate import MINUTE_MS, EstimateSettings, estimate, minutes_per_person

NOW = 1_000 * MINUTE_MS
SETTINGS = EstimateSettings()


def served_every(minutes: float, count: int, *, ending: int = NOW) -> list[int]:
    return [int(ending - i * minutes * MINUTE_MS) for i in range(count)]


def test_the_recent_rate_sets_the_minutes_per_person() -> None:
    result = estimate(6, served_every(4, 5), NOW, SETTINGS)
    assert (result.minutes_per_person, result.basis, result.estimated_wait_min) == (4.0, "recent_rate", 24)


def test_too_few_people_served_recently_falls_back_to_the_shops_default() -> None:
    result = estimate(3, served_every(4, 2), NOW, SETTINGS)
    assert (result.basis, result.minutes_per_person, result.estimated_wait_min) == ("default", 5.0, 15)


def test_services_older_than_the_window_do_not_count() -> None:
    old = served_every(1, 10, ending=NOW - 31 * MINUTE_MS)
    assert minutes_per_person(old, NOW, SETTINGS) == (5.0, "default")


def test_redemptions_reported_at_one_instant_give_no_rate() -> None:
    assert minutes_per_person([NOW] * 5, NOW, SETTINGS) == (5.0, "default")


def test_nobody_waiting_is_no_wait_and_the_wait_is_capped() -> None:
    assert estimate(0, served_every(4, 5), NOW, SETTINGS).estimated_wait_min == 0
    assert estimate(10_000, [], NOW, SETTINGS).estimated_wait_min == SETTINGS.max_wait_min


def test_a_partial_minute_rounds_up() -> None:
    assert estimate(1, served_every(2.5, 4), NOW, SETTINGS).estimated_wait_min == 3


@pytest.mark.parametrize(("bad", "named"), [
    ({"default_minutes_per_person": 0}, "default_minutes_per_person"), ({"window_min": 0}, "window_min"),
    ({"min_samples": 1}, "min_samples"), ({"max_wait_min": 0}, "max_wait_min"),
])
def test_invalid_settings_are_refused_naming_the_field(bad: dict[str, float], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        EstimateSettings(**bad)  # type: ignore[arg-type]


def test_a_negative_queue_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        estimate(-1, [], NOW, SETTINGS)


@given(waiting=st.integers(0, 500), served=st.lists(st.integers(NOW - 60 * MINUTE_MS, NOW), max_size=40))
def test_the_wait_grows_with_the_queue_and_stays_within_the_cap(waiting: int, served: list[int]) -> None:
    now, more = estimate(waiting, served, NOW, SETTINGS), estimate(waiting + 1, served, NOW, SETTINGS)
    assert 0 <= now.estimated_wait_min <= more.estimated_wait_min <= SETTINGS.max_wait_min
    assert now.minutes_per_person > 0
