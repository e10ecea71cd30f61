"""The app's JSON log lines, captured while a test runs."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from typing import Any


class LogLines(logging.Handler):
    """Every JSON line the app logs while it is attached."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(json.loads(record.getMessage()))

    def events(self, name: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r["event"] == name]


@contextlib.contextmanager
def captured() -> Iterator[LogLines]:
    """The `ontime` logger's lines at INFO and above, for the `with` block."""
    logger = logging.getLogger("ontime")
    handler, level = LogLines(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
