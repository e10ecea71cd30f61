"""HMAC-SHA256 signatures of payment callbacks (the sandbox provider signs, the platform checks).

The header has the shape providers use (`Payment-Signature: t=<unix s>,v1=<hex>`): the signature
covers `"<t>.<raw body>"`, so neither the body nor the moment can be changed without the secret,
and a callback older than the tolerance is refused (a replayed capture of an old one). Checking
is constant-time. Pure: the caller passes the clock's time.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Payment-Signature"
TOLERANCE_S = 300


class BadSignature(ValueError):
    """The callback is not from the provider, or too old, or malformed."""


def sign(secret: bytes, body: bytes, at_s: int) -> str:
    return f"t={at_s},v1={_digest(secret, body, at_s)}"


def verify(secret: bytes, body: bytes, header: str | None, now_s: int, tolerance_s: int = TOLERANCE_S) -> int:
    """The signed moment (unix seconds) if the header signs this body with this secret recently."""
    if not header:
        raise BadSignature("no signature")
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            raise BadSignature("malformed signature header")
        fields.setdefault(name, []).append(value)
    stamps = fields.get("t", [])
    if len(stamps) != 1 or not stamps[0].isascii() or not stamps[0].isdigit():
        raise BadSignature("the signature has no valid timestamp")
    at_s = int(stamps[0])
    if abs(now_s - at_s) > tolerance_s:
        raise BadSignature("the signature is too old (or from the future)")
    expected = _digest(secret, body, at_s)
    if not any(hmac.compare_digest(expected, candidate) for candidate in fields.get("v1", [])):
        raise BadSignature("the signature does not match")
    return at_s


def _digest(secret: bytes, body: bytes, at_s: int) -> str:
    return hmac.new(secret, str(at_s).encode() + b"." + body, hashlib.sha256).hexdigest()
