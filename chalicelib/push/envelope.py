"""The one shape of every server → terminal message (api-conventions.md).

`correlation_id` names what caused the message: the REST request (its `X-Request-Id`), the
terminal's message, or the alarm (`alarm:<kind>:<entity id>:<wake_at>`) being handled when it was
sent (`core/correlation.py`); null only outside all of them (a script calling a service directly).
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import jsontext
from chalicelib.core.correlation import correlation_id
from chalicelib.core.ids import new_id
from chalicelib.core.timefmt import iso


def envelope(message_type: str, data: dict[str, Any], now_ms: int) -> dict[str, Any]:
    return {"type": message_type, "id": new_id("msg"), "server_time": iso(now_ms), "correlation_id": correlation_id(),
            "data": data}


def encode(message: dict[str, Any]) -> bytes:
    """UTF-8 whatever the message echoes (a string that is not Unicode text goes out escaped)."""
    return jsontext.encode(message)
