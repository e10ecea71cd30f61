"""Group-buy time slots (spec 04): the shop's meals over N local days, not ended, not full, computed in
the shop's zone per day, with one rule for DST gaps (→ the transition) and overlaps (→ first occurrence)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.groupbuy.slots import Meal, Slot, SlotSettings, offered_slots, slot_of


def at(local: str, zone: str) -> int:
    """Epoch ms of a local wall-clock time (first occurrence if ambiguous)."""
    return int(datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone)).timestamp() * 1000)


def utc(moment: str) -> int:
    return int(datetime.fromisoformat(moment).replace(tzinfo=UTC).timestamp() * 1000)


def ids(slots: list[Slot]) -> list[str]:
    return [slot.slot_id for slot in slots]


def night(start: str, end: str) -> tuple[Meal, ...]:
    return (Meal("night", time.fromisoformat(start), time.fromisoformat(end)),)


SHANGHAI = SlotSettings("Asia/Shanghai")


def test_a_morning_purchase_offers_lunch_and_dinner_for_today_and_the_next_two_days() -> None:
    slots = offered_slots(SHANGHAI, at("2026-03-24 09:00", "Asia/Shanghai"))

    assert ids(slots) == ["2026-03-24.lunch", "2026-03-24.dinner", "2026-03-25.lunch",
                          "2026-03-25.dinner", "2026-03-26.lunch", "2026-03-26.dinner"]
    assert slots[1] == Slot("2026-03-24.dinner", "dinner", "2026-03-24",
                            utc("2026-03-24 09:00"), utc("2026-03-24 13:00"))


def test_an_ongoing_slot_is_offered_until_it_ends() -> None:
    lunch_end = at("2026-03-24 14:00", "Asia/Shanghai")

    assert ids(offered_slots(SHANGHAI, lunch_end - 1))[0] == "2026-03-24.lunch"
    assert ids(offered_slots(SHANGHAI, lunch_end))[0] == "2026-03-24.dinner"


def test_after_the_last_meal_only_the_remaining_days_are_offered() -> None:
    slots = offered_slots(SHANGHAI, at("2026-03-24 21:30", "Asia/Shanghai"))

    assert ids(slots) == ["2026-03-25.lunch", "2026-03-25.dinner", "2026-03-26.lunch", "2026-03-26.dinner"]


def test_full_slots_are_not_offered() -> None:
    slots = offered_slots(SHANGHAI, at("2026-03-24 09:00", "Asia/Shanghai"),
                          full={"2026-03-24.dinner", "2026-03-26.lunch", "2030-01-01.lunch"})

    assert ids(slots) == ["2026-03-24.lunch", "2026-03-25.lunch", "2026-03-25.dinner", "2026-03-26.dinner"]


def test_the_days_setting_sets_how_many_local_days_are_offered() -> None:
    one_day = SlotSettings("Asia/Shanghai", days=1)

    assert ids(offered_slots(one_day, at("2026-03-24 09:00", "Asia/Shanghai"))) == [
        "2026-03-24.lunch", "2026-03-24.dinner"]


def test_each_day_is_rebuilt_in_local_time_across_a_dst_change_not_shifted_by_24_hours() -> None:
    london = SlotSettings("Europe/London")

    lunches = [s for s in offered_slots(london, at("2026-03-28 08:00", "Europe/London")) if s.meal == "lunch"]

    assert [(s.start_ms, s.end_ms) for s in lunches] == [
        (utc("2026-03-28 11:00"), utc("2026-03-28 14:00")),  # GMT
        (utc("2026-03-29 10:00"), utc("2026-03-29 13:00")),  # BST from 01:00 UTC that night
        (utc("2026-03-30 10:00"), utc("2026-03-30 13:00")),
    ]


def test_a_start_in_a_spring_forward_gap_moves_to_the_transition_in_london() -> None:
    # 29 March 2026, 01:00 GMT → 02:00 BST: 01:30 does not exist that night.
    shop = SlotSettings("Europe/London", night("01:30", "02:30"))

    slots = offered_slots(shop, at("2026-03-28 00:00", "Europe/London"))

    assert [(s.slot_id, s.start_ms, s.end_ms) for s in slots] == [
        ("2026-03-28.night", utc("2026-03-28 01:30"), utc("2026-03-28 02:30")),
        ("2026-03-29.night", utc("2026-03-29 01:00"), utc("2026-03-29 01:30")),  # 02:00–02:30 BST
        ("2026-03-30.night", utc("2026-03-30 00:30"), utc("2026-03-30 01:30")),
    ]


def test_a_start_in_a_spring_forward_gap_moves_to_the_transition_in_new_york() -> None:
    # 8 March 2026, 02:00 EST → 03:00 EDT: 02:30 becomes 03:00 EDT, not 03:30.
    shop = SlotSettings("America/New_York", night("02:30", "04:00"))

    assert slot_of(shop, "2026-03-08.night") == Slot(
        "2026-03-08.night", "night", "2026-03-08", utc("2026-03-08 07:00"), utc("2026-03-08 08:00"))
    assert slot_of(shop, "2026-03-07.night").start_ms == utc("2026-03-07 07:30")  # EST, no gap


def test_a_meal_wholly_inside_a_gap_has_no_slot_that_day() -> None:
    shop = SlotSettings("America/New_York", night("02:10", "02:50"))

    slots = offered_slots(shop, at("2026-03-07 00:00", "America/New_York"))

    assert ids(slots) == ["2026-03-07.night", "2026-03-09.night"]
    with pytest.raises(ValueError, match="DST gap"):
        slot_of(shop, "2026-03-08.night")


def test_an_ambiguous_time_in_a_fall_back_overlap_takes_its_first_occurrence_in_london() -> None:
    # 25 October 2026, 02:00 BST → 01:00 GMT: 01:30 happens twice; the slot starts at the first (BST).
    shop = SlotSettings("Europe/London", night("01:30", "02:30"))

    assert slot_of(shop, "2026-10-25.night") == Slot(
        "2026-10-25.night", "night", "2026-10-25", utc("2026-10-25 00:30"), utc("2026-10-25 02:30"))


def test_an_ambiguous_time_in_a_fall_back_overlap_takes_its_first_occurrence_in_new_york() -> None:
    # 1 November 2026, 02:00 EDT → 01:00 EST: 01:30 EDT is 05:30 UTC (the second would be 06:30).
    shop = SlotSettings("America/New_York", night("01:30", "03:00"))

    slot = slot_of(shop, "2026-11-01.night")

    assert (slot.start_ms, slot.end_ms) == (utc("2026-11-01 05:30"), utc("2026-11-01 08:00"))


def test_a_zone_without_dst_keeps_a_fixed_offset() -> None:
    kolkata = SlotSettings("Asia/Kolkata")

    slots = offered_slots(kolkata, at("2026-03-29 09:00", "Asia/Kolkata"))

    assert [s.start_ms for s in slots if s.meal == "lunch"] == [
        utc("2026-03-29 05:30"), utc("2026-03-30 05:30"), utc("2026-03-31 05:30")]


def test_the_days_follow_the_shops_local_date_ahead_of_utc() -> None:
    # 20:00 UTC on 23 March is 09:00 on 24 March in Auckland (NZDT, +13).
    slots = offered_slots(SlotSettings("Pacific/Auckland"), utc("2026-03-23 20:00"))

    assert ids(slots)[0] == "2026-03-24.lunch"
    assert slots[0].start_ms == utc("2026-03-23 22:00")
    assert ids(slots)[-1] == "2026-03-26.dinner"


def test_the_days_follow_the_shops_local_date_behind_utc() -> None:
    # 04:30 UTC on 25 March is 21:30 on 24 March in Los Angeles (PDT): the 24th's meals have ended.
    slots = offered_slots(SlotSettings("America/Los_Angeles"), utc("2026-03-25 04:30"))

    assert ids(slots) == ["2026-03-25.lunch", "2026-03-25.dinner", "2026-03-26.lunch", "2026-03-26.dinner"]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/London", "America/New_York", "Pacific/Auckland"])
def test_slot_ids_round_trip_through_slot_of(zone: str) -> None:
    shop = SlotSettings(zone, night("01:30", "02:30") + SHANGHAI.meals)

    for slot in offered_slots(shop, at("2026-03-28 00:00", zone)):
        assert slot_of(shop, slot.slot_id) == slot


@pytest.mark.parametrize(("slot_id", "reason"), [
    ("2026-03-24", "malformed"),
    ("2026-03-24.", "malformed"),
    ("24-03-2026.lunch", "malformed"),
    ("20260324.lunch", "malformed"),
    ("2026-02-30.lunch", "not a calendar date"),
    ("2026-03-24.brunch", "unknown meal 'brunch'"),
    ("2026-03-24.lunch.extra", "unknown meal"),
    ("", "malformed"),
])
def test_slot_of_rejects_a_malformed_id_or_an_unknown_meal(slot_id: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        slot_of(SHANGHAI, slot_id)


def test_adjacent_meals_do_not_overlap() -> None:
    shop = SlotSettings("Asia/Shanghai", (Meal("lunch", time(11), time(14)), Meal("tea", time(14), time(17))))

    assert ids(offered_slots(shop, at("2026-03-24 09:00", "Asia/Shanghai")))[:2] == [
        "2026-03-24.lunch", "2026-03-24.tea"]


@pytest.mark.parametrize(("change", "reason"), [
    ({"zone": "Mars/Olympus_Mons"}, "unknown time zone"),
    ({"zone": "America"}, "unknown time zone"),
    ({"zone": "../etc/passwd"}, "unknown time zone"),
    ({"zone": ""}, "IANA time zone name"),
    ({"meals": ()}, "non-empty tuple"),
    ({"meals": night("14:00", "11:00")}, "must start before it ends"),
    ({"meals": night("11:00", "11:00")}, "must start before it ends"),
    ({"meals": (Meal("lunch", time(11), time(14)), Meal("late", time(13), time(15)))}, "overlap"),
    ({"meals": (Meal("lunch", time(11), time(14)), Meal("lunch", time(17), time(21)))}, "defined twice"),
    ({"meals": (Meal("Lunch.1", time(11), time(14)),)}, "meal name"),
    ({"meals": (Meal("lunch", time(11, tzinfo=UTC), time(14)),)}, "naive local times"),
    ({"days": 0}, "days must be an integer 1..14"),
    ({"days": 15}, "days must be an integer 1..14"),
    ({"days": True}, "days must be an integer"),
    ({"lead_s": -1}, "lead_s must be an integer ≥ 0"),
    ({"interval_s": 0}, "interval_s must be an integer ≥ 1"),
    ({"capacity": 0}, "capacity must be an integer ≥ 1"),
])
def test_invalid_settings_are_refused_with_a_clear_reason(change: dict[str, Any], reason: str) -> None:
    fields: dict[str, Any] = {"zone": "Asia/Shanghai"} | change
    with pytest.raises(ValueError, match=reason):
        SlotSettings(**fields)


def test_the_defaults_are_the_specs() -> None:
    shop = SlotSettings("Asia/Shanghai")

    assert (shop.days, shop.lead_s, shop.interval_s, shop.capacity) == (3, 1800, 3600, None)
    assert shop.meals == (Meal("lunch", time(11), time(14)), Meal("dinner", time(17), time(21)))


# Zones with DST at night, at midnight (Santiago, Havana), by 30 min (Lord Howe), a skipped day (Apia
# 2011), far from UTC (Kiritimati), and none (Kolkata).
ZONES = ["Europe/London", "America/New_York", "Pacific/Auckland", "America/Santiago", "America/Havana",
         "Australia/Lord_Howe", "Pacific/Apia", "Pacific/Kiritimati", "Asia/Kolkata", "Asia/Tehran", "UTC"]
TRANSITION_NIGHTS = [utc(moment) for moment in ("2026-03-29 00:00", "2026-10-24 23:00", "2026-03-08 05:00",
                                                "2026-11-01 04:00", "2011-12-29 10:00", "2026-09-05 20:00",
                                                "2026-04-04 12:00", "2026-10-03 14:00")]
minutes = st.integers(min_value=0, max_value=24 * 60 - 1)


@st.composite
def meal_sets(draw: st.DrawFn) -> tuple[Meal, ...]:
    bounds = sorted(draw(st.sets(minutes, min_size=2, max_size=6)))
    pairs = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds) - 1, 2)]
    return tuple(Meal(f"m{i}", time(start // 60, start % 60), time(end // 60, end % 60))
                 for i, (start, end) in enumerate(pairs))


nows = st.one_of(
    st.integers(min_value=utc("2000-01-01 00:00"), max_value=utc("2040-01-01 00:00")),
    st.builds(lambda base, delta: base + delta, st.sampled_from(TRANSITION_NIGHTS),
              st.integers(min_value=-3 * 86_400_000, max_value=86_400_000)),
)


@settings(max_examples=300, deadline=None)
@given(zone=st.sampled_from(ZONES), meals=meal_sets(), days=st.integers(min_value=1, max_value=14), now=nows,
       full_share=st.integers(min_value=0, max_value=3))
def test_offered_slots_are_sorted_unique_open_and_at_the_meals_local_times(
        zone: str, meals: tuple[Meal, ...], days: int, now: int, full_share: int) -> None:
    shop = SlotSettings(zone, meals, days=days)
    every = offered_slots(shop, now)
    full = set(ids(every)[::full_share + 1]) if full_share else set()
    slots = offered_slots(shop, now, full)
    tz = ZoneInfo(zone)
    today = datetime.fromtimestamp(now // 1000, tz).date()

    assert [s.start_ms for s in slots] == sorted(s.start_ms for s in slots)
    assert len(set(ids(slots))) == len(slots) <= days * len(meals)
    assert not full & set(ids(slots))
    for earlier, later in pairwise(slots):
        assert earlier.end_ms <= later.start_ms
    for slot in slots:
        assert now < slot.end_ms
        assert slot.start_ms < slot.end_ms
        assert slot_of(shop, slot.slot_id) == slot
        local_date = datetime.fromisoformat(slot.local_date).date()
        assert today <= local_date < today + timedelta(days=days)
        meal = shop.meal(slot.meal)
        wall = datetime.combine(local_date, meal.start)
        local_start = datetime.fromtimestamp(slot.start_ms / 1000, tz).replace(tzinfo=None)
        if local_start != wall:  # the gap rule: the meal's start did not exist, the slot starts as it ends
            assert wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall
            assert local_start > wall
            before = datetime.fromtimestamp(slot.start_ms / 1000 - 1, tz).replace(tzinfo=None)
            assert before < wall  # one second earlier is still before the gap
