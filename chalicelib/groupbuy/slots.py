"""The time slots a group-buy voucher can be booked into: the shop's daily meal windows over the next
N local days, computed in the shop's time zone and stored as UTC epoch milliseconds.

Pure: no clock (`now_ms` is an argument), no AWS, only the stdlib's `zoneinfo`.

Rules, chosen where the spec is silent:

- **Days.** The N days are *local calendar days* starting with the shop's local date at `now_ms`
  (spec 04: a purchase on the morning of 24 March offers 24, 25 and 26 March). Late in the evening
  today's meals have ended, so fewer than N days may have a slot.
- **Passed.** A slot is offered while it has not ended (`now_ms < end_ms`): a customer can still come
  during an ongoing slot. A slot whose id is in `full` is not offered (the caller counts bookings
  against `SlotSettings.capacity`; this module holds no state).
- **DST.** Each day's start and end are rebuilt from the local date and the meal's wall-clock time in
  the shop's zone, never as "the previous day's slot + 24 h". Wall → UTC is one monotone mapping:
  - a wall time that occurs twice (fall-back overlap) takes its **first** occurrence (PEP 495 `fold=0`);
  - a wall time that does not exist (spring-forward gap) moves to the **first valid instant after
    it**, i.e. the transition itself: 02:30 in America/New_York's 02:00→03:00 gap becomes 03:00 EDT.
    (Not "forward by the length of the gap", which would map a start inside the gap past an end just
    after it and could invert a slot.)
  - A meal lying wholly inside a gap has no instant on that day: its slot does not exist that day
    (not offered, and `slot_of` rejects its id).
  Meals at real lunch/dinner hours never meet a gap; the rule matters for shops with night meals.
- **Ids.** `<local ISO date>.<meal name>`, e.g. `2026-03-24.dinner`: stable (independent of the
  zone's offsets and of when it was computed) and readable; `slot_of` parses one back.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MS = timedelta(milliseconds=1)
MAX_DAYS = 14
MEAL_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
SLOT_ID = re.compile(r"(\d{4}-\d{2}-\d{2})\.(.+)")


@dataclass(frozen=True)
class Meal:
    """A named daily window in local wall-clock time, [start, end), within one day."""

    name: str
    start: time
    end: time


DEFAULT_MEALS = (Meal("lunch", time(11), time(14)), Meal("dinner", time(17), time(21)))


@dataclass(frozen=True)
class SlotSettings:
    """A shop's slot configuration (spec 04 defaults); invalid settings raise ValueError on creation."""

    zone: str
    meals: tuple[Meal, ...] = DEFAULT_MEALS
    days: int = 3
    lead_s: int = 1800
    interval_s: int = 3600
    capacity: int | None = None
    _tz: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_tz", _zone(self.zone))
        _check_meals(self.meals)
        _check_int("days", self.days, 1, MAX_DAYS)
        _check_int("lead_s", self.lead_s, 0)
        _check_int("interval_s", self.interval_s, 1)
        if self.capacity is not None:
            _check_int("capacity", self.capacity, 1)

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    def meal(self, name: str) -> Meal:
        for meal in self.meals:
            if meal.name == name:
                return meal
        raise ValueError(f"unknown meal {name!r}: this shop's meals are {[m.name for m in self.meals]}")


def wall_text(wall: time) -> str:
    """A meal's wall-clock time as the API writes it: `HH:MM`, or `HH:MM:SS` when it has seconds."""
    return wall.strftime("%H:%M:%S" if wall.second else "%H:%M")


@dataclass(frozen=True)
class Slot:
    slot_id: str
    meal: str
    local_date: str
    start_ms: int
    end_ms: int


