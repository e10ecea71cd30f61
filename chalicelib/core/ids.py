"""Identifiers: a readable prefix plus 128 random bits, sortable by nothing on purpose."""

from __future__ import annotations

import secrets


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"
