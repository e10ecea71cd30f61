"""Figures a test measured (how many cases a generated suite ran), printed at the end of the run so
that CI's log shows them: `figures.note("…")`, then `pytest_terminal_summary` in `conftest.py`."""

from __future__ import annotations

NOTED: list[str] = []


def note(line: str) -> None:
    NOTED.append(line)
