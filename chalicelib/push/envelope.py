"""The one shape of every server → terminal message (api-conventions.md)."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.core.ids import new_id
from chalicelib.core.timefmt import iso


def envelope(message_type: str, data: dict[str, Any], now_ms: int) -> dict[str, Any]:
    return {"type": message_type, "id": new_id("msg"), "server_time": iso(now_ms), "data": data}


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
