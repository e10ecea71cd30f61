"""Percentiles and one-line summaries of measured samples."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0–100) by linear interpolation between closest ranks; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    rank = (len(ordered) - 1) * p / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


@dataclass(frozen=True)
class Summary:
    count: int
    p50: float
    p90: float
    p99: float
    max: float
    mean: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        if not values:
            return cls(0, math.nan, math.nan, math.nan, math.nan, math.nan)
        return cls(len(values), percentile(values, 50), percentile(values, 90), percentile(values, 99),
                   float(max(values)), float(sum(values) / len(values)))

    def line(self, unit: str = "ms", digits: int = 0) -> str:
        def fmt(value: float) -> str:
            return "—" if math.isnan(value) else f"{value:.{digits}f}"

        return (f"n={self.count} p50={fmt(self.p50)}{unit} p90={fmt(self.p90)}{unit} p99={fmt(self.p99)}{unit} "
                f"max={fmt(self.max)}{unit} mean={fmt(self.mean)}{unit}")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def due_density(due_ms: Iterable[float]) -> tuple[float, int]:
    """Of a set of moments (epoch ms): (their spread in seconds, the most in any one second)."""
    ordered = sorted(due_ms)
    if not ordered:
        return 0.0, 0
    per_second = Counter(int((d - ordered[0]) // 1000) for d in ordered)
    return (ordered[-1] - ordered[0]) / 1000, max(per_second.values())
