"""How long a customer who arrives now will wait at a shop: pure, from what the shop reported.

The formula (spec 04 leaves it to us):

    estimated wait = people waiting × minutes per person served

where *minutes per person* is the shop's recent service rate — the span of its last redemptions
within `window` divided by the number served in that span — once at least `min_samples` people
were served in the window, and the shop's configured default otherwise (a quiet shop, or one just
opened, has no rate worth trusting). The estimate is rounded up to whole minutes and capped, so a
burst of reports cannot promise a queue of several hours; 0 people waiting is 0 minutes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

MINUTE_MS = 60_000


@dataclass(frozen=True)
class EstimateSettings:
    default_minutes_per_person: float = 5.0
    window_min: int = 30
    min_samples: int = 3
    max_wait_min: int = 180

    def __post_init__(self) -> None:
        if not 0 < self.default_minutes_per_person <= 120:
            raise ValueError("default_minutes_per_person must be in (0, 120]")
        if not 1 <= self.window_min <= 24 * 60:
            raise ValueError("window_min must be 1 … 1440")
        if self.min_samples < 2:
            raise ValueError("min_samples must be at least 2 (a rate needs a span)")
        if not 1 <= self.max_wait_min <= 24 * 60:
            raise ValueError("max_wait_min must be 1 … 1440")


@dataclass(frozen=True)
class QueueEstimate:
    people_waiting: int
    estimated_wait_min: int
    minutes_per_person: float
    basis: str
    """`recent_rate` or `default`: which the estimate came from (the terminal can say so)."""


def minutes_per_person(served_at: Iterable[int], now: int, settings: EstimateSettings) -> tuple[float, str]:
    """The shop's recent minutes per person served, and its basis (`recent_rate` or `default`)."""
    since = now - settings.window_min * MINUTE_MS
    recent = sorted(t for t in served_at if since <= t <= now)
    if len(recent) < settings.min_samples or recent[-1] == recent[0]:
        return settings.default_minutes_per_person, "default"
    # n served moments span n − 1 services
    return (recent[-1] - recent[0]) / MINUTE_MS / (len(recent) - 1), "recent_rate"


def estimate(people_waiting: int, served_at: Iterable[int], now: int, settings: EstimateSettings) -> QueueEstimate:
    if people_waiting < 0:
        raise ValueError("people_waiting cannot be negative")
    per_person, basis = minutes_per_person(served_at, now, settings)
    wait = min(settings.max_wait_min, math.ceil(people_waiting * per_person))
    return QueueEstimate(people_waiting, wait, round(per_person, 2), basis)
