"""The one shape of every server → terminal message (api-conventions.md)."""

from __future__ import annotations

from typing import Any

from chalicelib.core import jsontext
from chalicelib.core.ids import new_id
from chalicelib.core.timefmt import iso


def envelope(message_type: str, data: dict[str, Any], now_ms: int) -> dict[str, Any]:
    return {"type": message_type, "id": new_id("msg"), "server_time": iso(now_ms), "data": data}


def encode(message: dict[str, Any]) -> bytes:
    """UTF-8 whatever the message echoes (a string that is not Unicode text goes out escaped)."""
    return jsontext.encode(message)