def offered_slots(settings: SlotSettings, now_ms: int, full: Collection[str] = ()) -> list[Slot]:
    """The slots a customer may book at `now_ms`: not ended, not full, sorted by start."""
    today = datetime.fromtimestamp(now_ms // 1000, settings.tz).date()
    offered = []
    for day in range(settings.days):
        local_date = today + timedelta(days=day)
        for meal in settings.meals:
            slot = _slot(settings.tz, local_date, meal)
            if slot is not None and now_ms < slot.end_ms and slot.slot_id not in full:
                offered.append(slot)
    return sorted(offered, key=lambda slot: (slot.start_ms, slot.slot_id))


def slot_of(settings: SlotSettings, slot_id: str) -> Slot:
    """The slot an id names under these settings (whether it is still offered is the caller's check)."""
    match = SLOT_ID.fullmatch(slot_id) if isinstance(slot_id, str) else None
    if match is None:
        raise ValueError(f"malformed slot id {slot_id!r}: expected <YYYY-MM-DD>.<meal>")
    try:
        local_date = date.fromisoformat(match[1])
    except ValueError:
        raise ValueError(f"malformed slot id {slot_id!r}: {match[1]!r} is not a calendar date") from None
    slot = _slot(settings.tz, local_date, settings.meal(match[2]))
    if slot is None:
        raise ValueError(f"slot {slot_id!r} does not exist: the meal falls wholly in a DST gap that day")
    return slot


def _slot(tz: ZoneInfo, local_date: date, meal: Meal) -> Slot | None:
    start_ms, end_ms = _utc_ms(tz, local_date, meal.start), _utc_ms(tz, local_date, meal.end)
    if end_ms <= start_ms:  # only when the whole meal is in a spring-forward gap
        return None
    day = local_date.isoformat()
    return Slot(f"{day}.{meal.name}", meal.name, day, start_ms, end_ms)


def _utc_ms(tz: ZoneInfo, local_date: date, wall: time) -> int:
    """Epoch ms of a local wall time: first occurrence if it is ambiguous, the transition if it is in a gap."""
    naive = datetime.combine(local_date, wall).replace(fold=0)
    instant = naive.replace(tzinfo=tz)
    if instant.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive:
        return (instant - EPOCH) // ONE_MS
    return _first_instant_at_or_after(tz, naive, instant) * 1000


def _first_instant_at_or_after(tz: ZoneInfo, naive: datetime, in_gap: datetime) -> int:
    """Epoch seconds of the transition that skips `naive`.

    In a gap, fold=0 reads the wall time with the offset before the transition and fold=1 with the
    one after, so the transition lies between the two readings; tz transitions fall on whole seconds.
    """
    early = int((in_gap.replace(fold=1) - EPOCH).total_seconds())  # before the transition
    late = int((in_gap - EPOCH).total_seconds())  # at or after it
    while late - early > 1:
        middle = (early + late) // 2
        if datetime.fromtimestamp(middle, tz).replace(tzinfo=None) >= naive:
            late = middle
        else:
            early = middle
    return late


def _zone(name: object) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise ValueError(f"zone must be an IANA time zone name, got {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of zones, e.g. "America"
        raise ValueError(f"unknown time zone {name!r}: expected an IANA name such as 'Asia/Shanghai'") from None


def _check_meals(meals: object) -> None:
    if not isinstance(meals, tuple) or not meals or not all(isinstance(meal, Meal) for meal in meals):
        raise ValueError("meals must be a non-empty tuple of Meal")
    names = [meal.name for meal in meals]
    for meal in meals:
        if not isinstance(meal.name, str) or not MEAL_NAME.fullmatch(meal.name):
            raise ValueError(f"meal name {meal.name!r} must be lowercase letters, digits, '_' or '-' (≤ 32)")
        if names.count(meal.name) > 1:
            raise ValueError(f"meal {meal.name!r} is defined twice")
        for bound in (meal.start, meal.end):
            if not isinstance(bound, time) or bound.tzinfo is not None:
                raise ValueError(f"meal {meal.name!r}: start and end must be naive local times, got {bound!r}")
        if not meal.start < meal.end:
            raise ValueError(f"meal {meal.name!r} must start before it ends within one day "
                             f"({meal.start.isoformat()}–{meal.end.isoformat()})")
    by_start = sorted(meals, key=lambda meal: meal.start)
    for earlier, later in pairwise(by_start):
        if later.start < earlier.end:
            raise ValueError(f"meals {earlier.name!r} and {later.name!r} overlap")


def _check_int(name: str, value: object, low: int, high: int | None = None) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < low or (high is not None and value > high):
        limits = f"{low}..{high}" if high is not None else f"≥ {low}"
        raise ValueError(f"{name} must be an integer {limits}, got {value!r}")
