"""Where a parcel is: distance to the shipping address and an estimated arrival. Pure: no I/O.

The speed table (documented in `docs/decisions.md`) is an average door-to-door speed per shipping
method, handling and stops included — an estimate the panel shows, not a promise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from chalicelib.core.geo import distance_km


class Method(StrEnum):
    SAME_DAY = "same_day"
    COURIER = "courier"
    FREIGHT = "freight"


SPEED_KMH: dict[Method, float] = {
    Method.SAME_DAY: 25.0,  # a rider or van in town
    Method.COURIER: 40.0,  # parcel network, hubs and sorting included
    Method.FREIGHT: 20.0,  # bulky goods, consolidated loads
}


@dataclass(frozen=True)
class Estimate:
    distance_km: float
    eta_ms: int


def estimate(method: Method, parcel: tuple[float, float], destination: tuple[float, float], now_ms: int) -> Estimate:
    """Distance rounded to 0.1 km; the ETA to the next whole minute (never before `now`)."""
    km = distance_km(*parcel, *destination)
    travel_s = km / SPEED_KMH[method] * 3600
    eta_s = math.ceil((now_ms / 1000 + travel_s) / 60) * 60
    return Estimate(round(km, 1), max(now_ms, int(eta_s * 1000)))
