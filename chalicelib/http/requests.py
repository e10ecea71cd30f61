"""Reading requests: size, media type, JSON, and a pydantic schema, with every bad field named.

pydantic is imported by the first body parsed (a route's models bring it anyway), not with this
module: the WebSocket and alarm functions read no request body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from chalice.app import Request

from chalicelib.core import jsontext
from chalicelib.core.errors import FieldError, MalformedRequest, PayloadTooLarge

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound="BaseModel")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def field_errors(exc: ValidationError) -> list[FieldError]:
    return [FieldError(_field_path(tuple(e["loc"])), e["msg"]) for e in exc.errors(include_url=False)]


def json_body(request: Request, max_bytes: int) -> Any:
    """The body's JSON value (`chalicelib.core.jsontext`: UTF-8, at most `MAX_DEPTH` deep)."""
    try:
        raw = request.raw_body or b""
    except UnicodeEncodeError:  # an event whose text body holds a lone surrogate: not UTF-8 at all
        raise MalformedRequest("the body is not UTF-8 text", [FieldError("body", "not UTF-8 text")]) from None
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"the body is {len(raw)} bytes; at most {max_bytes} are accepted")
    if not raw.strip():
        raise MalformedRequest("a JSON body is required", [FieldError("body", "missing")])
    try:
        return jsontext.loads(raw)
    except jsontext.UnreadableJson as exc:
        raise MalformedRequest(f"the body cannot be read: {exc}", [FieldError("body", str(exc))]) from None


def parse(schema: type[T], data: Any) -> T:
    if not isinstance(data, dict):
        raise MalformedRequest("the body must be a JSON object", [FieldError("body", "must be an object")])
    from pydantic import ValidationError

    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        errors = field_errors(exc)
        raise MalformedRequest(f"{len(errors)} field(s) are not valid", errors) from None


def page_params(request: Request) -> tuple[int, str | None]:
    query: Mapping[str, str] = request.query_params or {}
    raw_limit = query.get("limit")
    limit = DEFAULT_LIMIT
    if raw_limit is not None:
        if not (raw_limit.isascii() and raw_limit.isdigit()) or not 1 <= int(raw_limit) <= MAX_LIMIT:
            raise MalformedRequest("limit is not valid", [FieldError("limit", f"an integer from 1 to {MAX_LIMIT}")])
        limit = int(raw_limit)
    return limit, query.get("next_token") or None
