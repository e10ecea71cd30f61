"""Every message the functional tier pushes to a terminal is checked against the message types the
packages declare (`Contribution.messages`, the source of `docs/asyncapi.json`); one that is not
declared, or whose data is not its declared model, fails the run (see `tests/conftest.py`)."""

from __future__ import annotations

import json
from collections import Counter

from chalicelib.bootstrap import contributions
from chalicelib.push.messages import by_type, violation

DECLARED = by_type(m for c in contributions() for m in c.messages)
checked: Counter[str] = Counter()
"""How many messages of each type passed the check in this run."""
_violations: list[str] = []


def inspect(payload: bytes) -> None:
    problem = violation(payload, DECLARED)
    if problem is None:
        checked[json.loads(payload)["type"]] += 1
    else:
        _violations.append(problem)


def violations() -> list[str]:
    return list(dict.fromkeys(_violations))
