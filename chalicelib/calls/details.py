"""Merging the customer's typing into the call's details, field by field.

Each field is a last-writer-wins register ordered by (version, text): the customer's terminal
numbers each field's edits, so a late or reordered update never overwrites newer text, a repeated
one changes nothing, and any interleaving of the same updates ends in the same details. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping

from chalicelib.calls.call import DetailValue


def merge(current: Mapping[str, DetailValue], update: Mapping[str, DetailValue]
          ) -> tuple[dict[str, DetailValue], dict[str, DetailValue]]:
    """(the details after `update`, the fields it changed)."""
    merged = dict(current)
    changed: dict[str, DetailValue] = {}
    for name, incoming in update.items():
        held = merged.get(name)
        if held is None or incoming > held:
            merged[name] = changed[name] = incoming
    return merged, changed
