"""Structured JSON logs and CloudWatch Embedded Metric Format (EMF) metrics, written to stdout.

In Lambda, stdout goes to CloudWatch Logs, which extracts EMF lines into metrics at no API cost;
locally the same lines are readable JSON. A `MetricsSink` port lets tests see what was emitted.
Every line carries the ids of the request, message or alarm being handled (`correlation.py`).
"""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback
from typing import Any, Protocol

from chalicelib.core import correlation

NAMESPACE = "ontime"

_logger = logging.getLogger("ontime")


def _ids() -> dict[str, str]:
    ids = correlation.current()
    return ids.fields() if ids else {}


def log(event: str, level: int = logging.INFO, *, exc_info: bool = False, **fields: Any) -> None:
    """One JSON object per line: `event` names what happened, fields carry ids and outcomes."""
    if not _logger.isEnabledFor(level):
        return
    record = {"level": logging.getLevelName(level), "event": event, **_ids(), **fields}
    if exc_info:
        record["exception"] = traceback.format_exc()
    _logger.log(level, json.dumps(record, default=str, separators=(",", ":")))


def configure_logging(level: int = logging.INFO) -> None:
    if not _logger.handlers:
        _logger.addHandler(logging.StreamHandler(sys.stdout))
    # `Chalice(app_name="ontime")` has already given this same logger a "name - level - message"
    # handler; every line must be the bare JSON object, so set the format on whatever is there.
    for handler in _logger.handlers:
        handler.setFormatter(logging.Formatter("%(message)s"))
    _logger.setLevel(level)
    _logger.propagate = False


class MetricsSink(Protocol):
    def metric(self, name: str, value: float, unit: str, dimensions: dict[str, str], **properties: Any) -> None: ...


class EmfMetrics:
    """Prints one EMF document per metric (cheap and synchronous; CloudWatch does the rest)."""

    def __init__(self, stream: Any = None) -> None:
        self._stream = stream

    def metric(self, name: str, value: float, unit: str, dimensions: dict[str, str], **properties: Any) -> None:
        document = {
            "_aws": {
                "Timestamp": int(time.time() * 1000),
                "CloudWatchMetrics": [
                    {"Namespace": NAMESPACE, "Dimensions": [sorted(dimensions)],
                     "Metrics": [{"Name": name, "Unit": unit}]}
                ],
            },
            name: value,
            **dimensions,
            **_ids(),
            **properties,
        }
        # One write per line: threads of the local stack must not interleave halves of two lines.
        (self._stream or sys.stdout).write(json.dumps(document, default=str, separators=(",", ":")) + "\n")


class RecordingMetrics:
    """Test double: keeps every metric emitted."""

    def __init__(self) -> None:
        self.emitted: list[tuple[str, float, dict[str, str]]] = []

    def metric(self, name: str, value: float, unit: str, dimensions: dict[str, str], **properties: Any) -> None:
        self.emitted.append((name, value, dict(dimensions)))

    def values(self, name: str) -> list[float]:
        return [value for metric, value, _ in self.emitted if metric == name]
