"""Signed `next_token`s: a store's position in a list, sealed to that list, its caller and a moment.

A store answers where a page ended as an inner token (DynamoDB's LastEvaluatedKey as base64url
JSON, `persistence/paging.py`). Handed out as is, a client could write any start key and have
DynamoDB read it (a 500 from moto, a ValidationException at best in AWS), or walk another caller's
list from a key of its own making. So the HTTP layer seals every token it answers and opens every
token it is sent, before any store sees it (`Call.page` and `Routes`, `http/routing.py`):

    <inner>.<issued: unix seconds>.<base64url HMAC-SHA256(secret, list | caller | inner | issued)>

- the list is the route's path template, its path parameters and every query parameter except
  `limit` and `next_token` (the filters that choose the list, e.g. `status=`);
- the caller is the principal's `sub`, role and the merchant or supplier it acts for;
- a token older than `max_age_s` (24 h by default) is refused: start the list again.

Anything else — garbage, a forged or edited token, one from another list or caller, a stale one —
is a 400 naming `next_token`. The first secret signs and every one verifies, so a secret can be
rotated without breaking the lists being walked (`ONTIME_PAGE_TOKEN_SECRETS`).

Tokens are tamper-evident, not encrypted: the inner token is the position's keys (usually the last
item's, which the caller has just been shown).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chalicelib.auth.principal import Principal
from chalicelib.core.errors import FieldError, MalformedRequest

DEFAULT_MAX_AGE_S = 24 * 3600
MAX_TOKEN_CHARS = 4096
"""Far above any position our keys make; anything longer is refused before it is hashed or split."""
FUTURE_SKEW_S = 60
"""How far ahead of our clock an issue time may be (another container's clock)."""
MIN_SECRET_BYTES = 32
_CONTEXT = b"ontime/page-token/v1"


@dataclass(frozen=True)
class ListBinding:
    """What a token is good for: one list (route, path parameters, filters) and one caller."""

    path: str
    path_params: Mapping[str, str]
    filters: Sequence[tuple[str, str]]
    caller: Principal | None

    def canonical(self) -> bytes:
        caller = None if self.caller is None else [self.caller.sub, self.caller.role.value,
                                                   self.caller.merchant_id or "", self.caller.supplier_id or ""]
        return json.dumps([self.path, sorted(self.path_params.items()), sorted(self.filters), caller],
                          separators=(",", ":"), ensure_ascii=True).encode()


class PageTokens:
    """Seals a store's inner token for one list and caller, and opens only what it sealed."""

    def __init__(self, secrets: Sequence[bytes], max_age_s: int = DEFAULT_MAX_AGE_S) -> None:
        if not secrets:
            raise ValueError("page tokens need at least one secret")
        if any(len(secret) < MIN_SECRET_BYTES for secret in secrets):
            raise ValueError(f"a page-token secret must have at least {MIN_SECRET_BYTES} bytes")
        self._secrets = tuple(secrets)
        self._max_age_s = max_age_s

    @property
    def max_age_s(self) -> int:
        return self._max_age_s

    def seal(self, inner: str, binding: ListBinding, now_s: int) -> str:
        issued = str(now_s)
        return f"{inner}.{issued}.{_mac(self._secrets[0], binding, inner, issued)}"

    def open(self, token: str, binding: ListBinding, now_s: int) -> str:
        """The inner token, if this is a token we sealed for this list and caller, recently."""
        if len(token) > MAX_TOKEN_CHARS or not token.isascii():
            raise _refused("not a token this API issued")
        inner, issued, signature = _parts(token)
        if not any(hmac.compare_digest(signature, _mac(secret, binding, inner, issued)) for secret in self._secrets):
            raise _refused("not a token this API issued for this list and caller")
        age_s = now_s - int(issued)
        if age_s > self._max_age_s:
            raise _refused("expired: start the list again from its first page")
        if age_s < -FUTURE_SKEW_S:
            raise _refused("not a token this API issued")
        return inner


def _parts(token: str) -> tuple[str, str, str]:
    pieces = token.rsplit(".", 2)
    if len(pieces) != 3:
        raise _refused("not a token this API issued")
    inner, issued, signature = pieces
    if not inner or not (issued.isdigit() and len(issued) <= 12) or not signature:
        raise _refused("not a token this API issued")
    return inner, issued, signature


def _mac(secret: bytes, binding: ListBinding, inner: str, issued: str) -> str:
    message = b"\n".join([_CONTEXT, binding.canonical(), inner.encode(), issued.encode()])
    return base64.urlsafe_b64encode(hmac.new(secret, message, hashlib.sha256).digest()).decode().rstrip("=")


def _refused(why: str) -> MalformedRequest:
    return MalformedRequest(f"next_token is not valid: {why}", [FieldError("next_token", why)])
