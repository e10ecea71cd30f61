"""What a signalling message may carry: an SDP offer or answer, or one ICE candidate. Pure.

The server never reads SDP; it bounds what it relays so that a terminal cannot use the relay to
push arbitrary or oversized data into the other party's terminal.
"""

from __future__ import annotations

from typing import Any

from chalicelib.calls.errors import MalformedSignal

MAX_SDP_BYTES = 24 * 1024
MAX_CANDIDATE_BYTES = 1024
_DESCRIPTIONS = frozenset({"offer", "answer"})
_CANDIDATE_KEYS = frozenset({"type", "candidate", "sdpMid", "sdpMLineIndex", "usernameFragment"})


def signal_payload(payload: object) -> dict[str, Any]:
    """The payload to relay, as sent; `MalformedSignal` says what is wrong with it."""
    if not isinstance(payload, dict):
        raise MalformedSignal('a signal\'s payload is an object: {"type": "offer"|"answer", "sdp": …} or '
                              '{"type": "candidate", "candidate": …, "sdpMid": …, "sdpMLineIndex": …}')
    kind = payload.get("type")
    if kind in _DESCRIPTIONS:
        _only(payload, {"type", "sdp"})
        sdp = payload.get("sdp")
        if not isinstance(sdp, str) or not sdp or _size(sdp) > MAX_SDP_BYTES:
            raise MalformedSignal(f"an {kind}'s sdp is a non-empty text of at most {MAX_SDP_BYTES} bytes")
        return {"type": kind, "sdp": sdp}
    if kind == "candidate":
        _only(payload, _CANDIDATE_KEYS)
        candidate = payload.get("candidate")
        if not isinstance(candidate, str) or _size(candidate) > MAX_CANDIDATE_BYTES:
            raise MalformedSignal(f"a candidate is a text of at most {MAX_CANDIDATE_BYTES} bytes ('' ends them)")
        mid, index, fragment = payload.get("sdpMid"), payload.get("sdpMLineIndex"), payload.get("usernameFragment")
        if mid is not None and (not isinstance(mid, str) or len(mid) > 64):
            raise MalformedSignal("sdpMid is a short text or null")
        if index is not None and (isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 64):
            raise MalformedSignal("sdpMLineIndex is an integer 0 … 63 or null")
        if fragment is not None and (not isinstance(fragment, str) or len(fragment) > 256):
            raise MalformedSignal("usernameFragment is a short text or null")
        return {"type": "candidate", "candidate": candidate, "sdpMid": mid, "sdpMLineIndex": index,
                **({"usernameFragment": fragment} if fragment is not None else {})}
    raise MalformedSignal("a signal's type is offer, answer or candidate")


def _only(payload: dict[str, Any], allowed: set[str] | frozenset[str]) -> None:
    extra = sorted(str(key) for key in payload if key not in allowed)
    if extra:
        raise MalformedSignal(f"a {payload.get('type')} signal has no {', '.join(extra)}")


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))
