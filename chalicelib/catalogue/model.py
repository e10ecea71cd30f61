"""Merchants and products as workflow 01 needs them. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.core.timefmt import to_datetime

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS_OPEN: dict[str, list[list[str]]] = {day: [["00:00", "24:00"]] for day in WEEKDAYS}


@dataclass(frozen=True)
class Merchant:
    id: str
    name: str
    time_zone: str
    business_hours: dict[str, list[list[str]]] = field(default_factory=lambda: dict(ALWAYS_OPEN))
    paused: bool = False
    verified: bool = True
    answer_window_s: int | None = None
    currency: str = "CNY"
    created_at: int = 0
    version: int = 0

    def is_open_at(self, now_ms: int) -> bool:
        return is_open(self.business_hours, self.time_zone, now_ms)


@dataclass(frozen=True)
class Product:
    merchant_id: str
    id: str
    name: str
    price: int
    """Minor units of `currency`, the merchant's."""
    stock: int
    currency: str = "CNY"
    on_sale: bool = True
    max_per_order: int = 20
    created_at: int = 0


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def is_open(hours: dict[str, list[list[str]]], time_zone: str, now_ms: int) -> bool:
    """Opening intervals are local times per weekday; an interval whose close is before its open
    runs past midnight into the next day (`["18:00", "02:00"]`)."""
    local: datetime = to_datetime(now_ms).astimezone(ZoneInfo(time_zone))
    minute = local.hour * 60 + local.minute
    today = WEEKDAYS[local.weekday()]
    yesterday = WEEKDAYS[(local - timedelta(days=1)).weekday()]
    for opens, closes in hours.get(today, []):
        start, end = _minutes(opens), _minutes(closes)
        if start <= minute < end or (end <= start and minute >= start):
            return True
    for opens, closes in hours.get(yesterday, []):
        start, end = _minutes(opens), _minutes(closes)
        if end <= start and minute < end:
            return True
    return False
