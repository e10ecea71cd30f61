"""A store's own `next_token`: DynamoDB's LastEvaluatedKey, base64url-encoded JSON.

These inner tokens never reach a client as they are: the HTTP layer seals each one to its list and
caller and opens only what it sealed (`chalicelib/http/page_tokens.py`), so a store is only ever
handed a key it answered itself. Decoding stays defensive all the same.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pynamodb.exceptions import QueryError, ScanError

from chalicelib.core import jsontext
from chalicelib.core.errors import FieldError, MalformedRequest
from chalicelib.persistence.writes import response_code

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_token: str | None


def run_page(results: Any, convert: Callable[[Any], T]) -> Page[T]:
    """Read one page of a PynamoDB query or scan. DynamoDB refuses an ExclusiveStartKey that does not
    belong to the query (a forged or foreign `next_token`): that is the caller's fault, a 400."""
    try:
        items = [convert(item) for item in results]
    except (QueryError, ScanError) as exc:
        if response_code(exc) == "ValidationException":
            raise MalformedRequest("next_token is not valid",
                                   [FieldError("next_token", "not a token for this list")]) from exc
        raise
    return Page(items, encode_token(results.last_evaluated_key))


def encode_token(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_token(token: str | None) -> dict[str, Any] | None:
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        value = jsontext.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError):  # jsontext.UnreadableJson is a ValueError
        value = None
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise MalformedRequest("next_token is not valid", [FieldError("next_token", "not a token this API issued")])
    return value
