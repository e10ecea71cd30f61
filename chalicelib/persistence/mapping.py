"""Pieces of the item ↔ domain mapping that several stores share."""

from __future__ import annotations

from typing import Any


def int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def plain(value: Any) -> Any:
    """A raw map or list as read back (PynamoDB may hand nested maps over as MapAttribute)."""
    if hasattr(value, "as_dict"):
        return plain(value.as_dict())
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
