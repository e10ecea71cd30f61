"""`is_open`: weekly local opening intervals, past midnight, in the merchant's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chalicelib.catalogue.model import ALWAYS_OPEN, is_open
from tests.builders import a_merchant


def at(local: str, zone: str) -> int:
    """Epoch ms of a local wall-clock time, e.g. at("2026-11-16 09:30", "Asia/Shanghai")."""
    return int(datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone)).timestamp() * 1000)


LUNCH_AND_LATE = {"mon": [["11:00", "14:00"], ["18:00", "02:00"]]}  # 2026-11-16 is a Monday


@pytest.mark.parametrize(("local", "expected"), [
    ("2026-11-16 10:59", False),
    ("2026-11-16 11:00", True),  # opening minute included
    ("2026-11-16 13:59", True),
    ("2026-11-16 14:00", False),  # closing minute excluded
    ("2026-11-16 17:59", False),
    ("2026-11-16 18:00", True),
    ("2026-11-16 23:59", True),
    ("2026-11-17 00:00", True),  # Tuesday, still Monday's evening interval
    ("2026-11-17 01:59", True),
    ("2026-11-17 02:00", False),
    ("2026-11-17 12:00", False),  # Tuesday has no hours of its own
    ("2026-11-15 23:00", False),  # Sunday
])
def test_opening_intervals_are_local_and_may_run_past_midnight(local: str, expected: bool) -> None:
    assert is_open(LUNCH_AND_LATE, "Asia/Shanghai", at(local, "Asia/Shanghai")) is expected


def test_an_interval_past_midnight_on_sunday_runs_into_monday() -> None:
    hours = {"sun": [["22:00", "03:00"]]}
    assert is_open(hours, "Europe/Berlin", at("2026-11-16 02:30", "Europe/Berlin"))
    assert not is_open(hours, "Europe/Berlin", at("2026-11-16 03:00", "Europe/Berlin"))


def test_the_same_instant_is_open_in_one_zone_and_closed_in_another() -> None:
    hours = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    instant = at("2026-11-18 10:00", "Asia/Shanghai")  # 02:00 UTC, 21:00 Tuesday in New York
    assert is_open(hours, "Asia/Shanghai", instant)
    assert not is_open(hours, "America/New_York", instant)
    assert not is_open(hours, "UTC", instant)


def test_a_daylight_saving_zone_opens_at_local_wall_clock_time() -> None:
    hours = {day: [["09:00", "10:00"]] for day in ("sun", "mon")}
    # Europe/Berlin: UTC+2 in summer, UTC+1 in winter; 09:30 local both times.
    assert is_open(hours, "Europe/Berlin", at("2026-07-06 09:30", "Europe/Berlin"))
    assert is_open(hours, "Europe/Berlin", at("2026-11-16 09:30", "Europe/Berlin"))
    assert not is_open(hours, "Europe/Berlin", at("2026-07-06 09:30", "UTC"))


def test_a_day_open_until_24_00_closes_at_midnight() -> None:
    hours = {"mon": [["20:00", "24:00"]]}
    assert is_open(hours, "UTC", at("2026-11-16 23:59", "UTC"))
    assert not is_open(hours, "UTC", at("2026-11-17 00:00", "UTC"))


def test_no_hours_means_closed_and_the_default_means_always_open() -> None:
    moment = at("2026-11-18 04:00", "UTC")
    assert not is_open({}, "UTC", moment)
    assert is_open(ALWAYS_OPEN, "UTC", moment)
    assert a_merchant().is_open_at(moment)
    assert not a_merchant(business_hours={}).is_open_at(moment)
