"""bench.groupbuy's accounting of the queue updates received: lateness, doubles, updates after use,
lost moments; and the schedule it sets the shops' meals to."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bench.groupbuy import Observation, Planned, account, grid_moments, noon_zone, slot_starts

S = 1000
MOMENTS = tuple(grid_moments(100 * S, 130 * S, 5 * S, 5 * S))


def test_the_grid_runs_from_lead_before_the_start_to_the_last_moment_before_the_end() -> None:
    assert MOMENTS == (95 * S, 100 * S, 105 * S, 110 * S, 115 * S, 120 * S, 125 * S)


def test_lateness_is_the_first_receipt_minus_the_moment_and_a_second_copy_is_doubled() -> None:
    planned = {"b1": Planned("b1", MOMENTS)}
    seen = [Observation("b1", m, m + 40) for m in MOMENTS] + [Observation("b1", 105 * S, 105 * S + 900)]

    result = account(planned, seen)

    assert result.lateness_ms == [40] * len(MOMENTS)
    assert result.doubled == [("b1", 105 * S, 2)]
    assert result.lost == [] and result.after_use == [] and result.off_grid == []
    assert result.required == len(MOMENTS)


def test_a_required_moment_never_received_is_lost() -> None:
    planned = {"b1": Planned("b1", MOMENTS), "b2": Planned("b2", MOMENTS)}
    seen = [Observation("b1", m, m + 10) for m in MOMENTS if m != 110 * S]
    seen += [Observation("b2", m, m + 10) for m in MOMENTS]

    assert account(planned, seen).lost == [("b1", 110 * S)]


def test_an_update_received_after_the_redeems_answer_counts_after_use_and_not_as_lateness() -> None:
    planned = {"b1": Planned("b1", MOMENTS, redeem_sent_ms=102_000, redeem_answered_ms=102_050)}
    seen = [Observation("b1", 95 * S, 95_020), Observation("b1", 100 * S, 100_030),
            Observation("b1", 105 * S, 105_010)]

    result = account(planned, seen)

    assert result.after_use == [("b1", 105 * S, 105_010 - 102_050)]
    assert result.lateness_ms == [20, 30]


def test_after_a_redeem_only_the_moments_well_before_it_are_required() -> None:
    """The moment just before the redeem may rightly be stopped by it: neither required nor lost."""
    planned = {"b1": Planned("b1", MOMENTS, redeem_sent_ms=100_500, redeem_answered_ms=100_560)}

    result = account(planned, [Observation("b1", 95 * S, 95_020)])

    assert result.required == 1 and result.lost == []


def test_a_moment_off_the_bookings_grid_or_of_an_unknown_booking_is_reported() -> None:
    planned = {"b1": Planned("b1", MOMENTS)}
    seen = [Observation("b1", m, m) for m in MOMENTS] + [Observation("b1", 96 * S, 96 * S),
                                                        Observation("bx", 95 * S, 95 * S)]

    result = account(planned, seen)

    assert result.off_grid == [("b1", 96 * S), ("bx", 95 * S)]
    assert len(result.lateness_ms) == len(MOMENTS)


def test_shops_start_their_slots_spread_over_whole_seconds_with_their_meals_a_gap_apart() -> None:
    starts = slot_starts(1_000, shops=4, spread_s=10, picks=2, slot_s=30, gap_s=2)

    assert starts == [[1000, 1032], [1002, 1034], [1005, 1037], [1008, 1040]]


def test_the_run_zone_puts_now_near_noon_so_its_slots_stay_in_one_local_day() -> None:
    for hour in (0, 5, 12, 16, 23):
        at = datetime(2026, 12, 1, hour, 30, tzinfo=UTC)
        assert 10 <= at.astimezone(ZoneInfo(noon_zone(at))).hour <= 14
