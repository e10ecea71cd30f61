"""The one shape of every server → terminal message (api-conventions.md), and its size limit.

`correlation_id` names what caused the message: the REST request (its `X-Request-Id`), the
terminal's message, or the alarm (`alarm:<kind>:<entity id>:<wake_at>`) being handled when it was
sent (`core/correlation.py`); null only outside all of them (a script calling a service directly).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.core import jsontext
from chalicelib.core.correlation import correlation_id
from chalicelib.core.ids import new_id
from chalicelib.core.timefmt import iso

MAX_MESSAGE_BYTES = 128 * 1024
"""API Gateway refuses a larger `PostToConnection` (`413 PayloadTooLargeException`; botocore's
model caps `Data` at 131072 bytes), and so does the local gateway: nothing larger is ever sent."""


def envelope(message_type: str, data: dict[str, Any], now_ms: int) -> dict[str, Any]:
    return {"type": message_type, "id": new_id("msg"), "server_time": iso(now_ms), "correlation_id": correlation_id(),
            "data": data}


def encode(message: Any) -> bytes:
    """UTF-8 whatever the message echoes (a string that is not Unicode text goes out escaped)."""
    return jsontext.encode(message)


@dataclass(frozen=True)
class Listing:
    messages: list[dict[str, Any]]
    """Envelopes whose `data` is `{"items": […], "part": k, "parts": n, …extra}`, in order."""
    left_out: int = 0
    """Items too large for any message on their own (the terminal reads them over REST)."""


def listing(message_type: str, items: Sequence[Mapping[str, Any]], now_ms: int,
            extra: Mapping[str, Any] | None = None, limit: int = MAX_MESSAGE_BYTES) -> Listing:
    """`items` in as few messages as fit `limit` each, in order: part 1 of n … n of n (one part,
    with no items, for none). `extra` goes into every part's `data`."""
    fields = dict(extra or {})
    widest = max(1, len(items))  # part numbers never have more digits than this
    overhead = len(encode(envelope(message_type, {"items": [], "part": widest, "parts": widest, **fields}, now_ms)))
    budget = limit - overhead
    groups: list[list[Mapping[str, Any]]] = [[]]
    used = left_out = 0
    for item in items:
        size = len(encode(item))
        if size > budget:
            left_out += 1
            continue
        cost = size + (1 if groups[-1] else 0)  # the comma before it
        if used + cost > budget:
            groups.append([])
            used, cost = 0, size
        groups[-1].append(item)
        used += cost
    parts = len(groups)
    return Listing([envelope(message_type, {"items": list(group), "part": n, "parts": parts, **fields}, now_ms)
                    for n, group in enumerate(groups, start=1)], left_out)
