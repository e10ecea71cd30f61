"""Reading JSON documents in assertions."""

from __future__ import annotations

from typing import Any


def member_names(tree: Any) -> set[str]:
    """Every member name anywhere in a JSON document."""
    if isinstance(tree, dict):
        return set(tree) | {k for value in tree.values() for k in member_names(value)}
    if isinstance(tree, list):
        return {k for value in tree for k in member_names(value)}
    return set()
