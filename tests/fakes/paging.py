"""Pages of an in-memory index, read the way the DynamoDB stores read theirs.

A Dynamo store asks PynamoDB for `limit` items; PynamoDB sends `Limit = limit` per request and,
when a filter leaves a page short, reads the next one, until it holds `limit` items or the index
ends. DynamoDB (moto) answers a `LastEvaluatedKey` only when it stopped at `Limit` with more items
after; PynamoDB resumes after the last item it *returned* when it stopped in the middle of a
page. `page_of` does exactly that, so a fake's pages and tokens are the ones a Dynamo store gives.
Tokens are inner tokens, like the Dynamo stores' (base64url JSON), which the HTTP layer seals
before a client sees them (`chalicelib/http/page_tokens.py`); they name the list they belong to,
so a token from another list, or one we never issued, is `MalformedRequest` here too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from chalicelib.core.errors import FieldError, MalformedRequest
from chalicelib.persistence.paging import Page, decode_token, encode_token

T = TypeVar("T")
Position = tuple[Any, ...]
"""Where a row sorts in its index: the index's sort key, then the table's key (unique)."""


def page_of(rows: Iterable[T], limit: int, token: str | None, *, index: str, position: Callable[[T], Position],
            descending: bool = False, matches: Callable[[T], bool] = lambda row: True) -> Page[T]:
    """One page of `rows` in index order (`position`, reversed when `descending`) after `token`,
    keeping those that `matches` (a filter expression, applied after `Limit` as DynamoDB does)."""
    ordered = sorted(rows, key=position, reverse=descending)
    after = _decode(token, index)
    if after is not None:
        ordered = [row for row in ordered if _is_after(position(row), after, descending)]
    found: list[T] = []
    for start in range(0, len(ordered), limit):
        chunk = ordered[start:start + limit]
        more = start + limit < len(ordered)
        hits = [row for row in chunk if matches(row)]
        for n, row in enumerate(hits):
            found.append(row)
            if len(found) == limit:
                last = row if n < len(hits) - 1 else (chunk[-1] if more else None)
                return Page(found, None if last is None else _encode(index, position(last)))
    return Page(found, None)


def scan_position(keys: Iterable[Any]) -> Callable[[Any], Position]:
    """A table scan's order in moto: the order the items were first written (`keys` in that order)."""
    order = {key: n for n, key in enumerate(keys)}
    return lambda key: (order[key],)


def _encode(index: str, position: Position) -> str:
    token = encode_token({"in": {"S": index}, "after": {"S": json.dumps(list(position))}})
    assert token is not None
    return token


def _decode(token: str | None, index: str) -> Position | None:
    value = decode_token(token)  # garbage is refused here, exactly as the Dynamo stores refuse it
    if value is None:
        return None
    try:
        if value["in"]["S"] != index:
            raise KeyError(index)
        return tuple(json.loads(value["after"]["S"]))
    except (KeyError, TypeError, ValueError):
        raise _not_ours() from None


def _is_after(position: Position, after: Position, descending: bool) -> bool:
    try:
        return position < after if descending else position > after
    except TypeError:  # a position of another shape: not this list's
        raise _not_ours() from None


def _not_ours() -> MalformedRequest:
    return MalformedRequest("next_token is not valid", [FieldError("next_token", "not a token for this list")])
