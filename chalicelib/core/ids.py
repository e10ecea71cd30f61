"""Identifiers: a readable prefix plus 128 random bits, sortable by nothing on purpose."""

from __future__ import annotations

import re
import secrets

ID_PATTERN = r"^[A-Za-z0-9_\-]{1,64}$"
"""Every id a client may choose or that we issue (`ord_<hex>`); paths are checked against it too."""
_ID = re.compile(ID_PATTERN)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def is_id(value: str) -> bool:
    """Whether a path or query value could be an id (if not, it names nothing: no lookup needed)."""
    return _ID.fullmatch(value) is not None
